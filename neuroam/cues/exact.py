"""Exact cues (each stored pattern itself), plus helpers shared by the cue generators."""

from __future__ import annotations

import numpy as np

from ..errors import ValueRangeError
from ..patterns.pattern_set import PatternSet, as_patterns
from ..patterns.random import check_int
from .cue_set import CueSet

__all__ = ["exact"]


def exact(patterns, *, trials_per_pattern: int = 1, targets=None,
          max_patterns: int | None = None) -> CueSet:
    """Cues equal to the stored patterns, for stability (fixed-point) tests.

    Args:
        patterns: a :class:`PatternSet` (or a ``(K, D)`` array) of stored patterns.
        trials_per_pattern: trials per pattern when ``targets`` is not given, ≥ 1
            (repeats only matter for stochastic dynamics).
        targets: optional ``(T,)`` pattern indices; default
            ``np.repeat(arange(K), trials_per_pattern)``.
        max_patterns: cue only the first ``min(K, max_patterns)`` patterns (a sample of
            the stored set: capacity sweeps up to K ≫ D test a fixed number of patterns
            per K instead of all K); not with ``targets``.

    Returns:
        ``CueSet`` of kind ``"exact"``: ``states`` ``(T, D)`` = ``xi[targets]``, no clamp.
    """
    patterns = as_patterns(patterns)
    tgt = resolve_targets(patterns, trials_per_pattern, targets)
    if max_patterns is not None:
        m = check_int("max_patterns", max_patterns)
        if targets is not None:
            raise ValueRangeError(f"max_patterns={m} together with targets", "one of them",
                                  "Give explicit targets or a number of patterns to sample.")
        tgt = tgt[tgt < m]
    return CueSet(patterns.xi[tgt], tgt, None, kind="exact",
                  meta={"trials_per_pattern": trials_per_pattern if targets is None else None})


# ---------------------------------------------------------------- shared helpers


def resolve_targets(patterns: PatternSet, trials_per_pattern, targets) -> np.ndarray:
    """The ``(T,)`` int64 pattern index of every trial.

    Default (``targets=None``): pattern-major ``np.repeat(arange(K), trials_per_pattern)``.
    Explicit ``targets`` must be a non-empty 1-D sequence of integers in ``[0, K)``.
    """
    tpp = check_int("trials_per_pattern", trials_per_pattern)
    if targets is None:
        return np.repeat(np.arange(patterns.K, dtype=np.int64), tpp)
    t = np.asarray(targets)
    if t.ndim != 1 or t.size == 0 or not (np.issubdtype(t.dtype, np.integer)
                                          or (t.dtype.kind == "f" and np.all(t == np.round(t)))):
        raise ValueRangeError(f"targets={_short(t)}", "a non-empty 1-D list of pattern indices",
                              "Pass integer indices of the patterns to cue, e.g. [0, 0, 3].")
    t = t.astype(np.int64)
    if t.min() < 0 or t.max() >= patterns.K:
        raise ValueRangeError(f"targets in [{t.min()}, {t.max()}]",
                              f"indices 0 ≤ target < K={patterns.K}",
                              "Targets index the stored patterns.")
    return t


def _short(a: np.ndarray) -> str:
    flat = a.reshape(-1)
    return repr(flat[:5].tolist())[:-1] + (", ...]" if flat.size > 5 else "]")
