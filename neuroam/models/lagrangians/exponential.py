from __future__ import annotations

import jax
import jax.numpy as jnp

from ._params import positive_array
from .base import Lagrangian

__all__ = ["Exponential"]


class Exponential(Lagrangian):
    """𝓛 = (s/β) Σ exp(β x / s), activation exp(β x / s) (unbounded).

    The memory-layer Lagrangian of the exponential DenseAM written as independent
    neurons. Overflows in float32 once β x / s ≳ 88: prefer :class:`Softmax` (its
    logarithm) for continuous-time recall.
    """

    beta: jax.Array
    scale: jax.Array

    def __init__(self, beta: float = 1.0, scale: float = 1.0):
        self.beta = positive_array("beta", beta, "the exponential Lagrangian")
        self.scale = positive_array("scale", scale, "the exponential Lagrangian")

    def __call__(self, x):
        return self.scale / self.beta * jnp.sum(jnp.exp(self.beta * x / self.scale))
