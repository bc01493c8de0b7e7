"""Implementations by name: the ``neuroam.implementations`` entry-point group.

Every implementation — neuroam's own and any other package's — is declared in that group
(``name = "module:Class"`` in the package's ``pyproject.toml``) and found through
:class:`neuroam.plugins.Registry`, so a separate package plugs one in without touching
neuroam. A module is imported only when its implementation is used: a crossbar study
never imports Diffrax, Brian2 or the oscillator code.
"""

from __future__ import annotations

from ..plugins import PluginError, Registry
from .base import Implementation

__all__ = ["GROUP", "IMPLEMENTATIONS", "get", "names"]

GROUP = "neuroam.implementations"


def _instance(name: str, cls, where: str) -> Implementation:
    if not (isinstance(cls, type) and issubclass(cls, Implementation)):
        raise PluginError(f"{where}, which is {cls!r}",
                          "a subclass of neuroam.implementations.Implementation",
                          "Fix the entry point of the package that declares it.")
    if cls.name != name:
        raise PluginError(f"{where}, for a class named {cls.name!r}",
                          "the entry point's name equal to the class's `name`",
                          "Rename one of them.")
    return cls()


#: name -> the (one, shared) instance of that implementation
IMPLEMENTATIONS: Registry = Registry(GROUP, "implementation", _instance)


def get(name: str) -> Implementation:
    """The implementation declared as ``name`` (imported on first use)."""
    return IMPLEMENTATIONS[name]


def names() -> list[str]:
    """Every declared name, without importing anything."""
    return IMPLEMENTATIONS.names()
