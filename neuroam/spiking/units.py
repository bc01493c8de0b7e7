"""Parameters with physical units: the card schemas' rows, handed to Brian2.

Every number of a spiking network is declared once, as a row of a card schema
(:data:`neuroam.cards.tables.NEURON_PARAMS`, ``NETWORK_PARAMS``, ``DENSE_PARAMS``: name,
SI unit, allowed range, meaning). Card values arrive already converted to SI and checked
(the card was read through its schema); overrides (``"5 ms"``, ``"0.5*nF"``, a Brian2
quantity) are parsed by the same units mechanism (pint, :mod:`neuroam.cards.units`) and
checked by the same rows. Both leave as Brian2 quantities (dimensionless parameters as
plain numbers). A value without a unit where one is needed, a unit of the wrong dimension
or a value out of range raises a :class:`~neuroam.errors.ValueRangeError` that names the
parameter, where it came from, what was expected and how to fix it.
"""

from __future__ import annotations

from typing import Any

from ..cards.schema import ParamSpec
from ..cards.units import DIMENSIONLESS
from ..errors import ValueRangeError

__all__ = ["ParamSpec", "parse_override", "to_brian", "DIMENSIONLESS"]

#: SI unit of a schema row -> the name of the Brian2 unit of the same quantity
_BRIAN = {"s": "second", "V": "volt", "F": "farad", "S": "siemens", "Hz": "hertz",
          "A": "amp"}


def _brian_unit(unit: str):
    from brian2.core.namespace import DEFAULT_UNITS

    return DEFAULT_UNITS[_BRIAN[unit]]


def to_brian(spec: ParamSpec, x: float | int):
    """The SI value ``x`` of ``spec`` as a Brian2 quantity (dimensionless: the number)."""
    return x if spec.unit == DIMENSIONLESS else x * _brian_unit(spec.unit)


def parse_override(spec: ParamSpec, value: Any, where: str):
    """An override (``"5 ms"``, a number for dimensionless parameters, or a Brian2
    quantity) -> the checked Brian2 quantity.

    Raises:
        ValueRangeError: no unit where one is needed, wrong dimension, out of range.
    """
    from brian2 import Quantity, get_dimensions, have_same_dimensions

    if isinstance(value, Quantity):  # from Python: Brian2 has checked its own arithmetic
        if spec.unit != DIMENSIONLESS and have_same_dimensions(value, _brian_unit(spec.unit)):
            value = f"{float(value / _brian_unit(spec.unit))!r} {spec.unit}"
        elif get_dimensions(value).is_dimensionless:
            value = float(value)
        else:
            raise ValueRangeError(f"{spec.name} = {value!r} ({where}), which has units of "
                                  f"{get_dimensions(value)}", spec.allowed(),
                                  f"Give {spec.name} in {spec.unit}-compatible units.")
    return to_brian(spec, spec.convert(value, None, where, error=ValueRangeError))
