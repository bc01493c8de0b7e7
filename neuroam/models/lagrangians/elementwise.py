"""Elementwise Lagrangians 𝓛(x) = Σ_i F(x_i): each neuron's activation F'(x_i) depends on
its own state only (identity, powers, tanh and its sign limit, exponential).
"""

from __future__ import annotations

import equinox as eqx
import jax
import jax.numpy as jnp

from ...errors import ModelError
from ._params import order, positive_array
from .base import Lagrangian

__all__ = ["Identity", "Polynomial", "ReLU", "Tanh", "Sign", "Exponential"]


class Identity(Lagrangian):
    """𝓛 = ½ Σ x², activation x̂ = x, energy ½‖x‖² (unbounded activations)."""

    def __call__(self, x):
        return 0.5 * jnp.sum(x * x)


class Polynomial(Lagrangian):
    """𝓛 = s Σ F(x/s) with F(u) = uⁿ/n, or ReLU(u)ⁿ/n when ``rectified``.

    Activation x̂ = F'(x/s) = (x/s)ⁿ⁻¹ (rectified: ReLU(x/s)ⁿ⁻¹). Convex for even n
    and for every rectified n ≥ 2; plain odd powers are not convex and are refused.

    Args:
        n: the power, an integer ≥ 2.
        rectified: use ReLU(u)ⁿ/n.
        scale: s > 0, natural size of the inputs (D for overlaps of ±1 vectors).
    """

    n: int = eqx.field(static=True)
    rectified: bool = eqx.field(static=True)
    scale: jax.Array

    def __init__(self, n: int = 2, rectified: bool = False, scale: float = 1.0):
        n = order(n, "the polynomial Lagrangian")
        if n % 2 == 1 and not rectified:
            raise ModelError(
                f"a plain polynomial Lagrangian with odd n={n}",
                "an even n, or rectified=True",
                "uⁿ/n is not convex for odd n; use the rectified power ReLU(u)ⁿ/n.")
        self.n = n
        self.rectified = bool(rectified)
        self.scale = positive_array("scale", scale, "the polynomial Lagrangian")

    def __call__(self, x):
        u = x / self.scale
        if self.rectified:
            u = jax.nn.relu(u)
        return self.scale * jnp.sum(u**self.n) / self.n


class ReLU(Lagrangian):
    """𝓛 = ½ Σ ReLU(x)², activation ReLU(x)."""

    def __call__(self, x):
        return 0.5 * jnp.sum(jax.nn.relu(x) ** 2)


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
