from __future__ import annotations

import equinox as eqx
import jax
import jax.numpy as jnp

from .base import OneLayerSynapse

__all__ = ["WeightSynapse"]


class WeightSynapse(OneLayerSynapse):
    """Pairwise hypersynapse E = −½ gᵀ W g − bᵀ g with a symmetric ``(D, D)`` W.

    The weight-based classical Hopfield network (eq. 2.18) with W from a learning rule.
    """

    kind = "weights"
    W: jax.Array
    b: jax.Array
    layer: str = eqx.field(static=True, default="v")

    @property
    def layers(self):
        return (self.layer,)

    def energy(self, g):
        return -0.5 * jnp.vdot(g, self.W @ g) - jnp.vdot(self.b, g)

    def pattern_matrix(self):
        return None

    def init_cache(self, sigma):
        return self.W @ sigma

    def flip_gain(self, cache, sigma, i):
        # E(−1) − E(+1) = 2 (Σ_{j≠i} W_ij σ_j + b_i): the self-coupling cancels.
        return 2.0 * (cache[i] - self.W[i, i] * sigma[i] + self.b[i])

    def update_cache(self, cache, i, delta):
        return cache + self.W[:, i] * delta
