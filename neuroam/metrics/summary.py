"""Per-run summary numbers: what the reports and the /summary table show."""

from __future__ import annotations

import warnings

import numpy as np

from ..results import Outcome
from .energy import energy_monotone
from .outcome import final_overlaps, outcomes

__all__ = ["summarize", "settle_time", "stationary_overlap", "SUMMARY_FIELDS",
           "CHIP_PERCENTILES", "CHIP_FIELDS", "PHASE_FIELDS"]

#: percentiles of the per-chip spread (see :func:`summarize`)
CHIP_PERCENTILES = (5, 25, 50, 75, 95)

SUMMARY_FIELDS = ("n_trials", "accuracy", "mean_final_overlap", "other_fraction", "spurious_fraction",
                  "not_converged_fraction", "non_finite_fraction", "mean_converge_time",
                  "mean_settle_time", "energy_monotone_fraction")
#: the fields of results whose trials ran on several chips (see :func:`summarize`)
CHIP_FIELDS = ("n_chips", *(f"{m}_chip_p{q:02d}" for m in ("accuracy", "overlap")
                            for q in CHIP_PERCENTILES))
#: the fields of results with phase overlaps (oscillators; see :func:`stationary_overlap`)
PHASE_FIELDS = ("stationary_overlap",)


def settle_time(result, *, tol: float = 0.02) -> np.ndarray:
    """``(T,)`` first saved time after which the best overlap stays within ``tol`` of its final value.

    Defined for noisy trajectories too, where no steady state is reached. Samples a trial
    never reached (NaN) are skipped; its final value is its last finite one. NaN when the
    trial has no finite overlaps.
    """
    ov = np.abs(np.asarray(result.overlaps, dtype=np.float64))
    T, S = ov.shape[:2]
    if ov.size == 0 or S == 0:
        return np.full(T, np.nan)
    with np.errstate(invalid="ignore"):
        best = np.max(np.where(np.isnan(ov), -np.inf, ov), axis=2)
    ok = np.isfinite(best)
    times = np.asarray(result.times, dtype=np.float64)
    idx = np.arange(S)
    last = np.where(ok, idx[None, :], -1).max(axis=1)  # last finite sample per trial
    final = best[np.arange(T), np.maximum(last, 0)]
    with np.errstate(invalid="ignore"):
        far = ok & (np.abs(best - final[:, None]) > tol)
    after = np.where(far, idx[None, :], -1).max(axis=1) + 1  # first sample after the last far one
    # the first finite sample at or after it (far samples are finite, so one exists)
    cand = np.where(ok & (idx[None, :] >= after[:, None]), idx[None, :], S).min(axis=1)
    return np.where(last >= 0, times[np.minimum(cand, S - 1)], np.nan)


def stationary_overlap(result, *, start: float = 0.5) -> float:
    """Time-averaged phase overlap |z_target| over the late part of the run, mean over trials.

    For results with the extra ``phase_overlap`` (trial, time, pattern) — the oscillator's
    |z_μ| = |(1/N) Σ_i ξ_i^μ e^{iθ_i}| — the mean of |z| of each trial's cued pattern over
    the saved times t ≥ t0 + ``start`` · (t_last − t0) (default: the last half), then over
    the trials that have a target. It is the stationary order parameter of a noisy run
    (compare with mean-field theory), where the final sample alone fluctuates by ≈ 1/√N.
    NaN without the extra, without targets or without finite samples.
    """
    extra = result.extras.get("phase_overlap")
    if extra is None or np.ndim(extra.data) != 3:
        return float("nan")
    z = np.abs(np.asarray(extra.data, dtype=np.float64))
    times = np.asarray(result.times, dtype=np.float64)
    tgt = np.asarray(result.targets)
    valid = (tgt >= 0) & (tgt < z.shape[2])
    if not valid.any() or times.size == 0:
        return float("nan")
    late = times >= times[0] + start * (times[-1] - times[0])
    rows = np.nonzero(valid)[0]
    zt = z[rows, :, tgt[valid]][:, late]  # (trials with a target, late times)
    zt = np.where(np.isfinite(zt), zt, np.nan)
    if not np.isfinite(zt).any():
        return float("nan")
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # trials without a finite sample
        return float(np.nanmean(np.nanmean(zt, axis=1)))


