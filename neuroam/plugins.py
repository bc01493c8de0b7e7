"""Named plug-ins found through entry points: the one registry mechanism.

A registry is an entry-point group: ``neuroam.implementations`` (implementation classes),
``neuroam.models`` (model classes), ``neuroam.learning_rules`` (``rule(patterns, **kw) ->
W``), ``neuroam.cues`` (cue makers ``kind(patterns, **kw) -> CueSet``) and
``neuroam.patterns`` (pattern generators ``name(**kw) -> PatternSet``) and
``neuroam.devices`` (crossbar device technologies by card kind,
:class:`neuroam.crossbar.device.DeviceModel`). Each entry is ``name = "module:Object"`` in the
``[project.entry-points."<group>"]`` table of a distribution's ``pyproject.toml``;
neuroam's own built-ins are declared there exactly like another package's, so a separate
package plugs one in by declaring it and being installed. Listing names imports nothing;
an object is imported the first time it is asked for.

An entry point that fails to import, or names an object of the wrong kind, raises
:class:`PluginError` naming the distribution, the entry point and the underlying error.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterator, Mapping
from importlib.metadata import EntryPoint, entry_points
from typing import Any

from .errors import NeuroamError, RegistryError

__all__ = ["PluginError", "Registry", "describe", "callable_entry"]


class PluginError(NeuroamError, ImportError):
    """A declared plug-in cannot be loaded, or is not what its entry-point group holds."""


def describe(ep: EntryPoint) -> str:
    """``"name = 'module:Object' (group G, distribution D 1.0)"`` for messages."""
    dist = getattr(ep, "dist", None)
    origin = f"distribution {dist.name} {dist.version}" if dist is not None else "no distribution"
    return f"the entry point {ep.name} = {ep.value!r} (group {ep.group}, {origin})"


def callable_entry(kind: str) -> Callable[[str, Any, str], Any]:
    """The ``check`` of a registry of functions: the loaded object must be callable."""
    def check(name: str, obj: Any, where: str) -> Any:
        if not callable(obj):
            raise PluginError(f"{where}, which is a {type(obj).__name__}",
                              f"a callable {kind}", "Point the entry point at a function.")
        return obj
    return check


class Registry(Mapping[str, Any]):
    """Name -> loaded object of one entry-point group, loaded lazily and cached.

    Args:
        group: the entry-point group (``"neuroam.models"``).
        kind: what one entry is, for messages (``"model"``).
        check: ``check(name, obj, where) -> value`` validates a loaded object and returns
            what the registry hands out (the class, or an instance of it); it raises
            :class:`PluginError` with ``where`` (the entry point in words) when it refuses.
    """

    def __init__(self, group: str, kind: str, check: Callable[[str, Any, str], Any]):
        self.group, self.kind = group, kind
        self._check = check
        self._loaded: dict[str, Any] = {}
        self._scanned: dict[str, list[EntryPoint]] | None = None

    def declared(self) -> dict[str, list[EntryPoint]]:
        """Name -> the entry points that declare it (more than one: a conflict)."""
        if self._scanned is None:
            found: dict[str, list[EntryPoint]] = {}
            for ep in entry_points(group=self.group):
                same = found.setdefault(ep.name, [])
                if all(ep.value != other.value for other in same):
                    same.append(ep)
            self._scanned = found
        return self._scanned

    def refresh(self) -> None:
        """Scan the installed distributions again (after one was added in this process)."""
        self._scanned = None

    def names(self) -> list[str]:
        """Every declared name, without importing anything."""
        return sorted(set(self.declared()) | set(self._loaded))

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def __len__(self) -> int:
        return len(self.names())

    def __contains__(self, name: object) -> bool:
        return name in self._loaded or name in self.declared()

    def __getitem__(self, name: str) -> Any:
        if name in self._loaded:
            return self._loaded[name]
        eps = self.declared().get(name)
        if not eps:
            raise self._unknown(name)
        if len(eps) > 1:
            raise PluginError(f"two {self.kind}s named {name!r}: " + "; ".join(map(describe, eps)),
                              f"one entry point per name in group {self.group}",
                              "Uninstall one of the distributions, or rename its entry point.")
        ep = eps[0]
        try:
            obj = ep.load()
        except Exception as exc:
            raise PluginError(f"{describe(ep)}, which failed to load: {type(exc).__name__}: {exc}",
                              f"an importable {self.kind}",
                              "Install what it needs, or fix or uninstall the distribution "
                              "that declares it.") from exc
        return self._loaded.setdefault(name, self._check(name, obj, describe(ep)))

    def _unknown(self, name: object) -> RegistryError:
        names = self.names()
        close = difflib.get_close_matches(str(name), names, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        if not names:
            hint += (f" Nothing is declared in the entry-point group {self.group}: neuroam is "
                     "not installed in this environment (pip install -e . in the checkout).")
        return RegistryError(f"{self.kind} {name!r}", f"one of {names}",
                             f"Pick an available {self.kind}.{hint}")
