"""Dotted key paths into a scenario's nested dictionary, and the implementations table.

A path such as ``implementations.ideal-sde.temperature`` names one value; the same
paths are used by ``--set``, by ``[sweep] grid`` and in every error message.
"""

from __future__ import annotations

import copy
import functools
import tomllib
from typing import Any

from ..errors import ScenarioError, suggest

__all__ = ["split", "get_path", "set_path", "normalize_implementations", "suggest"]


def split(path: str) -> list[str]:
    """The parts of a dotted key; TOML-quoted parts may hold dots:
    ``sweep.grid."patterns.K"`` is ``["sweep", "grid", "patterns.K"]``."""
    return list(_split(path))


@functools.lru_cache(maxsize=1024)
def _split(path: str) -> tuple[str, ...]:
    if '"' not in path and "'" not in path:
        return tuple(p for p in path.split(".") if p)
    try:
        node: Any = tomllib.loads(f"{path} = 0")
    except tomllib.TOMLDecodeError:
        raise ScenarioError(f"the key {path!r}", "a dotted key whose parts are bare (letters, "
                            "digits, '_', '-') or quoted", "Quote a part that holds dots, "
                            "e.g. sweep.grid.\"patterns.K\".") from None
    parts: list[str] = []
    while isinstance(node, dict):
        (part, node), = node.items()
        parts.append(part)
    return tuple(parts)


def get_path(data: dict, path: str, default: Any = KeyError) -> Any:
    node: Any = data
    for part in split(path):
        if not isinstance(node, dict) or part not in node:
            if default is KeyError:
                raise KeyError(path)
            return default
        node = node[part]
    return node


def set_path(data: dict, path: str, value: Any, *, origin: str = "--set") -> dict:
    """Return a deep copy of ``data`` with ``path`` set to ``value`` (tables created)."""
    out = copy.deepcopy(data)
    parts = split(path)
    node = out
    for i, part in enumerate(parts[:-1]):
        nxt = node.get(part)
        if nxt is None:
            nxt = node[part] = {}
        if not isinstance(nxt, dict):
            here = ".".join(parts[: i + 1])
            raise ScenarioError(
                f"{origin} for `{path}`, but `{here}` is a value ({nxt!r}), not a table",
                "a path whose every part but the last names a table",
                f"Set `{here}` itself, or check the path.")
        node = nxt
    node[parts[-1]] = copy.deepcopy(value)
    return out


def normalize_implementations(data: dict) -> tuple[dict, dict[str, str]]:
    """Turn ``[[implementations]]`` (array) into ``{label: {"name": ..., settings}}``.

    The table form ``[implementations.LABEL]`` uses the key as label and as the
    implementation name unless ``name = "..."`` is given. The array form needs
    ``name`` and takes an optional ``label`` (default: the name).

    Returns the normalized copy and ``{label: how the user wrote it}`` for messages.
    """
    out = copy.deepcopy(data)
    impls = out.get("implementations")
    where: dict[str, str] = {}
    if impls is None:
        return out, where
    if isinstance(impls, list):
        table: dict[str, Any] = {}
        for i, entry in enumerate(impls):
            if not isinstance(entry, dict):
                raise ScenarioError(f"implementations[{i}] = {entry!r}",
                                    "a table with at least `name = \"...\"`",
                                    "Write each entry as [[implementations]] followed by "
                                    "name = \"ideal-ode\" and its settings.")
            entry = dict(entry)
            name = entry.get("name")
            if not isinstance(name, str):
                raise ScenarioError(f"implementations[{i}] without a `name`",
                                    "name = \"<implementation>\" in every [[implementations]]",
                                    "Add e.g. name = \"ideal-ode\"; `neuroam list "
                                    "implementations` shows the names.")
            label = entry.pop("label", name)
            if label in table:
                raise ScenarioError(f"two implementations labelled {label!r}",
                                    "a unique label per implementation",
                                    "Add label = \"...\" to tell them apart.")
            table[label] = entry
            where[label] = f"implementations[{i}]"
        out["implementations"] = table
    elif isinstance(impls, dict):
        for label, entry in impls.items():
            if isinstance(entry, dict):
                entry.setdefault("name", label)
            where[label] = f"implementations.{label}"
    return out, where
