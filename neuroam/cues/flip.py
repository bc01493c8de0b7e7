"""Flip cues: stored binary patterns with a fraction of their entries sign-flipped."""

from __future__ import annotations

import numpy as np

from ..errors import UnsupportedError
from ..patterns.random import check_real, make_rng
from .cue_set import CueSet
from .exact import as_patterns, resolve_targets

__all__ = ["flip"]


def flip(patterns, rate: float, *, trials_per_pattern: int = 1, targets=None, seed: int = 0,
         exact: bool = True) -> CueSet:
    """Corrupt binary patterns by flipping the sign of a fraction ``rate`` of entries.

    Args:
        patterns: binary :class:`PatternSet` (entries ±1) of shape ``(K, D)``.
        rate: fraction of entries flipped, 0 ≤ rate ≤ 1 (dimensionless).
        trials_per_pattern: cues per pattern when ``targets`` is None, ≥ 1.
        targets: optional ``(T,)`` indices of the patterns to corrupt; default
            ``np.repeat(arange(K), trials_per_pattern)`` (pattern-major).
        seed: non-negative integer seed of ``np.random.default_rng``.
        exact: True: every cue has exactly ``n = floor(rate·D + 0.5)`` distinct flipped
            entries (round half up); False: each entry flips independently with
            probability ``rate``.

    Returns:
        ``CueSet`` of kind ``"flip"``: ``states`` ``(T, D)`` ±1, ``targets`` ``(T,)``, no
        clamp; ``meta`` holds rate, seed, exact and ``n_flipped`` (flips per cue when
        ``exact``, else the mean over cues).

    Raises:
        UnsupportedError: real-valued patterns (use :func:`neuroam.cues.noise`).
        ValueRangeError: ``rate`` outside [0, 1], bad targets or seed.
    """
    patterns = as_patterns(patterns)
    if not patterns.is_binary:
        raise UnsupportedError(f"real-valued patterns {patterns.name!r} for flip cues",
                               "binary ±1 patterns",
                               "Use `noise(patterns, sigma)` to corrupt real-valued patterns.")
    rate = check_real("rate", rate, low=0.0, high=1.0,
                      fix="Give the fraction of flipped entries as a number in [0, 1].")
    tgt = resolve_targets(patterns, trials_per_pattern, targets)
    rng = make_rng(seed)
    T, D = tgt.size, patterns.D
    if exact:
        n = int(np.floor(rate * D + 0.5))
        keys = rng.random((T, D))
        mask = np.zeros((T, D), dtype=bool)
        if n:
            idx = np.argpartition(keys, n - 1, axis=1)[:, :n]  # n smallest keys: a random n-subset
            np.put_along_axis(mask, idx, True, axis=1)
    else:
        mask = rng.random((T, D)) < rate
    states = np.where(mask, -patterns.xi[tgt], patterns.xi[tgt])
    return CueSet(states, tgt, None, kind="flip",
                  meta={"rate": rate, "seed": seed, "exact": bool(exact),
                        "trials_per_pattern": trials_per_pattern if targets is None else None,
                        "n_flipped": n if exact else float(mask.sum(axis=1).mean())})
