"""Separation functions Φ(scores, ‖g‖²) of the one-layer DenseAM synapse.

Every energy is written as a function of the K scores s = ξ g + b and of ‖g‖², so
that the synapse can update its scores incrementally when one neuron flips.
"""

from __future__ import annotations

import abc

import equinox as eqx
import jax
import jax.numpy as jnp
from jax.scipy.special import logsumexp

from ..lagrangians._params import order, positive_array

__all__ = ["Separation", "PowerSeparation", "LogSumExpSeparation", "LogSumReLUSeparation"]


class Separation(eqx.Module):
    """Abstract: ``Φ(scores (K,), sqnorm ()) -> ()``, the synapse energy."""

    @abc.abstractmethod
    def __call__(self, scores: jax.Array, sqnorm: jax.Array) -> jax.Array: ...


class PowerSeparation(Separation):
    """Φ = −s Σ_μ F(score_μ / s) with F(u) = uⁿ/n (rectified: ReLU(u)ⁿ/n).

    With s = D this is the tutorial's polynomial energy −Σ F(ξ·σ) (eq. 2.1, 2.13)
    times the positive constant D^{1−n}: same minima, same discrete dynamics.
    """

    n: int = eqx.field(static=True)
    rectified: bool = eqx.field(static=True)
    scale: jax.Array

    def __init__(self, n: int, rectified: bool = False, scale: float = 1.0):
        self.n = order(n, "the polynomial separation function")
        self.rectified = bool(rectified)
        self.scale = positive_array("scale", scale, "the polynomial separation function")

    def __call__(self, scores, sqnorm):
        u = scores / self.scale
        if self.rectified:
            u = jax.nn.relu(u)
        return -self.scale * jnp.sum(u**self.n) / self.n


class LogSumExpSeparation(Separation):
    """Φ = −(s/β) log Σ_μ exp(β score_μ / s).

    With scores = ξ g − ½‖ξ‖² and s = 1 this plus the identity layer's ½‖g‖² is the
    LSE energy −β⁻¹ log Σ exp(−β/2 ‖g − ξ^μ‖²) (tutorial eq. 5.13 with its 1/β). With
    scores = ξ·σ and s = D it is the logarithm of the exponential DenseAM energy
    −Σ exp(β ξ·σ / D) — a monotone transform with the same minima.
    """

    beta: jax.Array
    scale: jax.Array

    def __init__(self, beta: float, scale: float = 1.0):
        self.beta = positive_array("beta", beta, "the log-sum-exp separation")
        self.scale = positive_array("scale", scale, "the log-sum-exp separation")

    def __call__(self, scores, sqnorm):
        return -self.scale / self.beta * logsumexp(self.beta * scores / self.scale)


class LogSumReLUSeparation(Separation):
    """LSR (Epanechnikov) energy (tutorial eq. 5.52, Hoover et al. 2025), minus ½‖g‖².

    E_LSR(g) = −β⁻¹ log(ε + Σ_μ ReLU(1 − β/2 ‖g − ξ^μ‖²)); with scores = ξ g − ½‖ξ‖²,
    1 − β/2 ‖g − ξ‖² = 1 + β (score − ½‖g‖²). The −½‖g‖² cancels the identity layer's
    energy, so the total energy is exactly E_LSR and the dynamics are its gradient
    flow. ε > 0 replaces the +∞ energy outside every kernel's support by the finite
    plateau −β⁻¹ log ε, where the dynamics stop (such states end as spurious).
    The 1/β prefactor (absent in eq. 5.52) matches the LSE convention; it rescales time only.
    """

    beta: jax.Array
    eps: jax.Array

    def __init__(self, beta: float, eps: float = 1e-6):
        self.beta = positive_array("beta", beta, "the log-sum-ReLU separation")
        self.eps = positive_array("eps", eps, "the log-sum-ReLU separation")

    def __call__(self, scores, sqnorm):
        k = jax.nn.relu(1.0 + self.beta * (scores - 0.5 * sqnorm))
        return -jnp.log(self.eps + jnp.sum(k)) / self.beta - 0.5 * sqnorm
