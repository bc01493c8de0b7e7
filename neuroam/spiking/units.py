"""Parameters with physical units: declared once, parsed from cards and overrides, checked.

Every number of a spiking network lives in a :class:`ParamSpec` table (name, expected
unit, allowed range, meaning). Values arrive as card entries (``value`` + ``unit``
string), as override strings (``"5 ms"``, ``"0.5*nF"``) or as Brian2 quantities, and
leave as Brian2 quantities whose dimensions were checked. A value without a unit where
one is needed, a unit of the wrong dimension or a value out of range raises a
:class:`~neuroam.errors.ValueRangeError` that names the parameter, where it came from,
what was expected and how to fix it.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
import re
from typing import Any

from ..errors import ValueRangeError

__all__ = ["ParamSpec", "parse_quantity", "check_param", "unit_label", "DIMENSIONLESS"]

#: the unit string of dimensionless parameters in cards
DIMENSIONLESS = "1"


@dataclasses.dataclass(frozen=True)
class ParamSpec:
    """One declared parameter.

    Attributes:
        name: the key in cards and overrides.
        unit: the expected SI unit as Brian2 spells it (``"second"``, ``"volt"``,
            ``"farad"``, ``"siemens"``, ``"hertz"``) or ``"1"`` (dimensionless).
        lo, hi: allowed range in that unit (None: unbounded); ``lo_open`` excludes lo.
        doc: what the parameter means.
        integer: the value must be a whole number (dimensionless counts).
    """

    name: str
    unit: str
    lo: float | None = None
    hi: float | None = None
    doc: str = ""
    lo_open: bool = True
    integer: bool = False

    def brian_unit(self):
        return _units()[self.unit] if self.unit != DIMENSIONLESS else 1.0


def _units() -> dict[str, Any]:
    from brian2.core.namespace import DEFAULT_UNITS

    return DEFAULT_UNITS


_UNIT_EXPR = re.compile(r"^[A-Za-z0-9_*/ .()^\-+]*$")


def unit_label(unit: str) -> str:
    """Human name of an expected unit: ``"second" -> "a time (s)"``."""
    return {"second": "a time (s, e.g. \"5 ms\")", "volt": "a voltage (V, e.g. \"-50 mV\")",
            "farad": "a capacitance (F, e.g. \"0.5 nF\")",
            "siemens": "a conductance (S, e.g. \"25 nS\")",
            "hertz": "a rate (Hz, e.g. \"60 Hz\")", "amp": "a current (A, e.g. \"100 pA\")",
            DIMENSIONLESS: "a dimensionless number (unit \"1\")"}.get(unit, unit)


def _parse_unit(text: str, where: str, spec: ParamSpec):
    text = text.strip()
    if text in ("", DIMENSIONLESS):
        return 1.0
    if not _UNIT_EXPR.match(text):
        raise ValueRangeError(f"unit {text!r} for {spec.name} ({where})", unit_label(spec.unit),
                              "Write the unit as Brian2 spells it: ms, mV, nF, nS, Hz, pA, ...")
    try:
        return eval(text.replace("^", "**"), {"__builtins__": {}}, dict(_units()))  # noqa: S307
    except Exception:  # noqa: BLE001 - any unparsable unit is the user's to fix
        raise ValueRangeError(f"unit {text!r} for {spec.name} ({where})", unit_label(spec.unit),
                              "Write the unit as Brian2 spells it: ms, mV, nF, nS, Hz, pA, ..."
                              ) from None


def parse_quantity(value: Any, unit: str | None, spec: ParamSpec, where: str):
    """``value`` (number, ``"5 ms"`` string or Brian2 quantity) with ``unit`` -> quantity."""
    from brian2 import Quantity

    if isinstance(value, Quantity):
        return value
    if isinstance(value, str):
        m = re.match(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*\*?\s*(.*)$", value)
        if not m:
            raise ValueRangeError(f"{spec.name} = {value!r} ({where})",
                                  f"a number followed by its unit, {unit_label(spec.unit)}",
                                  f'Write e.g. {spec.name} = "{_example(spec)}".')
        number, text = float(m.group(1)), m.group(2)
        if unit is not None and text.strip():
            raise ValueRangeError(f"{spec.name} = {value!r} with a separate unit {unit!r} "
                                  f"({where})", "the unit in one place only",
                                  "Drop the unit from the value or the `unit` field.")
        return number * _parse_unit(text if text.strip() else (unit or ""), where, spec)
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueRangeError(f"{spec.name} = {value!r} ({where})",
                              f"a number with a unit, {unit_label(spec.unit)}",
                              f'Write e.g. {spec.name} = "{_example(spec)}".')
    return float(value) * _parse_unit(unit or "", where, spec)


def _example(spec: ParamSpec) -> str:
    return {"second": "5 ms", "volt": "-50 mV", "farad": "0.5 nF", "siemens": "25 nS",
            "hertz": "60 Hz", "amp": "100 pA"}.get(spec.unit, "1.0")


def check_param(spec: ParamSpec, quantity, where: str):
    """The quantity after checking its dimensions and range; returns it unchanged.

    Dimensionless parameters come back as plain floats.
    """
    from brian2 import Quantity, get_dimensions, get_unit, have_same_dimensions

    expected = spec.brian_unit()
    if not have_same_dimensions(quantity, expected):
        got = get_dimensions(quantity)
        if isinstance(quantity, Quantity) and not got.is_dimensionless:
            what = (f"{spec.name} = {quantity!r} ({where}), which has units of "
                    f"{get_unit(got)!r} ({got})")
        else:
            what = f"{spec.name} = {float(quantity)!r} without units ({where})"
        raise ValueRangeError(what, unit_label(spec.unit),
                              f"Give {spec.name} with a unit of the right kind, e.g. "
                              f"\"{_example(spec)}\" ({spec.doc})." if spec.doc else
                              f"Give {spec.name} with a unit of the right kind.")
    x = float(quantity / expected) if spec.unit != DIMENSIONLESS else float(quantity)
    ok = math.isfinite(x)
    if ok and spec.lo is not None:
        ok = x > spec.lo if spec.lo_open else x >= spec.lo
    if ok and spec.hi is not None:
        ok = x <= spec.hi
    if ok and spec.integer:
        ok = x == int(x)
    if not ok:
        lb = "(" if spec.lo_open else "["
        rng = f"{lb}{'-inf' if spec.lo is None else spec.lo}, {'inf' if spec.hi is None else spec.hi}]"
        kind = "a whole number" if spec.integer else "a number"
        raise ValueRangeError(f"{spec.name} = {quantity!r} ({where})",
                              f"{kind} in {rng} {spec.unit if spec.unit != DIMENSIONLESS else ''}"
                              .rstrip(), f"Fix {spec.name}: {spec.doc}." if spec.doc
                              else f"Fix {spec.name}.")
    return x if spec.unit == DIMENSIONLESS else quantity
