"""Validation helpers shared by the Lagrangians and models."""

from __future__ import annotations

import math

import jax.numpy as jnp

from ...errors import ModelError


def positive(name: str, value, where: str) -> float:
    """Return ``value`` as a float after checking it is finite and > 0."""
    v = float(value)
    if not math.isfinite(v) or v <= 0:
        raise ModelError(f"{name}={value!r} for {where}", f"{name} > 0 (a finite positive number)",
                         f"Pass a positive {name}, e.g. {name}=1.0.")
    return v


def positive_array(name: str, value, where: str) -> jnp.ndarray:
    """As :func:`positive`, as a float32 array leaf (changing it never retraces)."""
    return jnp.asarray(positive(name, value, where), dtype=jnp.float32)


def order(n, where: str, minimum: int = 2) -> int:
    if isinstance(n, bool) or int(n) != n or int(n) < minimum:
        raise ModelError(f"n={n!r} for {where}", f"an integer n ≥ {minimum}",
                         f"Pass n={minimum} (classical Hopfield) or larger for a DenseAM.")
    return int(n)
