from __future__ import annotations

import equinox as eqx
import jax
import jax.numpy as jnp

from .base import OneLayerSynapse
from .separation import Separation

__all__ = ["DenseSynapse"]


class DenseSynapse(OneLayerSynapse):
    """One-layer DenseAM hypersynapse: E = Φ(ξ g + b, ‖g‖²) (tutorial eq. 3.7).

    Attributes:
        xi: ``(K, D)`` stored patterns.
        bias: ``(K,)`` score offsets (−½‖ξ^μ‖² for Euclidean similarity, else 0).
        separation: the energy Φ as a function of the scores.
        layer: name of the layer it connects to itself.
    """

    kind = "dense"
    xi: jax.Array
    bias: jax.Array
    separation: Separation
    layer: str = eqx.field(static=True, default="v")

    @property
    def layers(self):
        return (self.layer,)

    def energy(self, g):
        return self.separation(self.xi @ g + self.bias, jnp.vdot(g, g))

    def pattern_matrix(self):
        return self.xi

    def init_cache(self, sigma):
        return self.xi @ sigma + self.bias

    def flip_gain(self, cache, sigma, i):
        col = self.xi[:, i]
        sq = jnp.asarray(sigma.shape[0], cache.dtype)  # ‖σ‖² = D for ±1 states
        up = self.separation(cache + col * (1.0 - sigma[i]), sq)
        down = self.separation(cache + col * (-1.0 - sigma[i]), sq)
        return down - up

    def update_cache(self, cache, i, delta):
        return cache + self.xi[:, i] * delta
