"""Assemble one chip's :class:`~.dynamics.PhaseDynamics` from a coupling plan and hardware."""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from ..dynamics.common import cast_floats
from .dynamics import PhaseDynamics
from .energy import PhaseEnergy
from .hardware import Chip, Hardware, draw_chip
from .lift import CouplingPlan

__all__ = ["ideal_energy", "build_dynamics", "pattern_bucket"]


def _energy(plan: CouplingPlan, xi: np.ndarray, W: np.ndarray | None) -> PhaseEnergy:
    """Leaves are float64 NumPy arrays; callers cast them with ``cast_floats``."""
    N = xi.shape[1]
    offset = 0.0
    if plan.hebbian_diagonal:  # −(λ_2/2N) Σ_μ Σ_i ξ_iμ² is the constant Hebbian diagonal
        offset = plan.coeffs[plan.orders.index(2)] * float(np.sum(xi * xi)) / (2 * N)
    f64 = lambda v: np.asarray(v, dtype=np.float64)  # noqa: E731
    return PhaseEnergy(xi=f64(xi), coeffs=f64(plan.coeffs).reshape(-1),
                       W=None if W is None else f64(W), w_coeff=f64(plan.w_coeff),
                       offset=f64(offset), orders=plan.orders)


def ideal_energy(plan: CouplingPlan, patterns, dtype=jnp.float32) -> PhaseEnergy:
    """The coupling energy of an ideal chip (no spread), cast to ``dtype``."""
    return cast_floats(_energy(plan, np.asarray(patterns.xi, np.float64), plan.W), dtype)


def pattern_bucket(K: int) -> int:
    """K rounded up to a power of two (at least 4): sweeps over K then share compilations."""
    return max(4, 1 << (int(K) - 1).bit_length())


def build_dynamics(plan: CouplingPlan, patterns, hw: Hardware, *, seed: int, injection: float,
                   ramp: float, dtype, k_pad: int | None = None) -> tuple[PhaseDynamics, Chip]:
    """The dynamics of one chip drawn from ``seed`` (every leaf cast to ``dtype``).

    ``k_pad``: append zero patterns up to this many rows. A zero pattern has z_μ = 0 and
    adds nothing to the energy or the forces; only the array shapes change.
    """
    chip = draw_chip(np.asarray(patterns.xi, np.float64), plan.W, hw, seed, locked=injection > 0)
    xi = chip.xi
    if k_pad is not None and k_pad > xi.shape[0]:
        xi = np.concatenate([xi, np.zeros((k_pad - xi.shape[0], xi.shape[1]))], axis=0)
    dyn = PhaseDynamics(coupling=_energy(plan, xi, chip.W), omega=np.asarray(chip.omega),
                        injection=np.float64(injection), ramp=np.float64(ramp),
                        lag=np.float64(hw.misalignment))
    return cast_floats(dyn, dtype), chip
