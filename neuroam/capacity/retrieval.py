"""Stability and basin-of-attraction measurements over seeds."""

from __future__ import annotations

import dataclasses

import numpy as np

from .. import cues as cue_makers
from .. import patterns as pattern_makers
from ..api import recall
from ..errors import ValueRangeError
from ..metrics import final_overlaps, outcomes
from ..results import Outcome

__all__ = ["Retrieval", "retrieval"]


@dataclasses.dataclass(frozen=True)
class Retrieval:
    """Retrieval at one load, per seed.

    Attributes:
        K, D: load.
        fraction: ``(S,)`` fraction of trials that retrieved their target, per seed.
        overlap: ``(S,)`` mean final overlap with the target, per seed.
        criterion: the criterion in words (cue, threshold, implementation).
    """

    K: int
    D: int
    fraction: np.ndarray
    overlap: np.ndarray
    criterion: str

    @property
    def mean(self) -> float:
        return float(np.mean(self.fraction))

    @property
    def mean_overlap(self) -> float:
        return float(np.mean(self.overlap))


def retrieval(model, D: int, K: int, *, seeds=(0, 1, 2), flip_rate: float = 0.0,
              trials: int | None = None, threshold: float = 1.0, implementation: str = "ideal-discrete",
              pattern_kind: str = "random_binary", **settings) -> Retrieval:
    """Fraction of cues that end on their target, for fresh random patterns per seed.

    ``flip_rate=0`` tests stability (each stored pattern is its own cue); > 0 tests the
    basin of attraction. ``threshold`` is the overlap at which a final state counts as
    its target (1.0: error-free). ``trials`` caps the number of patterns probed.
    """
    if not 0 <= flip_rate <= 1:
        raise ValueRangeError(f"flip_rate={flip_rate}", "0 ≤ flip_rate ≤ 1", "Give a fraction of bits.")
    make = getattr(pattern_makers, pattern_kind)
    fr, ov = [], []
    for seed in seeds:
        pats = make(K, D, seed=int(seed))
        n = K if trials is None else min(trials, K)
        targets = np.random.default_rng(10_000 + int(seed)).choice(K, size=n, replace=False)
        if flip_rate > 0:
            cues = cue_makers.flip(pats, flip_rate, targets=targets, seed=int(seed) + 1)
        else:
            cues = cue_makers.exact(pats, targets=targets)
        res = recall(model, pats, cues, implementation, seed=int(seed), **settings)
        oc = outcomes(res, pats, threshold=threshold - 1e-9)
        m = final_overlaps(res, pats)[np.arange(n), targets]
        fr.append(np.mean(oc == Outcome.TARGET))
        ov.append(np.mean(m))
    crit = (f"{'stability' if flip_rate == 0 else f'basin ({flip_rate:.0%} flips)'}, overlap ≥ {threshold}, "
            f"{implementation}")
    return Retrieval(K, D, np.asarray(fr), np.asarray(ov), crit)
