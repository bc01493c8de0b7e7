"""Neuron-layer Lagrangians (tutorial §3.2).

A neuron layer is a convex scalar function 𝓛(x) of its internal state x (shape
``(n,)``). Everything else is derived by autodiff:

- activation  x̂ = ∇𝓛(x)
- energy      E(x̂) = ⟨x, x̂⟩ − 𝓛(x)   (the Legendre transform; ∂E/∂x̂ = x)

States and activations are dimensionless (they are written in units of the neuron's
own scale); time is in units of the layer's time constant τ.
"""

from __future__ import annotations

import abc
from typing import ClassVar

import equinox as eqx
import jax
import jax.numpy as jnp

__all__ = ["Lagrangian"]


class Lagrangian(eqx.Module):
    """Abstract convex Lagrangian 𝓛: ``(n,) -> ()``."""

    #: False for Lagrangians whose activation is discontinuous (the sign limit):
    #: they serve discrete updates, not ODE/SDE solvers.
    continuous: ClassVar[bool] = True
    #: True when the activations are bounded (guarantees convergence, tutorial eq. 3.2).
    bounded: ClassVar[bool] = False

    @abc.abstractmethod
    def __call__(self, x: jax.Array) -> jax.Array:
        """𝓛(x) for one layer state ``x`` of shape ``(n,)``; returns a scalar."""

    def activation(self, x: jax.Array) -> jax.Array:
        """x̂ = ∇𝓛(x), shape ``(n,)``."""
        return jax.grad(self.__call__)(x)

    def energy(self, x: jax.Array) -> jax.Array:
        """Layer energy ⟨x, x̂⟩ − 𝓛(x) (a scalar)."""
        return jnp.vdot(x, self.activation(x)) - self(x)

    def energy_and_activation(self, x: jax.Array) -> tuple[jax.Array, jax.Array]:
        lag, g = jax.value_and_grad(self.__call__)(x)
        return jnp.vdot(x, g) - lag, g
