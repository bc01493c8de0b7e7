"""Physical units of card values and parameter overrides: one pint registry, SI out.

Every number a card or an override gives comes with a unit string (``"uS"``, ``"ms"``,
``"1/s"``, ``"FLOP/s"``, ``"1"`` for dimensionless). :func:`to_si` parses it with pint,
checks its dimension against the SI unit the physics expects and returns the SI
magnitude as a float.

The registry is neuroam's own short definitions table (SI base and derived units, the
SI prefixes, ``FLOP`` as a unit of computation, a few conveniences): it loads in a few
milliseconds, where pint's full default registry takes about a second.

Exactness: pint's conversion factors are products of floats, so ``100 uS`` comes out as
``9.999999999999999e-05 S`` where the SI card writes ``100e-6`` (``1e-04``), and one ulp
is enough to change a simulation's bits. A factor that is a power of ten (every SI
prefix) is therefore applied in decimal instead: the number's shortest decimal form
(``repr``, the digits the card wrote) has its decimal point shifted and is rounded to a
float once. ``4.782321 uS`` becomes exactly the float of the literal ``4.782321e-6``, so a
card in µS, mV, ns, ... gives bit for bit the SI values of the same card written in SI,
for every number of up to 15 significant digits. Other factors (minutes, degrees)
multiply as pint gives them.
"""

from __future__ import annotations

import functools
import math
import threading
from decimal import Decimal
from typing import Any

__all__ = ["registry", "to_si", "unit_factor", "dimension_label", "label", "example",
           "is_number", "UnitProblem", "DIMENSIONLESS"]

#: the unit string of dimensionless parameters
DIMENSIONLESS = "1"

_DEFINITIONS = """
pi = 3.1415926535897932384626433832795028841971693993751 = π
yocto- = 1e-24 = y-
zepto- = 1e-21 = z-
atto- = 1e-18 = a-
femto- = 1e-15 = f-
pico- = 1e-12 = p-
nano- = 1e-9 = n-
micro- = 1e-6 = µ- = μ- = u-
milli- = 1e-3 = m-
centi- = 1e-2 = c-
deci- = 1e-1 = d-
kilo- = 1e3 = k-
mega- = 1e6 = M-
giga- = 1e9 = G-
tera- = 1e12 = T-
peta- = 1e15 = P-
exa- = 1e18 = E-
second = [time] = s = sec
meter = [length] = m = metre
gram = [mass] = g
ampere = [current] = A = amp
kelvin = [temperature] = K
FLOP = [computation] = flop
radian = [] = rad
degree = pi / 180 * radian = deg
percent = 0.01 = %
minute = 60 * second = min
hour = 60 * minute = h
hertz = 1 / second = Hz
newton = kilogram * meter / second ** 2 = N
joule = newton * meter = J
watt = joule / second = W
coulomb = ampere * second = C
volt = joule / coulomb = V
ohm = volt / ampere = Ω
siemens = ampere / volt = S = mho
farad = coulomb / volt = F
weber = volt * second = Wb
henry = weber / ampere = H
"""

#: what a quantity of each expected SI unit is, for messages
_LABELS = {
    "s": ("a time", "5 ms"), "V": ("a voltage", "-50 mV"), "F": ("a capacitance", "0.5 nF"),
    "S": ("a conductance", "25 uS"), "Hz": ("a frequency", "60 Hz"),
    "1/s": ("a rate", "1e8 1/s"), "A": ("a current", "100 pA"), "J": ("an energy", "3.3 pJ"),
    "W": ("a power", "21 uW"), "ohm": ("a resistance", "0.5 ohm"),
    "FLOP/s": ("a computation rate", "67 TFLOP/s"), "rad": ("an angle", "0.1 rad"),
    DIMENSIONLESS: ("a dimensionless number", "1"),
}


#: pint's registry keeps caches of its own: one thread at a time builds and asks it
#: (runs of thread-safe implementations read their cards in parallel threads)
_LOCK = threading.RLock()


@functools.cache
def _registry():
    import pint

    ureg = pint.UnitRegistry(None, cache_folder=None)
    for line in _DEFINITIONS.strip().splitlines():
        ureg.define(line)
    return ureg


def registry():
    """The pint ``UnitRegistry`` of card units (built once, on first use)."""
    with _LOCK:
        return _registry()


class UnitProblem(ValueError):
    """A unit string that does not parse, or has the wrong dimension (``str``: why)."""


@functools.lru_cache(maxsize=512)
def unit_factor(unit: str, si_unit: str) -> float:
    """The factor from ``unit`` to ``si_unit`` (1 ``unit`` = factor ``si_unit``).

    Raises:
        UnitProblem: ``unit`` is not a unit, or not of the dimension of ``si_unit``.
    """
    text = unit.strip()
    if not text:
        raise UnitProblem('an empty unit (write "1" for a dimensionless number)')
    with _LOCK:
        return _factor(text, si_unit)


def _factor(text: str, si_unit: str) -> float:
    ureg = registry()
    try:
        got = ureg.parse_units(text)
    except Exception:  # noqa: BLE001 - pint raises several kinds for an unknown unit
        raise UnitProblem(f"the unknown unit {text!r}") from None
    want = ureg.parse_units(si_unit)
    if got.dimensionality != want.dimensionality:
        raise UnitProblem(f"units of {dimension_label(text)}")
    return float(ureg.Quantity(1.0, got).to(want).magnitude)


def dimension_label(unit: str) -> str:
    """``"us" -> "a time ([time])"``: what a unit measures, in words where neuroam knows
    the dimension."""
    with _LOCK:
        ureg = registry()
        try:
            dim = ureg.parse_units(unit).dimensionality
        except Exception:  # noqa: BLE001
            return repr(unit)
        for si, (what, _) in _LABELS.items():
            if ureg.parse_units(si).dimensionality == dim:
                return f"{what} ({'dimensionless' if not dim else dim})"
        return str(dim)


def label(si_unit: str) -> str:
    """``"S" -> 'a conductance (S, e.g. "25 uS")'``."""
    what, example = _LABELS.get(si_unit, (f"a quantity in {si_unit}", f"1 {si_unit}"))
    if si_unit == DIMENSIONLESS:
        return 'a dimensionless number (unit "1")'
    return f'{what} ({si_unit}, e.g. "{example}")'


def example(si_unit: str) -> str:
    return _LABELS.get(si_unit, ("", f"1 {si_unit}"))[1]


def to_si(value: float, unit: str, si_unit: str) -> float:
    """``value`` given in ``unit``, as a float in ``si_unit`` (see the module docstring
    for how powers of ten are applied exactly).

    Raises:
        UnitProblem: unknown unit or wrong dimension.
    """
    f = unit_factor(unit, si_unit)
    x = float(value)
    if f == 1.0:
        return x
    if f > 0 and math.isfinite(x):
        k = round(math.log10(f))
        if abs(f / 10.0 ** k - 1.0) < 1e-12:  # an SI prefix (or a product of them)
            return float(Decimal(repr(x)).scaleb(k))
    return x * f


def is_number(value: Any) -> bool:
    """A real number that is not a bool (TOML ``true`` is not a number here)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)
