"""The classical learning rules: stored ±1 patterns ξ (K, D) -> weights W (D, D).

Hebb (outer products), Storkey (incremental, higher capacity) and the pseudo-inverse
(projection). Each is declared in the ``neuroam.learning_rules`` entry-point group and
called through :func:`~.base.learn`, which symmetrises and casts what it returns.
"""

from __future__ import annotations

import numpy as np

from .base import check_binary

__all__ = ["hebbian", "storkey", "pseudo_inverse"]


def hebbian(patterns, *, zero_diagonal: bool = True) -> np.ndarray:
    """W = (1/D) Σ_μ ξ^μ ξ^μᵀ, with zero diagonal by default (Hopfield 1982).

    Capacity ≈ 0.138 D with small errors (Amit, Gutfreund & Sompolinsky 1985).
    """
    xi = check_binary(patterns, "hebbian")
    W = xi.T @ xi / xi.shape[1]
    if zero_diagonal:
        np.fill_diagonal(W, 0.0)
    return W


def storkey(patterns) -> np.ndarray:
    """Storkey (1997) incremental rule, one pattern at a time:

    W_ij += (1/D) (ξ_i ξ_j − ξ_i h_ji − h_ij ξ_j),  h_ij = Σ_{k≠i,j} W_ik ξ_k.

    Local and incremental like Hebb, with capacity ≈ D / √(2 ln D) (higher than Hebb's).
    The diagonal is kept at zero. Cost O(K D²).
    """
    xi = check_binary(patterns, "storkey")
    K, D = xi.shape
    W = np.zeros((D, D))
    for x in xi:
        h = W @ x  # Σ_k W_ik ξ_k, diagonal is zero
        # h_ij = h_i − W_ij ξ_j  (k ≠ i already since W_ii = 0; remove k = j)
        H = h[:, None] - W * x[None, :]
        dW = (np.outer(x, x) - x[:, None] * H.T - H * x[None, :]) / D
        W = W + dW
        np.fill_diagonal(W, 0.0)
    return W


def pseudo_inverse(patterns, *, zero_diagonal: bool = False) -> np.ndarray:
    """Projection rule W = Ξᵀ (Ξ Ξᵀ)⁺ Ξ (Personnaz, Guyon & Dreyfus 1985).

    Every linearly independent pattern is a fixed point for K < D. Non-local: needs all
    patterns at once. The diagonal (≈ K/D) is kept unless ``zero_diagonal``.
    """
    xi = check_binary(patterns, "pseudo-inverse")
    W = xi.T @ np.linalg.pinv(xi @ xi.T) @ xi
    if zero_diagonal:
        np.fill_diagonal(W, 0.0)
    return W
