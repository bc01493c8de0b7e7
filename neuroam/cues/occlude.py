"""Occlusion cues: part of each pattern is unknown; the rest is known and clamped."""

from __future__ import annotations

import numpy as np

from ..errors import UnsupportedError, ValueRangeError
from ..patterns.random import check_real, make_rng
from .cue_set import CueSet
from .exact import as_patterns, resolve_targets

__all__ = ["occlude"]

_REGIONS = ("random", "block")


def occlude(patterns, fraction: float, *, fill: float | str = 0.0, trials_per_pattern: int = 1,
            targets=None, seed: int = 0, region: str = "random") -> CueSet:
    """Hide ``n = floor(fraction·D + 0.5)`` entries of each target pattern.

    Args:
        patterns: :class:`PatternSet` of shape ``(K, D)``.
        fraction: fraction of entries occluded, 0 ≤ fraction < 1 (dimensionless).
        fill: value given to occluded entries: a finite number (default 0 = "unknown",
            midway between ±1) or ``"random"`` (binary patterns only: random ±1).
        trials_per_pattern: cues per pattern when ``targets`` is None, ≥ 1.
        targets: optional ``(T,)`` indices; default ``np.repeat(arange(K), trials_per_pattern)``.
        seed: non-negative integer seed.
        region: ``"random"``: a random set of n entries per cue; ``"block"``: n
            consecutive entries (row-major, i.e. a band of rows for images) at a random
            offset per cue.

    Returns:
        ``CueSet`` of kind ``"occlude"``: ``states`` ``(T, D)`` and ``clamp`` ``(T, D)``
        True on the known (unoccluded) entries, which keep the target's values.

    Raises:
        ValueRangeError: fraction outside [0, 1), non-finite fill, unknown region.
        UnsupportedError: ``fill="random"`` for real-valued patterns.
    """
    patterns = as_patterns(patterns)
    fraction = check_real("fraction", fraction, low=0.0, high=1.0, high_open=True,
                          fix="Give the occluded fraction as a number in [0, 1); "
                              "at least one entry must stay known.")
    if region not in _REGIONS:
        raise ValueRangeError(f"region={region!r}", f"one of {_REGIONS}",
                              "Use 'random' for scattered entries or 'block' for a contiguous run.")
    if isinstance(fill, str):
        if fill != "random":
            raise ValueRangeError(f"fill={fill!r}", "a finite number or 'random'",
                                  "Use fill=0.0 (unknown) or fill='random'.")
        if not patterns.is_binary:
            raise UnsupportedError("fill='random' for real-valued patterns",
                                   "a numeric fill for real patterns",
                                   "Pass a number, e.g. fill=0.0.")
    else:
        fill = check_real("fill", fill, fix="Pass a finite fill value such as 0.0.")
    tgt = resolve_targets(patterns, trials_per_pattern, targets)
    rng = make_rng(seed)
    T, D = tgt.size, patterns.D
    n = min(int(np.floor(fraction * D + 0.5)), D - 1)  # keep ≥ 1 known entry
    hidden = np.zeros((T, D), dtype=bool)
    if n and region == "random":
        idx = np.argpartition(rng.random((T, D)), n - 1, axis=1)[:, :n]
        np.put_along_axis(hidden, idx, True, axis=1)
    elif n:
        start = rng.integers(0, D - n + 1, size=T)
        cols = np.arange(D)
        hidden = (cols >= start[:, None]) & (cols < start[:, None] + n)
    if fill == "random":
        filler = np.where(rng.random((T, D)) < 0.5, 1.0, -1.0)
    else:
        filler = np.full((T, D), fill)
    states = np.where(hidden, filler, patterns.xi[tgt])
    return CueSet(states, tgt, ~hidden, kind="occlude",
                  meta={"fraction": fraction, "fill": fill, "region": region, "seed": seed,
                        "n_occluded": n,
                        "trials_per_pattern": trials_per_pattern if targets is None else None})
