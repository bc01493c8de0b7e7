"""Device and circuit cards: TOML files of parameters, each with a unit and a source.

Format (``devices/<name>.toml`` or ``circuits/<name>.toml``)::

    kind = "oscillator"            # what the card describes: the schema it follows
    name = "ring-cmos"             # defaults to the file stem
    description = "..."

    [params.detuning_std]
    value = 0.01
    unit = "1"                     # any unit of the parameter's dimension; "1": dimensionless
    source = "Wang & Roychowdhury 2019, Table 2"

Every card is checked against the schema of its ``kind`` (:mod:`neuroam.cards.tables`)
when it is read: known parameters only, each a finite number in its allowed range (or one
of its allowed strings), in a unit of the right dimension, converted to SI. A user adds a
technology by adding a card; implementations read ``card.value(key)``, the SI value.
"""

from __future__ import annotations

import dataclasses
import functools
import tomllib
from pathlib import Path
from typing import Any

from .. import inputs
from ..errors import CardError
from .schema import Schema, schema_for

__all__ = ["Param", "Card", "load_card", "parse_card"]


@dataclasses.dataclass(frozen=True)
class Param:
    """One checked parameter.

    Attributes:
        value: the SI value (float; int for counts; str for a choice).
        unit: the SI unit of ``value`` (``"1"``: dimensionless), from the schema.
        source: where the number comes from (paper, datasheet, code).
        note: optional remark.
        written: the value and unit as the card wrote them (``"100.0 uS"``).
    """

    value: Any
    unit: str
    source: str
    note: str = ""
    written: str = ""


@dataclasses.dataclass(frozen=True)
class Card:
    """A card checked against the schema of its ``kind``. ``params`` maps names to
    :class:`Param` (SI values)."""

    kind: str
    name: str
    description: str
    params: dict[str, Param]
    path: Path | None = None

    @property
    def schema(self) -> Schema:
        """The schema the card follows (units, ranges and meaning of every parameter)."""
        return schema_for(self.kind)

    def value(self, key: str, default: Any = dataclasses.MISSING) -> Any:
        """The SI value of ``key`` (``default`` when the card does not give it)."""
        if key in self.params:
            return self.params[key].value
        if default is not dataclasses.MISSING:
            return default
        raise CardError(f"no parameter {key!r} in the {self.kind} card {self.name!r} ({self.path})",
                        f"a [params.{key}] table with value, unit and source",
                        f"Add it to the card; it has: {', '.join(sorted(self.params))}.")

    def values(self) -> dict[str, Any]:
        """``{key: SI value}`` of every parameter the card gives."""
        return {k: p.value for k, p in self.params.items()}

    def require_kind(self, *kinds: str) -> "Card":
        if self.kind not in kinds:
            raise _wrong_kind(self.kind, self.name, self.path, kinds)
        return self


def _wrong_kind(kind: Any, name: str, path: Path | None, kinds) -> CardError:
    return CardError(f"a {kind!r} card ({name}, {path})",
                     f"a card of kind {' or '.join(repr(k) for k in kinds)}",
                     "Pick a card made for this implementation (`neuroam list devices`).")


def parse_card(data: dict, *, path: Path | None = None, name: str | None = None) -> Card:
    """Check the TOML table ``data`` of a card against the schema of its ``kind``.

    Raises:
        CardError: a malformed card, an unknown kind or parameter, a value of the wrong
            type, unit or range (the message names the file, the parameter and what is
            allowed).
    """
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
    try:
        schema = schema_for(kind)
    except CardError as exc:
        raise CardError(f"In {where}: {exc}") from None
    name = str(data.get("name") or name or (path.stem if path else "card"))
    table = data.get("params") or {}
    if not isinstance(table, dict):
        raise CardError(f"params = {table!r} in {where}", "[params.<name>] tables",
                        'Write each parameter as [params.<name>] value = ..., unit = "...", '
                        'source = "...".')
    raw, meta = {}, {}
    for key, p in table.items():
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
        if "unit" not in p or not isinstance(p["unit"], str):
            raise CardError(f"params.{key} without a unit (a string) in {where}",
                            'a unit string, "1" if dimensionless',
                            f'Add unit = "..." to [params.{key}].')
        raw[key] = (p["value"], p["unit"])
        meta[key] = (str(p["source"]), str(p.get("note", "")), f"{p['value']!r} {p['unit']}")
    values = schema.validate(raw, f"the {kind} card {name!r} ({path})")
    params = {k: Param(v, schema.unit(k), *meta[k]) for k, v in values.items()}
    return Card(kind=kind, name=name, description=str(data.get("description", "")),
                params=params, path=path)


def load_card(ref: str | Path, *, folder: str = "device", near: str | Path | None = None,
              kind: str | tuple[str, ...] | None = None) -> Card:
    """Load a card by name (``devices/<name>.toml``) or path; ``folder`` is "device" or "circuit".

    ``kind``: the kind(s) the caller can use; a card of another kind is refused before
    its parameters are checked (the message then names the kind, not a parameter).
    """
    from .search import find_card

    path = find_card(folder, str(ref), near)
    try:
        text = inputs.read_text(path)  # read (and recorded) at every load
    except UnicodeDecodeError:
        raise CardError(f"{path}, which is not a text file", "a TOML card",
                        "Give the name or path of a card (`neuroam list devices`).") from None
    if kind is not None:
        kinds = (kind,) if isinstance(kind, str) else tuple(kind)
        found = _toml(path, text).get("kind")
        if isinstance(found, str) and found and found not in kinds:
            raise _wrong_kind(found, path.stem, path, kinds)
    return _parsed(path, text)


@functools.lru_cache(maxsize=64)
def _toml(path: Path, text: str) -> dict:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CardError(f"malformed TOML in {path}: {exc}", "a valid TOML card",
                        "Fix the syntax at the line and column given.") from None


@functools.lru_cache(maxsize=64)
def _parsed(path: Path, text: str) -> Card:
    """The card of ``text`` read from ``path``, parsed and checked once per content
    (parsing the TOML cost a crossbar run ~2 ms per card)."""
    return parse_card(_toml(path, text), path=path)
