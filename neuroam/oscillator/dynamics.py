"""Phase velocities of a non-ideal oscillator network, from ``jax.grad`` of the energy.

    dθ_i/dt = ω_i + cos α · (−∂E/∂θ_i) + sin α · (ρ ∂E/∂ρ_i) − ∂E_inj/∂θ_i  [+ √(2D) dW_i]

- E is :class:`~.energy.PhaseEnergy` (rad/τ after differentiation). With α = 0, ω = 0 and
  D = 0 this is the gradient flow dθ/dt = −∂E_tot/∂θ and E_tot never increases.
- α (harmonic misalignment) is the phase lag of the coupling function:
  H(Δ) = sin(Δ − α) = cos α sin Δ − sin α cos Δ. Its even (cosine) component is the
  radial derivative of E, which is no gradient in θ: it breaks energy descent, shifts
  the locked phases away from 0/π and, without injection, rotates the network
  (Sakaguchi–Kuramoto). For pairwise W it is exactly Σ_j W_ij sin(θ_j − θ_i − α).
- E_inj = −K_s(t) Σ_i cos²θ_i = −(K_s/2) Σ_i (1 + cos 2θ_i) is the second-harmonic
  injection that binarises the phases to {0, π}; K_s(t) ramps linearly from 0 over
  ``ramp`` τ (0: constant). The constant −K_s/2 per oscillator changes no force, but it
  makes ∂E_inj/∂K_s ≤ 0, so a rising ramp can only lower the energy: along a noiseless,
  aligned trajectory dE/dt = −|∂E/∂θ|² + K̇_s ∂E/∂K_s ≤ 0 even while K_s is ramped.
- ω_i (rad/τ) is the natural-frequency detuning in the reference frame.
"""

from __future__ import annotations

import equinox as eqx
import jax
import jax.numpy as jnp

from .energy import PhaseEnergy

__all__ = ["PhaseDynamics", "wrap"]


def wrap(theta: jax.Array) -> jax.Array:
    """Phases mapped to [−π, π)."""
    return jnp.mod(theta + jnp.pi, 2 * jnp.pi) - jnp.pi


class PhaseDynamics(eqx.Module):
    """One chip's phase dynamics. Every number is an array leaf: changing it never recompiles.

    Attributes:
        coupling: the coupling energy E(θ).
        omega: ``(N,)`` natural-frequency detuning (rad/τ).
        injection: ``()`` final second-harmonic injection strength K_s (rad/τ).
        ramp: ``()`` ramp time of K_s (τ); 0 for a constant injection.
        lag: ``()`` misalignment α (rad).
    """

    coupling: PhaseEnergy
    omega: jax.Array
    injection: jax.Array
    ramp: jax.Array
    lag: jax.Array

    def injection_at(self, t) -> jax.Array:
        frac = jnp.clip(t / jnp.where(self.ramp > 0, self.ramp, 1.0), 0.0, 1.0)
        return self.injection * jnp.where(self.ramp > 0, frac, 1.0)

    def injection_energy(self, theta: jax.Array, t) -> jax.Array:
        c = jnp.cos(theta)
        return -self.injection_at(t) * jnp.sum(c * c)

    def energy(self, theta: jax.Array, t=0.0) -> jax.Array:
        """Total energy E(θ) + E_inj(θ, t) of one state ``(N,)``: a scalar."""
        return self.coupling(theta) + self.injection_energy(theta, t)

    def velocity(self, t, theta: jax.Array) -> jax.Array:
        """dθ/dt ``(N,)`` in rad/τ (drift only; the noise is added by the SDE solver)."""
        tangential, radial = self.coupling.forces(theta)
        drive = jnp.cos(self.lag) * tangential + jnp.sin(self.lag) * radial
        inj = -jax.grad(self.injection_energy)(theta, t)
        return self.omega + drive + inj
