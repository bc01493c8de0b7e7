"""Noise cues: stored patterns plus additive Gaussian noise."""

from __future__ import annotations

from ..patterns.random import check_real, make_rng
from .cue_set import CueSet
from .exact import as_patterns, resolve_targets

__all__ = ["noise"]


def noise(patterns, sigma: float, *, trials_per_pattern: int = 1, targets=None,
          seed: int = 0) -> CueSet:
    """Cues ``ξ^target + σ·z`` with ``z`` i.i.d. standard normal, for any pattern kind.

    Args:
        patterns: :class:`PatternSet` of shape ``(K, D)`` (binary or real).
        sigma: noise standard deviation, ≥ 0, in the unit of the pattern entries
            (binary patterns have entries ±1, so σ = 1 is noise as large as the signal).
        trials_per_pattern: cues per pattern when ``targets`` is None, ≥ 1.
        targets: optional ``(T,)`` indices; default ``np.repeat(arange(K), trials_per_pattern)``.
        seed: non-negative integer seed.

    Returns:
        ``CueSet`` of kind ``"noise"``: real-valued ``states`` ``(T, D)``, no clamp.
    """
    patterns = as_patterns(patterns)
    sigma = check_real("sigma", sigma, low=0.0,
                       fix="Give a non-negative noise standard deviation.")
    tgt = resolve_targets(patterns, trials_per_pattern, targets)
    z = make_rng(seed).standard_normal((tgt.size, patterns.D))
    return CueSet(patterns.xi[tgt] + sigma * z, tgt, None, kind="noise",
                  meta={"sigma": sigma, "seed": seed,
                        "trials_per_pattern": trials_per_pattern if targets is None else None})
