from __future__ import annotations

import jax.numpy as jnp

from .base import Lagrangian

__all__ = ["Identity"]


class Identity(Lagrangian):
    """𝓛 = ½ Σ x², activation x̂ = x, energy ½‖x‖² (unbounded activations)."""

    def __call__(self, x):
        return 0.5 * jnp.sum(x * x)
