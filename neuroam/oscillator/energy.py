"""The oscillator energy E(θ): the single source of truth of the Kuramoto implementation.

Phases and encoding
-------------------
N phase oscillators θ_i (rad), in the frame that rotates at half the frequency of the
second-harmonic injection signal (the reference, phase 0). A binary state σ ∈ {±1}^N
is the phase state θ_i = 0 (σ_i = +1) or π (σ_i = −1), i.e. σ_i = cos θ_i.

Derivation (ours: the exact equations of Nägerl & Berloff 2025 were not readable here)
------------------------------------------------------------------------------------
The memory of pattern ξ^μ is read through its *complex overlap*

    z_μ = (1/N) Σ_i ξ_i^μ e^{iθ_i}            (K complex numbers, O(K·N) to compute).

In the binary limit z_μ = ξ^μ·σ / N, the DenseAM overlap. We take the energy

    E(θ) = −N Σ_μ Σ_p (λ_p / p) |z_μ|^p        (even orders p; λ_p ≥ 0 strengths)
           − ½ λ_W Σ_ij W_ij cos(θ_i − θ_j)    (optional pairwise weights of a learning rule)

whose binary limit is −D Σ_μ Σ_p λ_p F_p(ξ^μ·σ / D) with F_p(u) = u^p / p: for λ_2 = 1
alone it is the classical Hopfield energy −(1/2D) Σ_μ (ξ^μ·σ)² and for λ_4 = 1 alone
exactly the n = 4 polynomial DenseAM of :class:`neuroam.models.PolynomialDenseAM`
(``PowerSeparation(4, scale=D)``). |z|^p is the binary limit of (ξ·σ/D)^p only for
even p, which is why odd orders are not offered.

Expanding the powers shows the couplings this energy realises, without ever forming them:

    N|z_μ|²/2 = (1/2N)  Σ_ij   ξ_i ξ_j         cos(θ_i − θ_j)             (pairwise,
                Hebbian with its constant diagonal: the classical oscillatory Hopfield
                network, Hoppensteadt & Izhikevich; Nishikawa, Hoppensteadt & Lai 2004)
    N|z_μ|⁴/4 = (1/4N³) Σ_ijkl ξ_i ξ_j ξ_k ξ_l cos(θ_i + θ_j − θ_k − θ_l)    (quartic,
                four-body coupling: the dense oscillator memory)

The quartic term is the higher-order (four-oscillator) coupling; its force on oscillator
i contains the harmonic e^{i(θ_j + θ_k − θ_l)} of three partners, and in the binary limit
it is the n = 4 DenseAM. Both sums are rotation invariant (E(θ + c) = E(θ)); the
second-harmonic injection (:mod:`.dynamics`) −K_s Σ cos²θ_i pins the global phase and
binarises the phases to {0, π} (oscillator Ising machines, Wang & Roychowdhury 2019).

Cost: the pattern form needs the K overlaps z_μ (2 real matrix–vector products) and their
gradient (2 more): O(K·N) per evaluation. The N⁴ tensor of the quartic coupling is built
only by the reference forms at the end of this module, for validation at tiny N.

What is and is not Nägerl & Berloff's model: they combine a "second-harmonic (pairwise)"
and a "fourth-harmonic (quartic)" coupling built from the stored patterns, and report a
tricritical point, bistable memory states whose noise escape time grows exponentially with
N and superlinear capacity. Our λ_2 (``pairwise``) and λ_4 (``quartic``) play those two
roles, and the same phenomena follow from this energy (a −r⁴ free energy has no linear
instability of the incoherent state, hence bistability and an extensive barrier). Their
harmonic numbering suggests a different phase encoding (e.g. patterns as phases 0/π/2 in
2θ); the binary limits are the same DenseAMs, but coefficients, time scales and the exact
tricritical point of their paper will not be reproduced number for number.

The energy is evaluated on the unit vectors (x, y) = (cos θ, sin θ) so that one
``jax.grad`` gives both the tangential force −∂E/∂θ (the gradient flow) and the radial
derivative that a misaligned (phase-lagged) coupling adds (:mod:`.dynamics`).
"""

from __future__ import annotations

import equinox as eqx
import jax
import jax.numpy as jnp

from ..errors import ValueRangeError

__all__ = ["PhaseEnergy", "pairwise_tensor_energy", "quartic_tensor_energy", "MAX_TENSOR_N"]


