"""Normalising Lagrangians: each neuron's activation depends on the whole layer (softmax,
layer norm), so 𝓛 does not split into a sum over neurons.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
from jax.scipy.special import logsumexp

from ._params import positive_array
from .base import Lagrangian

__all__ = ["Softmax", "LayerNorm"]


class Softmax(Lagrangian):
    """𝓛 = (s/β) log Σ_μ exp(β h_μ / s), activation softmax(β h / s).

    Args:
        beta: inverse temperature β > 0, per unit of the normalised score h/s.
        scale: s > 0, the natural size of the scores (D for dot products of ±1
            vectors, 1 for Euclidean similarities). Scaling keeps β meaningful
            across network sizes; it does not move any fixed point.
    """

    bounded = True
    beta: jax.Array
    scale: jax.Array

    def __init__(self, beta: float = 1.0, scale: float = 1.0):
        self.beta = positive_array("beta", beta, "the softmax Lagrangian")
        self.scale = positive_array("scale", scale, "the softmax Lagrangian")

    def __call__(self, x):
        return self.scale / self.beta * logsumexp(self.beta * x / self.scale)


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
