"""The cue kinds, each a function ``kind(patterns, ...) -> CueSet`` declared in the
``neuroam.cues`` entry-point group (:func:`~.make.make_cues` calls them by name):

- exact: each stored pattern itself (stability, fixed-point tests);
- flip: binary patterns with a fraction of their entries sign-flipped;
- occlude: part of each pattern unknown, the rest known and clamped;
- noise: patterns plus additive Gaussian noise (any pattern kind);
- random: uniformly random ±1 states with no target (spurious-state probes).
"""

from __future__ import annotations

import numbers

import numpy as np

from ..errors import UnsupportedError, ValueRangeError
from ..patterns.pattern_set import PatternSet, as_patterns
from ..patterns.random import check_int, check_real, make_rng
from .cue_set import CueSet

__all__ = ["exact", "flip", "occlude", "noise", "random"]


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
