"""Cues to phases and phases to the common read-out.

Encoding: a cue value c ∈ [−1, 1] starts its oscillator at θ = arccos(c · cos δ), so
+1 → δ and −1 → π − δ (δ = ``squeeze``, rad), 0 (unknown) → π/2. The two clusters are
then π − 2δ apart rather than antipodal. Exactly binary phases (δ = 0) are fixed points
of every rotation-invariant coupling (all overlaps are real there), so a noiseless
network would never leave its cue; the squeeze, like the π/2 cue of Follmann et al.
2014, lets the coupling pull every oscillator to the side its local field points to.

Read-out relative to the reference (the injection frame, phase 0):
- ``states`` of the RecallResult are cos θ ∈ [−1, 1]; the metrics read them out as
  sign(cos θ) = ±1, as a phase comparator against the reference does;
- ``overlaps`` are Re z_μ = (1/N) Σ ξ_i^μ cos θ_i, consistent with ``states``;
- the phase overlap m_μ = |z_μ| (rotation invariant) is kept as an extra.
"""

from __future__ import annotations

import numpy as np

__all__ = ["cue_phases", "readout"]


def cue_phases(states: np.ndarray, squeeze: float, jitter: float = 0.0,
               rng: np.random.Generator | None = None) -> np.ndarray:
    """``(T, N)`` initial phases (rad) of cue ``states`` ``(T, N)``; ``jitter`` adds a
    Gaussian start-up phase error of that std (rad)."""
    c = np.clip(np.asarray(states, dtype=np.float64), -1.0, 1.0)
    theta = np.arccos(c * np.cos(squeeze))
    if jitter > 0:
        rng = rng or np.random.default_rng(0)
        theta = theta + jitter * rng.standard_normal(theta.shape)
    return theta


def readout(theta: np.ndarray) -> np.ndarray:
    """±1 read-out of phases relative to the reference: sign(cos θ) (ties → +1)."""
    return np.where(np.cos(theta) >= 0, 1.0, -1.0)
