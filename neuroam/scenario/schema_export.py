"""The JSON schema of scenario files, for editors (Taplo / Even Better TOML, VS Code).

The static sections come from :class:`~.spec.ScenarioSpec`; ``implementations`` is
filled in from every registered implementation's ``Settings`` model (its description
names the implementation's role and the registered models it supports), and model names,
pattern generators and cue kinds are listed as enums where the registries expose them.
"""

from __future__ import annotations

import json
from typing import Any

from .spec import ScenarioSpec

__all__ = ["json_schema", "schema_text"]


def _rewrite_refs(node: Any, prefix: str) -> Any:
    if isinstance(node, dict):
        return {k: (v.replace("#/$defs/", f"#/$defs/{prefix}") if k == "$ref" and
                    isinstance(v, str) else _rewrite_refs(v, prefix)) for k, v in node.items()}
    if isinstance(node, list):
        return [_rewrite_refs(v, prefix) for v in node]
    return node


def _settings_schema(name: str, impl, defs: dict, variants: list) -> dict:
    from ..implementations.registry import supported_models

    s = impl.Settings.model_json_schema()
    prefix = f"{name}."
    for key, value in s.pop("$defs", {}).items():
        defs[prefix + key] = _rewrite_refs(value, prefix)
    s = _rewrite_refs(s, prefix)
    props = s.setdefault("properties", {})
    props["name"] = {"const": name, "description": "Implementation name (default: the "
                     "table key)."}
    props["label"] = {"type": "string", "description": "Label in [[implementations]] form."}
    props["model"] = {"$ref": "#/$defs/ModelSpec", "description": "This label's own model "
                      "(overrides [model] for it; patterns and cues stay shared)."}
    s["additionalProperties"] = False
    s["title"] = f"{name} settings"
    models = supported_models(impl, variants)
    s["description"] = (f"{s.get('description', '')}\n\nRole: {impl.role}. Realises (default "
                        f"settings): {', '.join(models) or 'none of the registered models'}."
                        ).strip()
    return s


def _enum(schema: dict, section: str, key: str, values: list[str]) -> None:
    node = schema["$defs"].get(section, {}).get("properties", {}).get(key)
    if node is not None and values:
        node.pop("anyOf", None)
        node["type"] = "string"
        node["enum"] = sorted(values)


def json_schema() -> dict:
    """The schema as a dict (draft 2020-12)."""
    from .. import implementations as registry
    from ..implementations.registry import model_variants

    variants = model_variants()
    schema = ScenarioSpec.model_json_schema()
    defs = schema.setdefault("$defs", {})
    refs = []
    for name in registry.names():
        defs[f"settings:{name}"] = _settings_schema(name, registry.get(name), defs, variants)
        refs.append({"$ref": f"#/$defs/settings:{name}"})
    entry = {"anyOf": refs} if refs else {"type": "object"}
    schema["properties"]["implementations"] = {
        "description": "[implementations.LABEL] tables (LABEL = implementation name unless "
                       "name = \"...\" is given) or [[implementations]] entries with name.",
        "anyOf": [
            {"type": "object", "minProperties": 1, "additionalProperties": entry,
             "properties": {r["$ref"].split(":", 1)[1]: r for r in refs}},
            {"type": "array", "minItems": 1, "items": entry},
        ],
    }
    from .. import cues, models

    _enum(schema, "ModelSpec", "name", list(models.model_names()))
    _enum(schema, "CuesSpec", "kind", cues.CUE_KINDS.names())
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "neuroam scenario"
    return schema


def schema_text() -> str:
    return json.dumps(json_schema(), indent=2, sort_keys=True) + "\n"
