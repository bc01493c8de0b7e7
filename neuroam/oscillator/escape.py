"""Noise-driven escape from a retrieved memory, read from the saved phase overlaps.

A trial has *retrieved* its target once |z_target| ≥ ``retrieved`` and *escaped* at the
first later saved time with |z_target| < ``escaped``. The escape time is measured from
t = 0 (time resolution: the save spacing). For exponential escape with rate 1/τ_esc the
maximum-likelihood estimate from censored trials is τ̂ = (total time at risk) / (number
of escapes): each retrieved trial is at risk from its retrieval until its escape or t1.
"""

from __future__ import annotations

import dataclasses

import numpy as np

__all__ = ["Escape", "escape_times"]


@dataclasses.dataclass(frozen=True)
class Escape:
    """Per-trial escape times (NaN: never retrieved or never escaped) and summary numbers.

    Attributes:
        time: ``(T,)`` escape time (τ).
        retrieved: ``(T,)`` bool, the target was retrieved at some time.
        events: number of escapes.
        exposure: total time at risk (τ).
    """

    time: np.ndarray
    retrieved: np.ndarray
    events: int
    exposure: float

    @property
    def mle(self) -> float:
        """τ̂ = exposure / events (NaN without escapes: only exposure is a lower bound)."""
        return self.exposure / self.events if self.events else float("nan")

    def attrs(self) -> dict[str, float]:
        n = int(self.retrieved.sum())
        return {"escape_events": float(self.events), "escape_exposure": float(self.exposure),
                "escape_time_mle": float(self.mle),
                "escaped_fraction": float(self.events / n) if n else float("nan")}


def escape_times(times: np.ndarray, phase_overlaps: np.ndarray, targets: np.ndarray, *,
                 retrieved: float = 0.8, escaped: float = 0.4) -> Escape:
    """Escape times from ``phase_overlaps`` ``(T, S, K)`` at ``times`` ``(S,)``.

    Trials without a target (``targets < 0``) never count as retrieved.
    """
    times = np.asarray(times, dtype=np.float64)
    T = phase_overlaps.shape[0]
    out = np.full(T, np.nan)
    got = np.zeros(T, dtype=bool)
    events, exposure = 0, 0.0
    for t in range(T):
        k = int(targets[t])
        if k < 0:
            continue
        m = np.asarray(phase_overlaps[t, :, k], dtype=np.float64)
        ok = np.isfinite(m)
        hit = np.nonzero(ok & (m >= retrieved))[0]
        if hit.size == 0:
            continue
        got[t] = True
        start = hit[0]
        low = np.nonzero(ok[start:] & (m[start:] < escaped))[0]
        last = np.nonzero(ok)[0][-1]
        if low.size:
            out[t] = times[start + low[0]]
            events += 1
            exposure += times[start + low[0]] - times[start]
        else:
            exposure += times[last] - times[start]
    return Escape(out, got, events, exposure)