def _chip_spread(result, oc: np.ndarray, target_overlap: np.ndarray) -> dict[str, float]:
    """Percentiles over chips of each chip's accuracy and mean final overlap, for results
    whose trials ran on several chips (an extra ``draw`` along ``trial``)."""
    draw = result.extras.get("draw")
    if draw is None or np.ndim(draw.data) != 1 or len(draw.data) != len(oc):
        return {}
    ids, chip = np.unique(np.asarray(draw.data), return_inverse=True)
    if ids.size < 2:
        return {}
    n = np.bincount(chip, minlength=ids.size)
    acc = np.bincount(chip, weights=(oc == Outcome.TARGET), minlength=ids.size) / n
    fin = np.isfinite(target_overlap)
    n_ov = np.bincount(chip, weights=fin, minlength=ids.size)
    with np.errstate(invalid="ignore", divide="ignore"):
        ov = np.bincount(chip, weights=np.where(fin, target_overlap, 0.0),
                         minlength=ids.size) / n_ov
    qs = np.asarray(CHIP_PERCENTILES, dtype=float)
    acc_q = np.percentile(acc, qs)
    ov_q = np.nanpercentile(ov, qs) if np.isfinite(ov).any() else np.full(qs.size, np.nan)
    out = {"n_chips": float(ids.size)}
    for q, a, o in zip(CHIP_PERCENTILES, acc_q, ov_q):
        out[f"accuracy_chip_p{q:02d}"] = float(a)
        out[f"overlap_chip_p{q:02d}"] = float(o)
    return out


def summarize(result, patterns, *, threshold: float | None = None,
              outcome: np.ndarray | None = None) -> dict[str, float]:
    """Scalar summary of a :class:`~neuroam.results.RecallResult` (``outcome``: the
    per-trial outcomes when already computed with the same threshold).

    Results with phase overlaps (the extra ``phase_overlap``, oscillators) also get
    ``stationary_overlap``, the late-time mean of |z_target| (:func:`stationary_overlap`).

    Results whose trials ran on several chips (an extra ``draw``) also get the spread
    over chips: ``n_chips`` and percentiles (:data:`CHIP_PERCENTILES`) of each chip's
    accuracy and mean final overlap, ``accuracy_chip_p05`` ...
    """
    oc = outcomes(result, patterns, threshold=threshold) if outcome is None \
        else np.asarray(outcome)
    T = max(len(oc), 1)
    m = final_overlaps(result, patterns)
    tgt = np.asarray(result.targets)
    valid = tgt >= 0
    target_ov = np.full(len(oc), np.nan)
    target_ov[valid] = m[np.nonzero(valid)[0], tgt[valid]]
    mean_ov = float(np.mean(target_ov[valid])) if valid.any() else float("nan")
    ct = np.asarray(result.converge_time, dtype=np.float64)
    frac = lambda o: float(np.sum(oc == o) / T)
    if result.energies is not None:
        mono = float(np.mean(energy_monotone(result.energies)))
    else:
        mono = float("nan")
    st = settle_time(result)
    return {
        "n_trials": float(len(oc)),
        "accuracy": frac(Outcome.TARGET),
        "mean_final_overlap": mean_ov,
        "other_fraction": frac(Outcome.OTHER),
        "spurious_fraction": frac(Outcome.SPURIOUS),
        "not_converged_fraction": frac(Outcome.NOT_CONVERGED),
        "non_finite_fraction": frac(Outcome.NON_FINITE),
        "mean_converge_time": float(np.nanmean(ct)) if np.isfinite(ct).any() else float("nan"),
        "mean_settle_time": float(np.nanmean(st)) if np.isfinite(st).any() else float("nan"),
        "energy_monotone_fraction": mono,
        **_chip_spread(result, oc, target_ov),
        **({"stationary_overlap": stationary_overlap(result)}
           if "phase_overlap" in result.extras else {}),
    }
