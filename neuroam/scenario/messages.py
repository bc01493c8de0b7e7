"""Turn pydantic validation errors into one readable :class:`ScenarioError`.

Each problem names the dotted key, what was received, what is allowed (type and range,
read from the field's declaration), and for unknown keys the closest valid key.
"""

from __future__ import annotations

import types
import typing
from typing import Any, Literal

import annotated_types as at
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from ..errors import ScenarioError
from .paths import suggest

__all__ = ["explain", "describe_field", "field_at"]

_MAX_PROBLEMS = 8


def _type_words(ann: Any) -> str:
    origin = typing.get_origin(ann)
    if origin is Literal:
        return "one of " + ", ".join(repr(a) for a in typing.get_args(ann))
    if origin in (typing.Union, types.UnionType):
        parts = [_type_words(a) for a in typing.get_args(ann) if a is not type(None)]
        return " or ".join(parts)
    if origin in (list, tuple):
        return "a list"
    if origin is dict:
        return "a table"
    if ann is bool:
        return "true or false"
    if ann is int:
        return "an integer"
    if ann is float:
        return "a number"
    if ann is str:
        return "a string"
    if isinstance(ann, type) and issubclass(ann, BaseModel):
        return "a table"
    return getattr(ann, "__name__", str(ann))


def describe_field(field: FieldInfo) -> str:
    """E.g. ``"an integer ≥ 1 and ≤ 10000000 (default 1)"``."""
    words = _type_words(field.annotation)
    bounds = []
    for m in field.metadata:
        for cls, sym in ((at.Ge, "≥"), (at.Gt, ">"), (at.Le, "≤"), (at.Lt, "<")):
            if isinstance(m, cls):
                bounds.append(f"{sym} {getattr(m, cls.__name__.lower())}")
        if isinstance(m, at.MinLen):
            bounds.append(f"with at least {m.min_length} item(s)")
        if hasattr(m, "pattern") and getattr(m, "pattern", None):
            bounds.append(f"matching {m.pattern}")
    text = words + (" " + " and ".join(bounds) if bounds else "")
    if field.default is not PydanticUndefined and field.default is not None:
        text += f" (default {field.default!r})"
    return text


def field_at(model: type[BaseModel] | None, loc: tuple) -> tuple[type[BaseModel] | None,
                                                                FieldInfo | None]:
    """Follow ``loc`` through nested models: (model holding the last key, its field)."""
    owner, field = model, None
    for i, part in enumerate(loc):
        if owner is None or not isinstance(part, str):
            return None, None
        field = owner.model_fields.get(part)
        if field is None:
            return owner, None
        ann = field.annotation
        nested = [a for a in (typing.get_args(ann) or (ann,))
                  if isinstance(a, type) and issubclass(a, BaseModel)]
        if i == len(loc) - 1:
            return owner, field
        owner = nested[0] if nested else None
    return owner, field


def model_at(model: type[BaseModel] | None, loc: tuple) -> type[BaseModel] | None:
    """The nested model class reached by following every part of ``loc``."""
    for part in loc:
        if model is None or not isinstance(part, str) or part not in model.model_fields:
            return None
        ann = model.model_fields[part].annotation
        nested = [a for a in (typing.get_args(ann) or (ann,))
                  if isinstance(a, type) and issubclass(a, BaseModel)]
        model = nested[0] if nested else None
    return model


def _show(value: Any) -> str:
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{text} ({type(value).__name__})"


def _problem(err: dict, model: type[BaseModel] | None, prefix: str) -> str:
    loc = tuple(err.get("loc", ()))
    path = ".".join([p for p in [prefix] if p] + [str(p) for p in loc])
    kind = err.get("type", "")
    if kind == "extra_forbidden":
        owner = model_at(model, loc[:-1])
        valid = sorted(owner.model_fields) if owner is not None else []
        hint = suggest(loc[-1], valid).strip() if valid else ""
        listing = f"valid keys here: {', '.join(valid)}" if valid else ""
        extra = " ".join(x for x in (hint, listing) if x)
        return f"unknown key `{path}`" + (f" ({extra})" if extra else "")
    owner, field = field_at(model, loc)
    expected = describe_field(field) if field is not None else ""
    if kind == "missing":
        return f"missing key `{path}`" + (f" (it takes {expected})" if expected else "")
    msg = err.get("msg", "invalid value").removeprefix("Value error, ")
    if not loc or field is None and kind.startswith("value_error"):
        return f"in `{path or 'the file'}`: {msg}"
    got = _show(err.get("input"))
    if expected and not kind.startswith("value_error"):
        return f"`{path}` = {got}, but it must be {expected}"
    return f"`{path}` = {got}: {msg}" + (f" (it takes {expected})" if expected else "")


def explain(exc: ValidationError, model: type[BaseModel] | None, *, source: str,
            prefix: str = "", context: str = "") -> ScenarioError:
    """One ScenarioError listing every problem in ``exc``."""
    errors = exc.errors()
    problems = [_problem(e, model, prefix) for e in errors[:_MAX_PROBLEMS]]
    if len(errors) > _MAX_PROBLEMS:
        problems.append(f"... and {len(errors) - _MAX_PROBLEMS} more.")
    head = f"an invalid scenario {source}{context}: " + "; ".join(problems)
    return ScenarioError(head, "keys and values as documented by `neuroam schema`",
                         "Edit the file (or the --set value) at the key(s) named above.")
