"""Explicit coupling tensors, for validating the O(K·N) overlap form at tiny N only.

E_2 = −(λ_2/2N)  Σ_ij   C_ij   cos(θ_i − θ_j),              C = Σ_μ ξ^μ ⊗ ξ^μ
E_4 = −(λ_4/4N³) Σ_ijkl T_ijkl cos(θ_i + θ_j − θ_k − θ_l),  T = Σ_μ ξ^μ⊗ξ^μ⊗ξ^μ⊗ξ^μ

These are what the overlap form computes without building C (N²) or T (N⁴).
"""

from __future__ import annotations

import jax.numpy as jnp

from ..errors import ValueRangeError

__all__ = ["pairwise_tensor_energy", "quartic_tensor_energy", "MAX_TENSOR_N"]

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
