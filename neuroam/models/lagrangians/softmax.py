from __future__ import annotations

import jax
import jax.numpy as jnp
from jax.scipy.special import logsumexp

from ._params import positive_array
from .base import Lagrangian

__all__ = ["Softmax"]


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
