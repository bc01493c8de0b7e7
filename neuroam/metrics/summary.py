"""Per-run summary numbers: what the reports and the /summary table show."""

from __future__ import annotations

import numpy as np

from ..results import Outcome
from .energy import energy_monotone
from .outcome import final_overlaps, outcomes

__all__ = ["summarize", "settle_time", "SUMMARY_FIELDS"]

SUMMARY_FIELDS = ("n_trials", "accuracy", "mean_final_overlap", "other_fraction", "spurious_fraction",
                  "not_converged_fraction", "non_finite_fraction", "mean_converge_time",
                  "mean_settle_time", "energy_monotone_fraction")


def settle_time(result, *, tol: float = 0.02) -> np.ndarray:
    """``(T,)`` first saved time after which the best overlap stays within ``tol`` of its final value.

    Defined for noisy trajectories too, where no steady state is reached. NaN when the
    trial has no finite overlaps.
    """
    ov = np.abs(np.asarray(result.overlaps, dtype=np.float64))
    best = np.max(np.where(np.isnan(ov), -np.inf, ov), axis=2) if ov.size else np.zeros(ov.shape[:2])
    best[~np.isfinite(best)] = np.nan
    times = np.asarray(result.times)
    out = np.full(best.shape[0], np.nan)
    for t in range(best.shape[0]):
        ok = np.isfinite(best[t])
        if not ok.any():
            continue
        b = best[t][ok]
        far = np.abs(b - b[-1]) > tol
        idx = np.nonzero(far)[0]
        first = 0 if idx.size == 0 else idx[-1] + 1
        out[t] = times[ok][min(first, b.size - 1)]
    return out


def summarize(result, patterns, *, threshold: float | None = None) -> dict[str, float]:
    """Scalar summary of a :class:`~neuroam.results.RecallResult`."""
    oc = outcomes(result, patterns, threshold=threshold)
    T = max(len(oc), 1)
    m = final_overlaps(result, patterns)
    tgt = np.asarray(result.targets)
    valid = tgt >= 0
    mean_ov = float(np.mean(m[np.nonzero(valid)[0], tgt[valid]])) if valid.any() else float("nan")
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
    }
