from __future__ import annotations

import equinox as eqx
import jax
import jax.numpy as jnp

from .base import Hypersynapse

__all__ = ["BipartiteSynapse"]


class BipartiteSynapse(Hypersynapse):
    """Dense hypersynapse between visible (D) and memory (K) layers: E = −fᵀ(ξ g + b).

    Feature neurons receive ξᵀ f, memory neurons receive ξ g + b (Krotov & Hopfield
    2021). This is the form a crossbar reads both ways and a spiking network mirrors.

    Attributes:
        xi: ``(K, D)`` stored patterns (the synaptic matrix).
        bias: ``(K,)`` memory-neuron offsets.
    """

    kind = "bipartite"
    xi: jax.Array
    bias: jax.Array
    visible: str = eqx.field(static=True, default="v")
    hidden: str = eqx.field(static=True, default="h")

    @property
    def layers(self):
        return (self.visible, self.hidden)

    def energy(self, g, f):
        return -jnp.vdot(f, self.xi @ g + self.bias)

    def pattern_matrix(self):
        return self.xi
