from __future__ import annotations

import jax
import jax.numpy as jnp

from ._params import positive_array
from .base import Lagrangian

__all__ = ["LayerNorm"]


class LayerNorm(Lagrangian):
    """𝓛 = Dγ √(Var(x) + ε) + Σ δ_j x_j, activation = layer norm (tutorial eq. 3.13–3.14).

    Args:
        gamma: scale γ > 0.
        delta: bias δ, a scalar or an ``(n,)`` array.
        eps: regulariser ε > 0.
    """

    gamma: jax.Array
    delta: jax.Array
    eps: jax.Array

    def __init__(self, gamma: float = 1.0, delta=0.0, eps: float = 1e-5):
        self.gamma = positive_array("gamma", gamma, "the layer-norm Lagrangian")
        self.delta = jnp.asarray(delta, dtype=jnp.float32)
        self.eps = positive_array("eps", eps, "the layer-norm Lagrangian")

    def __call__(self, x):
        D = x.shape[-1]
        xc = x - jnp.mean(x)
        return D * self.gamma * jnp.sqrt(jnp.mean(xc * xc) + self.eps) + jnp.sum(self.delta * x)
