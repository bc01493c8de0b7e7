"""Correlated binary patterns with a guaranteed minimum pairwise Hamming distance."""

from __future__ import annotations

import numpy as np

from ..errors import ValueRangeError
from .pattern_set import PatternSet
from .random import check_int, check_real, make_rng

__all__ = ["correlated_binary"]

_BATCH = 64  # candidates drawn at once while placing one pattern


def correlated_binary(K: int, D: int, *, correlation: float, min_hamming: int = 0,
                      seed: int = 0, max_tries: int = 1000) -> PatternSet:
    """``K`` binary ±1 patterns whose pairwise overlaps average ``correlation``.

    Generative model (also recorded in ``meta["model"]``): draw one prototype
    ``p ∈ {±1}^D`` with i.i.d. unbiased entries; every pattern is
    ``ξ^μ_i = p_i · s^μ_i`` with i.i.d. ``s^μ_i = +1`` with probability
    ``(1 + √c)/2`` and ``-1`` otherwise (``c = correlation``). Hence
    ``E[ξ^μ_i ξ^ν_i] = c`` for μ ≠ ν, i.e. the expected pairwise overlap
    ``m^{μν} = ξ^μ·ξ^ν / D`` is ``c``, with standard deviation about
    ``√((1 - c²)/D)``; the expected pairwise Hamming distance is ``D(1 - c)/2``.

    Minimum distance: patterns are placed one at a time; a candidate closer than
    ``min_hamming`` (in Hamming distance, number of differing entries) to any
    already accepted pattern is rejected and redrawn from the same model. Rejection
    biases the overlaps slightly downwards when ``min_hamming`` is near the typical
    distance; the measured values are stored in ``meta``.

    Args:
        K: number of patterns, ≥ 1.
        D: neurons per pattern, ≥ 1.
        correlation: target mean pairwise overlap ``c``, 0 ≤ c ≤ 1.
        min_hamming: minimum pairwise Hamming distance, 0 ≤ min_hamming ≤ D.
        seed: non-negative integer seed.
        max_tries: candidate draws allowed per pattern before giving up, ≥ 1.

    Returns:
        ``PatternSet`` of kind ``"binary"``, ``xi`` of shape ``(K, D)``; ``meta`` holds
        the parameters plus ``mean_overlap`` (measured mean over pairs μ < ν),
        ``min_hamming_measured`` (measured minimum pairwise distance, ``D`` if K = 1)
        and ``rejected`` (number of rejected candidates).

    Raises:
        ValueRangeError: bad parameters, or ``min_hamming`` not reached within
            ``max_tries`` draws for some pattern (the message gives the typical and the
            best distance achieved).
    """
    K, D = check_int("K", K), check_int("D", D)
    c = check_real("correlation", correlation, low=0.0, high=1.0,
                   fix="Give the mean pairwise overlap as a number between 0 and 1.")
    min_hamming = check_int("min_hamming", min_hamming, low=0)
    max_tries = check_int("max_tries", max_tries)
    if min_hamming > D:
        raise ValueRangeError(f"min_hamming={min_hamming} for D={D}", "0 ≤ min_hamming ≤ D",
                              "Two patterns of D entries differ in at most D places.")
    rng = make_rng(seed)
    keep = (1.0 + np.sqrt(c)) / 2.0
    proto = np.where(rng.random(D) < 0.5, 1, -1).astype(np.int8)
    xi = np.empty((K, D), dtype=np.int8)
    rejected = 0
    for k in range(K):
        tries, best = 0, -1
        while True:
            n = min(_BATCH, max_tries - tries)
            cand = proto * np.where(rng.random((n, D)) < keep, 1, -1).astype(np.int8)
            if k == 0 or min_hamming == 0:
                idx = 0
            else:  # Hamming distance = (D - ξ·ξ') / 2
                dots = cand.astype(np.int32) @ xi[:k].T.astype(np.int32)
                dmin = (D - dots.max(axis=1)) // 2
                best = max(best, int(dmin.max()))
                ok = np.flatnonzero(dmin >= min_hamming)
                idx = int(ok[0]) if ok.size else -1
            if idx >= 0:
                rejected += tries + idx
                xi[k] = cand[idx]
                break
            tries += n
            if tries >= max_tries:
                typical = D * (1.0 - c) / 2.0
                raise ValueRangeError(
                    f"min_hamming={min_hamming} for K={K}, D={D}, correlation={c:g}: "
                    f"pattern {k} could not be placed in {max_tries} draws "
                    f"(best minimum distance reached: {best})",
                    f"min_hamming at most about the typical pairwise distance "
                    f"D(1 - correlation)/2 = {typical:.1f}, minus a few standard deviations",
                    f"Try min_hamming ≤ {max(best, 0)} (the best reached here), a lower "
                    "correlation, fewer patterns, more neurons, or a larger max_tries.")
    mean_overlap, dmin_measured = _pair_stats(xi)
    return PatternSet(
        xi.astype(np.float32), kind="binary", name="correlated_binary",
        meta={"generator": "correlated_binary", "K": K, "D": D, "seed": seed,
              "correlation": c, "min_hamming": min_hamming, "max_tries": max_tries,
              "model": "xi[mu,i] = p[i] * s[mu,i]; p i.i.d. ±1 unbiased; s i.i.d. with "
                       "P(s=+1) = (1 + sqrt(correlation))/2; candidates closer than "
                       "min_hamming to an accepted pattern are redrawn",
              "mean_overlap": mean_overlap, "min_hamming_measured": dmin_measured,
              "rejected": rejected})


def _pair_stats(xi: np.ndarray) -> tuple[float, int]:
    """Mean pairwise overlap ``ξ^μ·ξ^ν/D`` over μ < ν and the minimum Hamming distance."""
    K, D = xi.shape
    if K < 2:
        return float("nan"), D
    x = xi.astype(np.float64)
    dots = x @ x.T
    iu = np.triu_indices(K, k=1)
    return float(dots[iu].mean() / D), int((D - dots[iu].max()) // 2)
