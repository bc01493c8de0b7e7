from __future__ import annotations

import numpy as np

from .base import check_binary

__all__ = ["pseudo_inverse"]


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


