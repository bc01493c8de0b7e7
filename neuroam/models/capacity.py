"""Published capacity laws of the model families (reference/capacity.md), for comparison with
measurements (:mod:`neuroam.capacity` measures; these are the formulas)."""

from __future__ import annotations

import math

from ..errors import ValueRangeError

__all__ = ["double_factorial", "hopfield_critical_load", "error_free_capacity",
           "one_percent_capacity", "exponential_capacity"]

#: Amit, Gutfreund & Sompolinsky (1985): retrieval overlap jumps from ≈0.97 to ≈0.
HOPFIELD_ALPHA_C = 0.138


def double_factorial(k: int) -> int:
    return 1 if k <= 0 else k * double_factorial(k - 2)


def hopfield_critical_load(D: int) -> float:
    """K at which classical Hopfield retrieval collapses, ≈ 0.138 D."""
    return HOPFIELD_ALPHA_C * D


def error_free_capacity(D: int, n: int = 2) -> float:
    """K ≈ D^{n−1} / (2 (2n−3)!! ln D): a typical pattern is an exact fixed point.

    n = 2: McEliece et al. (1987); n ≥ 2: Krotov & Hopfield (2016).
    """
    if n < 2 or D < 2:
        raise ValueRangeError(f"n={n}, D={D}", "n ≥ 2 and D ≥ 2", "Use a DenseAM order n ≥ 2.")
    return D ** (n - 1) / (2 * double_factorial(2 * n - 3) * math.log(D))


def one_percent_capacity(D: int, n: int = 2, alpha: float = 2.576) -> float:
    """K < D^{n−1} / (α² (2n−3)!!): bit-error probability below 1% (tutorial eq. 2.17)."""
    return D ** (n - 1) / (alpha**2 * double_factorial(2 * n - 3))


def exponential_capacity(D: int) -> float:
    """K ≈ 2^{D/2} for F(z) = exp(z) (Demircigil et al. 2017)."""
    return 2.0 ** (D / 2)
