"""Hypersynapses (tutorial §3.3): scalar energies of the activations of the layers they join."""

from __future__ import annotations

import abc
from typing import ClassVar

import equinox as eqx
import jax

__all__ = ["Hypersynapse", "OneLayerSynapse"]


class Hypersynapse(eqx.Module):
    """Abstract hypersynapse: ``energy(*activations) -> ()``.

    ``layers`` names the neuron layers it joins, in the order ``energy`` takes their
    activations. Low energy means aligned activations.
    """

    kind: ClassVar[str] = "synapse"

    @property
    @abc.abstractmethod
    def layers(self) -> tuple[str, ...]:
        """Names of the joined layers."""

    @abc.abstractmethod
    def energy(self, *activations: jax.Array) -> jax.Array:
        """Interaction energy (a scalar) of the joined layers' activations."""

    @abc.abstractmethod
    def pattern_matrix(self) -> jax.Array | None:
        """The ``(K, D)`` matrix whose product ξ g with the visible activations the energy
        takes, or ``None`` when the energy has no such product. Read-outs that need the
        same product (the overlaps) reuse this array, so a compiled solve computes it once."""


class OneLayerSynapse(Hypersynapse):
    """A synapse joining the visible layer to itself, with exact single-flip energies.

    Besides the energy, it keeps a small cache (overlaps or local fields) so that the
    energy change of flipping one binary neuron costs O(K) or O(1) instead of a full
    re-evaluation — what the asynchronous discrete dynamics (eq. 2.2) need.
    """

    @abc.abstractmethod
    def init_cache(self, sigma: jax.Array):
        """Cache for state ``sigma`` (shape ``(D,)``, entries ±1)."""

    @abc.abstractmethod
    def flip_gain(self, cache, sigma: jax.Array, i) -> jax.Array:
        """E(σ_i = −1) − E(σ_i = +1) with the other neurons fixed (exact, eq. 2.2)."""

    @abc.abstractmethod
    def update_cache(self, cache, i, delta: jax.Array):
        """Cache after σ_i changes by ``delta`` (0 or ±2)."""
