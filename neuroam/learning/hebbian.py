from __future__ import annotations

import numpy as np

from .base import check_binary

__all__ = ["hebbian"]


def hebbian(patterns, *, zero_diagonal: bool = True) -> np.ndarray:
    """W = (1/D) Σ_μ ξ^μ ξ^μᵀ, with zero diagonal by default (Hopfield 1982).

    Capacity ≈ 0.138 D with small errors (Amit, Gutfreund & Sompolinsky 1985).
    """
    xi = check_binary(patterns, "hebbian")
    W = xi.T @ xi / xi.shape[1]
    if zero_diagonal:
        np.fill_diagonal(W, 0.0)
    return W


