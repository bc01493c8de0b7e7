"""Implementations by name, found through entry points and loaded when first asked for.

Every implementation — neuroam's own and any other package's — is declared in the
``neuroam.implementations`` entry-point group (``name = "module:Class"`` in that
package's ``pyproject.toml``), so a separate package plugs one in without touching
neuroam. A module is imported only when its implementation is used: a crossbar study
never imports Diffrax, Brian2 or the oscillator code. :func:`register` adds one at run
time (a notebook, a test); duplicates are refused.
"""

from __future__ import annotations

import difflib
import functools
from importlib.metadata import EntryPoint, entry_points

from ..errors import RegistryError
from .base import Implementation

__all__ = ["GROUP", "register", "get", "names"]

GROUP = "neuroam.implementations"

_LOADED: dict[str, Implementation] = {}


@functools.cache
def _declared() -> dict[str, EntryPoint]:
    return {ep.name: ep for ep in entry_points(group=GROUP)}


def register(cls: type[Implementation]) -> type[Implementation]:
    """Add an implementation class at run time (also usable as a class decorator)."""
    known = _LOADED.get(cls.name)
    if known is not None and type(known) is not cls:
        raise RegistryError(f"a second implementation named {cls.name!r}", "unique names",
                            "Rename the new implementation.")
    _LOADED[cls.name] = cls()
    return cls


def _load(name: str) -> Implementation:
    ep = _declared()[name]
    cls = ep.load()  # an ImportError surfaces as is: the run reports it
    if not (isinstance(cls, type) and issubclass(cls, Implementation)):
        raise RegistryError(f"the entry point {name} = {ep.value!r} in group {GROUP}, which "
                            f"is {cls!r}", "a subclass of neuroam.implementations.Implementation",
                            "Fix the entry point of the package that declares it.")
    if cls.name != name:
        raise RegistryError(f"the entry point {name!r} for a class named {cls.name!r}",
                            "the entry point's name equal to the class's `name`",
                            "Rename one of them.")
    return _LOADED.setdefault(name, cls())


def get(name: str) -> Implementation:
    """The implementation registered as ``name`` (imported on first use)."""
    if name in _LOADED:
        return _LOADED[name]
    if name in _declared():
        return _load(name)
    close = difflib.get_close_matches(str(name), names(), n=1)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    if not _declared():
        hint += (" No implementation is declared at all: neuroam is not installed in this "
                 "environment (pip install -e . in the checkout).")
    raise RegistryError(f"implementation {name!r}", f"one of {names()}",
                        f"Pick an available implementation.{hint}")


def names() -> list[str]:
    """Every registered name (declared or added), without importing anything."""
    return sorted(set(_declared()) | set(_LOADED))