class PhaseEnergy(eqx.Module):
    """E(θ) of the coupling network (no injection, no detuning); dimensionless, in units
    of the coupling rate times τ (so that −∂E/∂θ is in rad/τ).

    Attributes:
        xi: ``(K, N)`` couplings of the pattern (overlap) form: the stored ±1 patterns,
            times (1 + spread) on a non-ideal chip.
        coeffs: ``(P,)`` strengths λ_p of the orders ``orders``.
        orders: ``(P,)`` even orders p of the pattern form (static).
        W: ``(N, N)`` symmetric pairwise weights of a learning rule, or None.
        w_coeff: ``()`` strength λ_W of the ``W`` term.
        offset: ``()`` constant added to E (removes the constant Hebbian diagonal when the
            zero-diagonal Hebbian rule is realised through the O(K·N) pattern form).
    """

    xi: jax.Array
    coeffs: jax.Array
    W: jax.Array | None
    w_coeff: jax.Array
    offset: jax.Array
    orders: tuple[int, ...] = eqx.field(static=True)

    @property
    def N(self) -> int:
        return self.xi.shape[1]

    @property
    def K(self) -> int:
        return self.xi.shape[0]

    def overlaps(self, x: jax.Array, y: jax.Array) -> tuple[jax.Array, jax.Array]:
        """Real and imaginary parts ``(K,)`` of z_μ = (1/N) Σ_i ξ_i^μ (x_i + i y_i)."""
        n = jnp.asarray(self.N, x.dtype)
        return self.xi @ x / n, self.xi @ y / n

    def cartesian(self, x: jax.Array, y: jax.Array) -> jax.Array:
        """E as a function of ``x = cos θ`` and ``y = sin θ`` (each ``(N,)``); a scalar."""
        e = self.offset.astype(x.dtype)
        if self.orders:
            zr, zi = self.overlaps(x, y)
            r2 = zr * zr + zi * zi  # |z_μ|², (K,)
            n = jnp.asarray(self.N, x.dtype)
            for k, p in enumerate(self.orders):
                e = e - n * self.coeffs[k] * jnp.sum(r2 ** (p // 2)) / p
        if self.W is not None:
            e = e - 0.5 * self.w_coeff * (x @ (self.W @ x) + y @ (self.W @ y))
        return e

    def __call__(self, theta: jax.Array) -> jax.Array:
        """E(θ) for phases ``theta`` ``(N,)`` (rad)."""
        return self.cartesian(jnp.cos(theta), jnp.sin(theta))

    def forces(self, theta: jax.Array) -> tuple[jax.Array, jax.Array]:
        """``(−∂E/∂θ, ρ∂E/∂ρ)`` at unit radius, both ``(N,)``, from one ``jax.grad``.

        The first is the gradient-flow velocity; the second is the radial derivative, the
        even (cosine) part of the coupling function that a phase lag mixes in.
        """
        c, s = jnp.cos(theta), jnp.sin(theta)
        gx, gy = jax.grad(self.cartesian, argnums=(0, 1))(c, s)
        return gx * s - gy * c, gx * c + gy * s


# ------------------------------------------------------------------ reference forms
# Explicit coupling tensors, for validating the O(K·N) overlap form at tiny N only:
#   E_2 = −(λ_2/2N)  Σ_ij   C_ij   cos(θ_i − θ_j),              C = Σ_μ ξ^μ ⊗ ξ^μ
#   E_4 = −(λ_4/4N³) Σ_ijkl T_ijkl cos(θ_i + θ_j − θ_k − θ_l),  T = Σ_μ ξ^μ⊗ξ^μ⊗ξ^μ⊗ξ^μ
# These are what PhaseEnergy computes without building C (N²) or T (N⁴).

MAX_TENSOR_N = 24


def pairwise_tensor_energy(xi, theta, strength: float = 1.0):
    """E_2(θ) through the explicit ``(N, N)`` Hebbian matrix (diagonal kept)."""
    xi = jnp.asarray(xi, theta.dtype)
    N = xi.shape[1]
    C = xi.T @ xi
    d = theta[:, None] - theta[None, :]
    return -strength / (2 * N) * jnp.sum(C * jnp.cos(d))


def quartic_tensor_energy(xi, theta, strength: float = 1.0):
    """E_4(θ) through the explicit ``(N, N, N, N)`` tensor; refuses N > ``MAX_TENSOR_N``."""
    xi = jnp.asarray(xi, theta.dtype)
    N = xi.shape[1]
    if N > MAX_TENSOR_N:
        raise ValueRangeError(f"N={N} for the explicit quartic tensor",
                              f"N ≤ {MAX_TENSOR_N} (it holds N⁴ numbers)",
                              "Use PhaseEnergy, the O(K·N) overlap form, for real networks.")
    T = jnp.einsum("ui,uj,uk,ul->ijkl", xi, xi, xi, xi)
    phase = (theta[:, None, None, None] + theta[None, :, None, None]
             - theta[None, None, :, None] - theta[None, None, None, :])
    return -strength / (4 * N**3) * jnp.sum(T * jnp.cos(phase))
