"""Random pattern generators: i.i.d. ±1, Gaussian and uniform-on-the-sphere patterns.

Every generator is deterministic given ``seed`` (``np.random.default_rng(seed)``) and
returns a :class:`~neuroam.patterns.PatternSet` of shape ``(K, D)``: ``K`` patterns of
``D`` neurons each (dimensionless activations). The small validation helpers at the
bottom are shared by the other pattern and cue generators.
"""

from __future__ import annotations

import numbers

import numpy as np

from ..errors import ValueRangeError
from .pattern_set import PatternSet

__all__ = ["random_binary", "gaussian", "sphere"]


def random_binary(K: int, D: int, *, seed: int = 0, bias: float = 0.0) -> PatternSet:
    """``K`` i.i.d. binary patterns of ``D`` neurons with entries ±1.

    Each entry is +1 with probability ``(1 + bias)/2`` and -1 otherwise, so the mean
    activity of a pattern is ``bias`` (``bias=0``: unbiased, uncorrelated patterns).

    Args:
        K: number of patterns, ≥ 1.
        D: neurons per pattern, ≥ 1.
        seed: non-negative integer seed of ``np.random.default_rng``.
        bias: mean activity, strictly between -1 and 1.

    Returns:
        ``PatternSet`` of kind ``"binary"``, ``xi`` of shape ``(K, D)``.
    """
    K, D = check_int("K", K), check_int("D", D)
    bias = check_real("bias", bias, low=-1.0, high=1.0, low_open=True, high_open=True,
                      fix="Pick a mean activity strictly between -1 and 1 (0 = unbiased).")
    rng = make_rng(seed)
    xi = np.where(rng.random((K, D)) < (1.0 + bias) / 2.0, 1.0, -1.0)
    return PatternSet(xi, kind="binary", name="random_binary",
                      meta={"generator": "random_binary", "K": K, "D": D, "seed": seed,
                            "bias": bias})


def gaussian(K: int, D: int, *, seed: int = 0, scale: float = 1.0) -> PatternSet:
    """``K`` real patterns with i.i.d. entries drawn from ``N(0, scale²)``.

    Args:
        K: number of patterns, ≥ 1.
        D: neurons per pattern, ≥ 1.
        seed: non-negative integer seed.
        scale: standard deviation of every entry, > 0 (same unit as the activations).

    Returns:
        ``PatternSet`` of kind ``"real"``, ``xi`` of shape ``(K, D)``.
    """
    K, D = check_int("K", K), check_int("D", D)
    scale = check_real("scale", scale, low=0.0, low_open=True,
                       fix="Give a positive standard deviation.")
    xi = scale * make_rng(seed).standard_normal((K, D))
    return PatternSet(xi, kind="real", name="gaussian",
                      meta={"generator": "gaussian", "K": K, "D": D, "seed": seed,
                            "scale": scale})


def sphere(K: int, D: int, *, seed: int = 0, radius: float = 1.0) -> PatternSet:
    """``K`` real patterns drawn uniformly on the sphere ``{x ∈ R^D : |x| = radius}``.

    Drawn as normalised standard Gaussian vectors (rotation invariant, hence uniform).

    Args:
        K: number of patterns, ≥ 1.
        D: neurons per pattern, ≥ 1.
        seed: non-negative integer seed.
        radius: Euclidean norm of every pattern, > 0.

    Returns:
        ``PatternSet`` of kind ``"real"``, ``xi`` of shape ``(K, D)`` with unit rows
        times ``radius``.
    """
    K, D = check_int("K", K), check_int("D", D)
    radius = check_real("radius", radius, low=0.0, low_open=True,
                        fix="Give a positive sphere radius.")
    g = make_rng(seed).standard_normal((K, D))
    norms = np.linalg.norm(g, axis=1, keepdims=True)
    g = np.where(norms > 0, g, 1.0)  # a zero draw has probability 0; keep it finite anyway
    xi = radius * g / np.linalg.norm(g, axis=1, keepdims=True)
    return PatternSet(xi, kind="real", name="sphere",
                      meta={"generator": "sphere", "K": K, "D": D, "seed": seed,
                            "radius": radius})


# ---------------------------------------------------------------- shared validation


def make_rng(seed) -> np.random.Generator:
    """``np.random.default_rng(seed)`` for a non-negative integer ``seed`` (reproducible)."""
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueRangeError(f"seed={seed!r}", "a non-negative integer",
                              "Pass an integer seed such as `seed=0` so runs are reproducible.")
    return np.random.default_rng(int(seed))


def check_int(name: str, value, *, low: int = 1) -> int:
    """``value`` as an int, raising :class:`ValueRangeError` unless it is an integer ≥ ``low``."""
    ok = isinstance(value, numbers.Integral) and not isinstance(value, bool)
    if not ok or value < low:
        raise ValueRangeError(f"{name}={value!r}", f"an integer ≥ {low}",
                              f"Pass a whole number {name} ≥ {low}.")
    return int(value)


def check_real(name: str, value, *, low: float | None = None, high: float | None = None,
               low_open: bool = False, high_open: bool = False, fix: str = "") -> float:
    """``value`` as a float, raising :class:`ValueRangeError` unless finite and in range."""
    lo = "" if low is None else f"{low:g} {'<' if low_open else '≤'} "
    hi = "" if high is None else f" {'<' if high_open else '≤'} {high:g}"
    expected = f"a finite number {lo}{name}{hi}" if (lo or hi) else "a finite number"
    if isinstance(value, (str, bytes, bool, np.bool_)):  # "0.1" is text, not a rate
        raise ValueRangeError(f"{name}={value!r}", expected,
                              (fix + " " if fix else "") + "Write the number without quotes.")
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueRangeError(f"{name}={value!r}", expected, fix) from None
    bad = (not np.isfinite(v)
           or (low is not None and (v <= low if low_open else v < low))
           or (high is not None and (v >= high if high_open else v > high)))
    if bad:
        raise ValueRangeError(f"{name}={value!r}", expected, fix)
    return v
