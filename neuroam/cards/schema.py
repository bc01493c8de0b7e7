"""One schema per card kind: every parameter with its SI unit, range and meaning.

A :class:`Schema` is a declarative table of :class:`ParamSpec` rows (name, SI unit,
allowed range, integer or choice, required or optional, what it means) plus the checks
that involve several parameters (``g_min < g_max``). :func:`parse_card` validates a
card against the schema of its ``kind`` when the card is read, so every value a loader
gets from :meth:`Card.value` is already in SI units and in range:

- a value in another unit of the right dimension (``100 uS``) is converted to SI (see
  :mod:`neuroam.cards.units` for exactness);
- a unit of the wrong dimension (``us`` for a conductance), an unknown parameter (the
  closest known name is suggested), a missing required one, a string or boolean where
  a number belongs, NaN or infinity, a value out of range: each a
  :class:`~neuroam.errors.CardError` naming the file, the parameter and what is allowed.

The same rows check parameter overrides (the spiking implementation's ``params``), and
``schema_for(kind).describe(key)`` gives the words and unit of a parameter (plot axes,
reports).
"""

from __future__ import annotations

import dataclasses
import difflib
import math
from collections.abc import Callable, Mapping
from typing import Any

from ..errors import CardError, NeuroamError
from . import units
from .units import DIMENSIONLESS, UnitProblem

__all__ = ["ParamSpec", "Schema", "register", "schema_for", "known_kinds", "Check"]

#: a check over several parameters: (SI values, "the <kind> card 'name' (path)") -> None;
#: raises CardError
Check = Callable[[Mapping[str, Any], str], None]


@dataclasses.dataclass(frozen=True)
class ParamSpec:
    """One declared parameter.

    Attributes:
        name: the key in cards (``[params.<name>]``) and overrides.
        unit: the SI unit the physics uses (``"S"``, ``"s"``, ``"V"``, ``"F"``, ``"Hz"``,
            ``"1/s"``, ``"J"``, ``"W"``, ``"ohm"``, ``"rad"``, ``"FLOP/s"``) or ``"1"``
            (dimensionless). Values in other units of that dimension are converted.
        lo, hi: allowed range in ``unit`` (None: unbounded); ``lo_open``/``hi_open``
            exclude the end.
        doc: what the parameter means (one line, used in messages and labels).
        integer: a whole number (dimensionless counts); the value comes back as ``int``.
        choices: a string parameter: the allowed values (unit ``"1"``).
        required: the card must give it (optional ones fall back to the loader's default).
    """

    name: str
    unit: str
    lo: float | None = None
    hi: float | None = None
    doc: str = ""
    lo_open: bool = False
    hi_open: bool = False
    integer: bool = False
    choices: tuple[str, ...] = ()
    required: bool = True

    def range_text(self) -> str:
        """``"(0.0, inf]"``: the allowed interval as the messages print it."""
        lb, rb = "(" if self.lo_open else "[", ")" if self.hi_open else "]"
        return (f"{lb}{'-inf' if self.lo is None else self.lo}, "
                f"{'inf' if self.hi is None else self.hi}{rb}")

    def allowed(self) -> str:
        """What a value must be, in words: ``"a number in (0.0, inf] S"``."""
        if self.choices:
            return f"one of {list(self.choices)}"
        kind = "an integer" if self.integer else "a number"
        unit = "" if self.unit == DIMENSIONLESS else f" {self.unit}"
        return f"{kind} in {self.range_text()}{unit}"

    def in_range(self, x: float) -> bool:
        if not math.isfinite(x):
            return False
        if self.lo is not None and not (x > self.lo if self.lo_open else x >= self.lo):
            return False
        if self.hi is not None and not (x < self.hi if self.hi_open else x <= self.hi):
            return False
        return True

    def convert(self, value: Any, unit: str | None, where: str, *,
                error: type[NeuroamError] = CardError) -> float | int | str:
        """``value`` written in ``unit`` -> the checked SI value (float, int or str).

        ``unit`` None: an override written as ``"5 ms"`` (number and unit in one string)
        or a bare number (dimensionless parameters only). ``where`` names the source in
        messages ("the memristor card 'x' (path)"); ``error`` is the class raised.
        """
        name = f"params.{self.name}" if unit is not None else self.name
        fix = (f"Fix {name}.value in the card" if unit is not None else f"Fix {name}") + \
            (f": {self.doc}." if self.doc else ".")
        if self.choices:
            if not isinstance(value, str) or value not in self.choices:
                raise error(f"{self.name} = {value!r} in {where}", self.allowed(), fix)
            if unit not in (None, DIMENSIONLESS):
                raise error(f"unit {unit!r} for {self.name} in {where}", 'unit "1"',
                            f'Write unit = "1" in [params.{self.name}].')
            return value
        if unit is None:
            value, unit = _split(value, self, where, error)
        elif isinstance(value, str):
            raise error(f"{name} = {value!r} (a string) in {where}",
                        f"a number: {self.allowed()}",
                        f"Write the number without quotes: value = {value.strip()} "
                        f"(the unit goes in `unit`).")
        if not units.is_number(value):
            what = "a boolean" if isinstance(value, bool) else type(value).__name__
            raise error(f"{name} = {value!r} ({what}) in {where}", self.allowed(), fix)
        try:
            x = units.to_si(value, unit, self.unit)
        except UnitProblem as exc:
            given = f"{value!r} {unit}"
            raise error(f"{name} = {given} in {where}, which has {exc}",
                        f"{units.label(self.unit)}: {self.doc}" if self.doc
                        else units.label(self.unit),
                        f"Give {self.name} in a unit of {units.label(self.unit).split(' (')[0]},"
                        f" e.g. \"{units.example(self.unit)}\".") from None
        shown = f"{value!r} {unit}" if unit in (DIMENSIONLESS, self.unit) \
            else f"{value!r} {unit} (= {x!r} {self.unit})"
        shown = shown.removesuffix(f" {DIMENSIONLESS}")
        if not math.isfinite(x):
            raise error(f"{name} = {shown} in {where}", f"a finite value: {self.allowed()}", fix)
        if self.integer and x != int(x):
            raise error(f"{name} = {shown} in {where}", self.allowed(), fix)
        if not self.in_range(x):
            raise error(f"{name} = {shown} in {where}", self.allowed(), fix)
        return int(x) if self.integer else x


