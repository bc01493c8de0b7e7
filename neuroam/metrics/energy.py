"""Energy-monotonicity check along saved trajectories."""

from __future__ import annotations

import numpy as np

__all__ = ["energy_increase", "energy_monotone"]


def energy_increase(energies: np.ndarray) -> np.ndarray:
    """``(T,)`` largest step-to-step increase of the energy, relative to 1 + |E| (NaNs skipped:
    each finite sample is compared with the last finite one before it; 0 for a trial with
    fewer than two finite samples)."""
    E = np.asarray(energies, dtype=np.float64)
    if E.ndim != 2 or E.shape[1] < 2:
        return np.zeros(E.shape[0])
    T, S = E.shape
    fin = np.isfinite(E)
    last = np.maximum.accumulate(np.where(fin, np.arange(S)[None, :], -1), axis=1)
    prev_idx = np.concatenate([np.full((T, 1), -1), last[:, :-1]], axis=1)
    valid = fin & (prev_idx >= 0)
    prev = np.take_along_axis(E, np.maximum(prev_idx, 0), axis=1)
    with np.errstate(invalid="ignore"):
        rel = np.where(valid, (E - prev) / (1.0 + np.abs(prev)), -np.inf)
    out = rel.max(axis=1)
    return np.where(valid.any(axis=1), out, 0.0)


def energy_monotone(energies: np.ndarray, *, rtol: float = 1e-5) -> np.ndarray:
    """``(T,)`` True where the energy never rises by more than ``rtol·(1+|E|)`` (round-off)."""
    return energy_increase(energies) <= rtol
