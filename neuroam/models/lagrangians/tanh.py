from __future__ import annotations

import jax
import jax.numpy as jnp

from ._params import positive_array
from .base import Lagrangian

__all__ = ["Tanh", "Sign"]


def _log_cosh(y):
    a = jnp.abs(y)
    return a + jnp.log1p(jnp.exp(-2.0 * a)) - jnp.log(2.0)


class Tanh(Lagrangian):
    """𝓛 = β⁻¹ Σ log cosh(βx), activation x̂ = tanh(βx) (tutorial eq. 3.6).

    Args:
        beta: gain β > 0 (dimensionless). As β → ∞ the activation becomes sign(x)
            and the layer energy vanishes (see :class:`Sign`).
    """

    bounded = True
    beta: jax.Array

    def __init__(self, beta: float = 1.0):
        self.beta = positive_array("beta", beta, "the tanh Lagrangian")

    def __call__(self, x):
        return jnp.sum(_log_cosh(self.beta * x)) / self.beta


class Sign(Lagrangian):
    """The β → ∞ limit of :class:`Tanh`: 𝓛 = Σ|x|, x̂ = sign(x), layer energy 0.

    Its activation is discontinuous, so it serves the discrete (eq. 2.3) updates only;
    ODE and SDE solvers reject it.
    """

    continuous = False
    bounded = True

    def __call__(self, x):
        return jnp.sum(jnp.abs(x))