def _split(value: Any, spec: ParamSpec, where: str, error) -> tuple[Any, str]:
    """An override: ``"5 ms"``/``"0.5*nF"`` -> (5.0, "ms"); a bare number -> (x, "1")."""
    import re

    if isinstance(value, str):
        m = re.match(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*\*?\s*(.*?)\s*$", value)
        if not m:
            raise error(f"{spec.name} = {value!r} ({where})",
                        f"a number followed by its unit, {units.label(spec.unit)}",
                        f'Write e.g. {spec.name} = "{units.example(spec.unit)}".')
        return float(m.group(1)), (m.group(2) or DIMENSIONLESS)
    if units.is_number(value) and spec.unit != DIMENSIONLESS:
        raise error(f"{spec.name} = {value!r} without units ({where})", units.label(spec.unit),
                    f'Give the unit, e.g. {spec.name} = "{units.example(spec.unit)}".')
    return value, DIMENSIONLESS


@dataclasses.dataclass(frozen=True)
class Schema:
    """The parameters of one card kind and the checks across them."""

    kind: str
    doc: str
    params: tuple[ParamSpec, ...]
    checks: tuple[Check, ...] = ()

    def __post_init__(self):
        names = [p.name for p in self.params]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ValueError(f"schema {self.kind!r} declares {dup} twice")

    @property
    def names(self) -> list[str]:
        return [p.name for p in self.params]

    def spec(self, key: str) -> ParamSpec:
        for p in self.params:
            if p.name == key:
                return p
        raise CardError(f"the parameter {key!r} of a {self.kind} card",
                        f"one of {self.names}", f"{_suggest(key, self.names)}".strip() or
                        "Use a listed parameter.")

    def describe(self, key: str) -> str:
        """``"g_max (S): largest programmable conductance"``: a label for ``key``."""
        p = self.spec(key)
        unit = "" if p.unit == DIMENSIONLESS else f" ({p.unit})"
        return f"{key}{unit}: {p.doc}" if p.doc else f"{key}{unit}"

    def unit(self, key: str) -> str:
        return self.spec(key).unit

    def validate(self, raw: Mapping[str, tuple[Any, str]], where: str) -> dict[str, Any]:
        """``{key: (value, unit)}`` as written -> ``{key: SI value}``, every row and check
        applied.

        Raises:
            CardError: unknown or missing parameter, wrong type, unit or range.
        """
        known = self.names
        for key in raw:
            if key not in known:
                raise CardError(f"the unknown parameter params.{key} in {where}",
                                f"the parameters of a {self.kind} card: {', '.join(known)}",
                                f"{_suggest(key, known)} Remove or rename [params.{key}]."
                                .strip())
        out = {}
        for spec in self.params:
            if spec.name in raw:
                value, unit = raw[spec.name]
                out[spec.name] = spec.convert(value, unit, where)
            elif spec.required:
                raise CardError(f"no params.{spec.name} in {where}",
                                f"[params.{spec.name}] with value, unit ({spec.unit}) and source",
                                f"Add it to the card: {spec.doc or spec.name}, "
                                f"{spec.allowed()}.")
        for check in self.checks:
            check(out, where)
        return out


def _suggest(word: str, choices) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"Did you mean `{close[0]}`?" if close else ""


_SCHEMAS: dict[str, Schema] = {}


def register(schema: Schema) -> Schema:
    """Add the schema of a card kind (a kind registers once)."""
    if schema.kind in _SCHEMAS:
        raise ValueError(f"a schema for card kind {schema.kind!r} is already registered")
    _SCHEMAS[schema.kind] = schema
    return schema


def known_kinds() -> list[str]:
    """The card kinds neuroam knows."""
    _load_builtin()
    return sorted(_SCHEMAS)


def schema_for(kind: str) -> Schema:
    """The :class:`Schema` of card ``kind``.

    Raises:
        CardError: a kind without a schema (the known ones are listed).
    """
    _load_builtin()
    if kind not in _SCHEMAS:
        raise CardError(f"the card kind {kind!r}", f"one of {sorted(_SCHEMAS)}",
                        f"{_suggest(kind, _SCHEMAS)} Set `kind` to what the card describes."
                        .strip())
    return _SCHEMAS[kind]


def _load_builtin() -> None:
    from . import tables as _  # noqa: F401 - registers the shipped schemas
