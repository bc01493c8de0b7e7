"""The process–process coupling T_ijkl = Σ_μ ξ_i^μ ξ_j^μ ξ_k^μ ξ_l^μ, applied through the patterns.

The tensor has N⁴ entries (6.25·10¹⁰ at N = 500) and is never built: its action on an
``(N, N)`` matrix ψ factorises through the K patterns,

    (T[ψ])_ij = Σ_μ ξ_i^μ ξ_j^μ q_μ,   q_μ = ξ^μᵀ ψ ξ^μ,

two matrix products of cost O(N²K) each. :func:`explicit_tensor` builds the full tensor
for tiny N only, so that tests can check the factorised form against it.
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from ..errors import ValueRangeError

__all__ = ["pattern_forms", "apply_tensor", "explicit_tensor"]

#: explicit_tensor refuses sizes whose tensor would exceed this many entries
_EXPLICIT_LIMIT = 2**24


def pattern_forms(xi, psi):
    """``(K,)`` quadratic forms q_μ = ξ^μᵀ ψ ξ^μ of ``psi`` ``(N, N)`` with ``xi`` ``(K, N)``."""
    return jnp.sum((xi @ psi) * xi, axis=1)


def apply_tensor(xi, psi):
    """``(N, N)`` contraction Σ_kl T_ijkl ψ_kl in O(N²K), without the N⁴ tensor.

    Args:
        xi: ``(K, N)`` stored patterns (±1 in the neuron–astrocyte model).
        psi: ``(N, N)`` process activations.
    """
    q = pattern_forms(xi, psi)
    return (xi.T * q) @ xi


def explicit_tensor(xi) -> np.ndarray:
    """The full ``(N, N, N, N)`` tensor T_ijkl, float64, for N ≤ 64 (tests only)."""
    xi = np.asarray(xi, dtype=np.float64)
    N = xi.shape[1]
    if N**4 > _EXPLICIT_LIMIT:
        raise ValueRangeError(f"explicit_tensor for N={N} ({N**4:.3g} entries)",
                              f"N⁴ ≤ {_EXPLICIT_LIMIT} (N ≤ 64)",
                              "Use apply_tensor, which never builds the tensor.")
    return np.einsum("mi,mj,mk,ml->ijkl", xi, xi, xi, xi)
