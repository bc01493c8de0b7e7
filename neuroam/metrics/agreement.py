"""Agreement between two implementations' final states on the same cues.

Two trials agree when their final visible states, read out as ±1 (``g ≥ 0 → +1``, the
comparator of :func:`~neuroam.metrics.final_overlaps`), differ on at most a fraction
``tol`` of the neurons (``tol = 0``: identical on every neuron). The spiking mirror is
judged this way against the ideal ODE (issue 5: ≥ 95 % of trials).
"""

from __future__ import annotations

import numpy as np

from ..errors import ShapeError, ValueRangeError

__all__ = ["agreement", "agreement_fraction", "bit_differences", "exact_fraction",
           "same_pattern_fraction"]


def _final(x) -> np.ndarray:
    arr = np.asarray(getattr(x, "final", x), dtype=np.float64)
    if arr.ndim != 2:
        raise ShapeError(f"final states of shape {arr.shape}", "shape (trial, neuron)",
                         "Pass two RecallResults or two (trial, neuron) arrays.")
    return np.where(arr >= 0, 1, -1)


def bit_differences(a, b) -> np.ndarray:
    """``(T,)`` fraction of neurons whose ±1 final states differ between ``a`` and ``b``.

    ``a`` and ``b`` are RecallResults (their ``final``) or ``(T, D)`` arrays of the same
    shape; NaN entries count as differing.
    """
    fa, fb = _final(a), _final(b)
    if fa.shape != fb.shape:
        raise ShapeError(f"final states of shapes {fa.shape} and {fb.shape}",
                         "the same (trial, neuron) shape",
                         "Compare runs made from the same patterns and cues.")
    nan = ~np.isfinite(np.asarray(getattr(a, "final", a), dtype=np.float64)) | \
        ~np.isfinite(np.asarray(getattr(b, "final", b), dtype=np.float64))
    return np.mean((fa != fb) | nan, axis=1)


def agreement(a, b, *, tol: float = 0.0) -> np.ndarray:
    """``(T,)`` bool: the two final states differ on at most ``tol`` of the neurons."""
    if not (0.0 <= float(tol) <= 1.0):
        raise ValueRangeError(f"tol={tol!r}", "a fraction in [0, 1]",
                              "Give the largest fraction of differing neurons that still agrees.")
    return bit_differences(a, b) <= float(tol) + 1e-12


def agreement_fraction(a, b, *, tol: float = 0.0) -> float:
    """Fraction of trials whose final states agree (see :func:`agreement`)."""
    ok = agreement(a, b, tol=tol)
    return float(np.mean(ok)) if ok.size else float("nan")


def exact_fraction(a, xi, targets) -> float:
    """Fraction of the trials with a target (``targets`` ≥ 0) whose ±1 final state of ``a``
    is exactly their target pattern of ``xi`` ``(K, D)`` (NaN when none has a target)."""
    fa = _final(a)
    tgt = np.asarray(targets).reshape(-1)
    ok = tgt >= 0
    if not np.any(ok):
        return float("nan")
    xi = np.asarray(getattr(xi, "xi", xi), dtype=np.float64)
    return float(np.mean(np.all(fa[ok] == np.where(xi[tgt[ok]] >= 0, 1, -1), axis=1)))


def same_pattern_fraction(a, b, xi) -> float:
    """Fraction of trials whose ±1 final states lie nearest (largest |overlap|) to the
    same stored pattern of ``xi`` ``(K, D)``: the two recalls retrieved the same memory
    (or its negation), even where single neurons differ."""
    fa, fb = _final(a), _final(b)
    if fa.shape != fb.shape:
        raise ShapeError(f"final states of shapes {fa.shape} and {fb.shape}",
                         "the same (trial, neuron) shape",
                         "Compare runs made from the same patterns and cues.")
    xi = np.asarray(getattr(xi, "xi", xi), dtype=np.float64)
    if xi.ndim != 2 or xi.shape[1] != fa.shape[1]:
        raise ShapeError(f"patterns of shape {xi.shape}", f"shape (K, {fa.shape[1]})",
                         "Pass the patterns both runs recalled.")
    if not fa.size:
        return float("nan")
    pa = np.argmax(np.abs(fa @ xi.T), axis=1)
    pb = np.argmax(np.abs(fb @ xi.T), axis=1)
    return float(np.mean(pa == pb))
