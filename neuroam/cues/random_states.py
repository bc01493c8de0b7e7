"""Random cues: uniformly random ±1 states with no target (spurious-state probes)."""

from __future__ import annotations

import numbers

import numpy as np

from ..patterns.random import check_int, make_rng
from .cue_set import CueSet
from .exact import as_patterns

__all__ = ["random"]


def random(patterns, n: int, *, seed: int = 0) -> CueSet:
    """``n`` i.i.d. unbiased ±1 states, each with target -1 (no stored pattern).

    Args:
        patterns: a :class:`PatternSet` (only its ``D`` is used) or the number of
            neurons ``D`` as an int.
        n: number of cues (trials), ≥ 1.
        seed: non-negative integer seed.

    Returns:
        ``CueSet`` of kind ``"random"``: ``states`` ``(n, D)`` ±1, ``targets`` all -1,
        no clamp.
    """
    if isinstance(patterns, numbers.Integral) and not isinstance(patterns, bool):
        D = check_int("D", patterns)
    else:
        D = as_patterns(patterns).D
    n = check_int("n", n)
    states = np.where(make_rng(seed).random((n, D)) < 0.5, 1.0, -1.0)
    return CueSet(states, np.full(n, -1, dtype=np.int64), None, kind="random",
                  meta={"n": n, "seed": seed})
