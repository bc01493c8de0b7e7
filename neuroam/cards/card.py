"""Device and circuit cards: TOML files of parameters, each with a unit and a source.

Format (``devices/<name>.toml`` or ``circuits/<name>.toml``)::

    kind = "oscillator"            # what the card describes (implementations check it)
    name = "ring-cmos"             # defaults to the file stem
    description = "..."

    [params.detuning_std]
    value = 0.01
    unit = "1"                     # SI unit, or "1" for dimensionless
    source = "Wang & Roychowdhury 2019, Table 2"

A user adds a technology by adding a card; implementations read ``card.value(key)``.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import tomllib
from pathlib import Path
from typing import Any

from .. import inputs
from ..errors import CardError

__all__ = ["Param", "Card", "load_card", "parse_card"]


@dataclasses.dataclass(frozen=True)
class Param:
    value: Any
    unit: str
    source: str
    note: str = ""


@dataclasses.dataclass(frozen=True)
class Card:
    """A validated card. ``params`` maps names to :class:`Param`."""

    kind: str
    name: str
    description: str
    params: dict[str, Param]
    path: Path | None = None

    def value(self, key: str, default: Any = dataclasses.MISSING) -> Any:
        if key in self.params:
            return self.params[key].value
        if default is not dataclasses.MISSING:
            return default
        raise CardError(f"no parameter {key!r} in the {self.kind} card {self.name!r} ({self.path})",
                        f"a [params.{key}] table with value, unit and source",
                        f"Add it to the card; it has: {', '.join(sorted(self.params))}.")

    def values(self) -> dict[str, Any]:
        return {k: p.value for k, p in self.params.items()}

    def require_kind(self, *kinds: str) -> "Card":
        if self.kind not in kinds:
            raise CardError(f"a {self.kind!r} card ({self.name}, {self.path})",
                            f"a card of kind {' or '.join(repr(k) for k in kinds)}",
                            "Pick a card made for this implementation (`neuroam list devices`).")
        return self

    def check_range(self, key: str, lo: float | None = None, hi: float | None = None, *,
                    lo_open: bool = False, hi_open: bool = False) -> float:
        """The numeric value of ``key`` after checking lo ≤ value ≤ hi (open ends optional)."""
        v = self.value(key)
        ok = isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
        if ok and lo is not None:
            ok = v > lo if lo_open else v >= lo
        if ok and hi is not None:
            ok = v < hi if hi_open else v <= hi
        if not ok:
            lb = "(" if lo_open else "["
            rb = ")" if hi_open else "]"
            rng = f"{lb}{'-inf' if lo is None else lo}, {'inf' if hi is None else hi}{rb}"
            raise CardError(f"{key} = {v!r} in the {self.kind} card {self.name!r} ({self.path})",
                            f"a number in {rng} ({self.params[key].unit})",
                            f"Fix params.{key}.value in the card.")
        return float(v)


def parse_card(data: dict, *, path: Path | None = None, name: str | None = None) -> Card:
    where = f"card {path}" if path else "card"
    for key in data:
        if key not in ("kind", "name", "description", "params"):
            raise CardError(f"the top-level key {key!r} in {where}",
                            "only kind, name, description and [params.*] tables",
                            "Move parameters under [params.<name>] with value, unit and source.")
    kind = data.get("kind")
    if not isinstance(kind, str) or not kind:
        raise CardError(f"{where} without a `kind`", 'kind = "<what it describes>"',
                        'Add e.g. kind = "memristor" at the top of the card.')
    params = {}
    for key, p in (data.get("params") or {}).items():
        if not isinstance(p, dict) or "value" not in p:
            raise CardError(f"params.{key} = {p!r} in {where}", "a table with value, unit and source",
                            f'Write [params.{key}] value = ..., unit = "...", source = "...".')
        extra = set(p) - {"value", "unit", "source", "note"}
        if extra:
            raise CardError(f"keys {sorted(extra)} in params.{key} of {where}",
                            "only value, unit, source and note", "Remove the extra keys.")
        if not str(p.get("source", "")).strip():
            raise CardError(f"params.{key} without a source in {where}", "every number with its source",
                            f"Add source = \"...\" to [params.{key}] (a paper, datasheet or code).")
        if "unit" not in p:
            raise CardError(f"params.{key} without a unit in {where}", 'an SI unit, or "1" if dimensionless',
                            f'Add unit = "..." to [params.{key}].')
        params[key] = Param(p["value"], str(p["unit"]), str(p["source"]), str(p.get("note", "")))
    return Card(kind=kind, name=str(data.get("name") or name or (path.stem if path else "card")),
                description=str(data.get("description", "")), params=params, path=path)


def load_card(ref: str | Path, *, folder: str = "device", near: str | Path | None = None) -> Card:
    """Load a card by name (``devices/<name>.toml``) or path; ``folder`` is "device" or "circuit"."""
    from .search import find_card

    path = find_card(folder, str(ref), near)
    return _parsed(path, inputs.read_text(path))  # read (and recorded) at every load


@functools.lru_cache(maxsize=64)
def _parsed(path: Path, text: str) -> Card:
    """The card of ``text`` read from ``path``, parsed once per content (parsing the TOML
    cost a crossbar run ~2 ms per card)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CardError(f"malformed TOML in {path}: {exc}", "a valid TOML card",
                        "Fix the syntax at the line and column given.") from None
    return parse_card(data, path=path)
