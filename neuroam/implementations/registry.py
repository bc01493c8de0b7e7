"""Implementations by name; duplicates are refused."""

from __future__ import annotations

import difflib

from ..errors import RegistryError
from .base import Implementation

__all__ = ["register", "get", "names"]

_REGISTRY: dict[str, Implementation] = {}


def register(cls: type[Implementation]) -> type[Implementation]:
    """Class decorator: register one instance of ``cls`` under ``cls.name``."""
    if cls.name in _REGISTRY:
        raise RegistryError(f"a second implementation named {cls.name!r}", "unique names",
                            "Rename the new implementation.")
    _REGISTRY[cls.name] = cls()
    return cls


def get(name: str) -> Implementation:
    if name not in _REGISTRY:
        close = difflib.get_close_matches(str(name), _REGISTRY, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise RegistryError(f"implementation {name!r}", f"one of {names()}",
                            f"Pick an available implementation.{hint}")
    return _REGISTRY[name]


def names() -> list[str]:
    return sorted(_REGISTRY)
