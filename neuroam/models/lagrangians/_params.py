"""Validation helpers shared by the Lagrangians and models."""

from __future__ import annotations

import math
import numbers

import jax.numpy as jnp
import numpy as np

from ...arrays import device_array
from ...errors import ModelError


def _is_real(value) -> bool:
    """A real number (Python, NumPy or a 0-d array), not a string or a bool."""
    if isinstance(value, (bool, np.bool_, str, bytes)) or value is None:
        return False
    if isinstance(value, numbers.Real):
        return True
    return getattr(value, "shape", None) == () and np.issubdtype(np.asarray(value).dtype, np.number)


def positive(name: str, value, where: str) -> float:
    """Return ``value`` as a float after checking it is a finite number > 0 (a string such
    as ``"0.1"`` or a bool is refused: a scenario value must have the type it means)."""
    v = float(value) if _is_real(value) else math.nan
    if not math.isfinite(v) or v <= 0:
        raise ModelError(f"{name}={value!r} for {where}", f"{name} > 0 (a finite positive number)",
                         f"Pass a positive {name}, e.g. {name}=1.0.")
    return v


def positive_array(name: str, value, where: str) -> jnp.ndarray:
    """As :func:`positive`, as a float32 array leaf (changing it never retraces)."""
    return device_array(positive(name, value, where), np.float32)


def flag(name: str, value, where: str) -> bool:
    """``value`` after checking it is a bool (``rectified = 2`` is not a yes/no)."""
    if not isinstance(value, (bool, np.bool_)):
        raise ModelError(f"{name}={value!r} for {where}", f"{name} = true or false",
                         f"Write {name} = true or {name} = false (TOML booleans, no quotes).")
    return bool(value)


def order(n, where: str, minimum: int = 2) -> int:
    if not _is_real(n) or not math.isfinite(float(n)) or int(n) != n or int(n) < minimum:
        raise ModelError(f"n={n!r} for {where}", f"an integer n ≥ {minimum}",
                         f"Pass n={minimum} (classical Hopfield) or larger for a DenseAM.")
    return int(n)
