"""Energy-monotonicity check along saved trajectories."""

from __future__ import annotations

import numpy as np

__all__ = ["energy_increase", "energy_monotone"]


def energy_increase(energies: np.ndarray) -> np.ndarray:
    """``(T,)`` largest step-to-step increase of the energy, relative to 1 + |E| (NaNs skipped)."""
    E = np.asarray(energies, dtype=np.float64)
    out = np.zeros(E.shape[0])
    for t in range(E.shape[0]):
        e = E[t][np.isfinite(E[t])]
        if e.size > 1:
            out[t] = np.max(np.diff(e) / (1.0 + np.abs(e[:-1])))
    return out


def energy_monotone(energies: np.ndarray, *, rtol: float = 1e-5) -> np.ndarray:
    """``(T,)`` True where the energy never rises by more than ``rtol·(1+|E|)`` (round-off)."""
    return energy_increase(energies) <= rtol
