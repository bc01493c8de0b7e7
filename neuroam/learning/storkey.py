from __future__ import annotations

import numpy as np

from .base import check_binary

__all__ = ["storkey"]


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


