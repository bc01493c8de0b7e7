from __future__ import annotations

import equinox as eqx
import jax
import jax.numpy as jnp

from ...errors import ModelError
from ._params import order, positive_array
from .base import Lagrangian

__all__ = ["Polynomial", "ReLU"]


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
