"""Outcome of each trial: target, other stored pattern, spurious, not converged, non-finite."""

from __future__ import annotations

import numpy as np

from ..results import Outcome, Status

__all__ = ["final_overlaps", "outcomes", "DEFAULT_THRESHOLD"]

#: Overlap (binary) or cosine (real) at or above which a final state counts as a pattern.
DEFAULT_THRESHOLD = 0.95


def final_overlaps(result, patterns) -> np.ndarray:
    """``(T, K)`` overlaps of the final states with every pattern.

    Binary patterns: m_μ = (1/D) Σ_i ξ_i^μ sign(g_i) — the state is read out as ±1,
    as a hardware comparator would. Real patterns: cosine similarity of g with ξ^μ.
    """
    xi = np.asarray(patterns.xi, dtype=np.float64)
    g = np.asarray(result.final, dtype=np.float64)
    if patterns.is_binary:
        s = np.where(g >= 0, 1.0, -1.0)
        return s @ xi.T / xi.shape[1]
    gn = np.linalg.norm(g, axis=1, keepdims=True)
    xn = np.linalg.norm(xi, axis=1)
    return (g @ xi.T) / np.maximum(gn * xn[None, :], 1e-300)


def outcomes(result, patterns, *, threshold: float | None = None) -> np.ndarray:
    """``(T,)`` int8 :class:`~neuroam.results.Outcome` codes.

    A converged trial is TARGET when its overlap with the cued pattern is ≥ threshold,
    OTHER when it matches another stored pattern or the negation of any pattern
    (mirror states of even energies) with |m| ≥ threshold, else SPURIOUS.
    """
    thr = DEFAULT_THRESHOLD if threshold is None else float(threshold)
    m = final_overlaps(result, patterns)
    T = m.shape[0]
    tgt = np.asarray(result.targets)
    has_tgt = tgt >= 0
    m_tgt = np.where(has_tgt, m[np.arange(T), np.where(has_tgt, tgt, 0)], -np.inf)
    out = np.full(T, Outcome.SPURIOUS, dtype=np.int8)
    out[np.max(np.abs(m), axis=1) >= thr] = Outcome.OTHER
    out[m_tgt >= thr] = Outcome.TARGET
    status = np.asarray(result.status)
    out[status == Status.MAX_STEPS] = Outcome.NOT_CONVERGED
    non_finite = (status == Status.NON_FINITE) | ~np.all(np.isfinite(result.final), axis=1)
    out[non_finite] = Outcome.NON_FINITE
    return out
