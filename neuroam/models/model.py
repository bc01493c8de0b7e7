"""Models: energy families that, given stored patterns, build a :class:`Network`."""

from __future__ import annotations

import abc
from typing import Any, ClassVar

import equinox as eqx
import jax.numpy as jnp
import numpy as np

from ..arrays import device_array
from ..errors import ModelError
from .lagrangians import Identity, Tanh
from .network import Layer, Network
from .structure import Structure

__all__ = ["Model", "FORMS"]

FORMS = ("one-layer", "bipartite")


class Model(eqx.Module):
    """Abstract energy model.

    A model is the single source of truth every implementation consumes: ``bind``
    turns stored patterns into a :class:`Network` whose energy gives the ideal
    dynamics by autodiff; ``one_layer`` gives the equivalent one-layer model (same
    fixed points) that discrete updates and weight-based hardware need.

    Attributes:
        form: ``"one-layer"`` (visible layer + one self-synapse) or ``"bipartite"``
            (visible feature layer + memory layer joined by ξ).
        tau: time constant of every layer, in model time units.
    """

    name: ClassVar[str]
    #: "binary" models use tanh(gain·x) visible neurons; "real" models identity ones.
    state_kind: ClassVar[str] = "binary"
    forms: ClassVar[tuple[str, ...]] = FORMS
    #: parameter sets that show the family's range of structures (``neuroam list
    #: implementations`` asks every implementation about each); empty: each form at the
    #: defaults
    variants: ClassVar[tuple[dict[str, Any], ...]] = ()

    form: str = eqx.field(static=True)
    tau: float = eqx.field(static=True)

    def _check_form(self):
        if self.form not in self.forms:
            raise ModelError(
                f"form={self.form!r} for the {self.name} model",
                f"one of {list(self.forms)}",
                self._no_form_hint())

    def _no_form_hint(self) -> str:
        return "Pick a form this model has."

    @abc.abstractmethod
    def bind(self, patterns) -> Network:
        """The network storing ``patterns`` (a :class:`~neuroam.patterns.PatternSet`)."""

    @abc.abstractmethod
    def one_layer(self) -> "Model":
        """The one-layer model with the same fixed points in the visible layer."""

    @property
    @abc.abstractmethod
    def structure(self) -> Structure:
        """What this model is made of (form, separation, order, state kind, what it
        stores): implementations decide from it alone whether they can realise it."""

    @abc.abstractmethod
    def params(self) -> dict[str, Any]:
        """The constructor arguments, for provenance and scenarios."""

    def describe(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.params().items())
        return f"{self.name}({args})"

    # -- shared helpers for concrete models ---------------------------------------
    def _visible(self, D: int, gain: float | None) -> Layer:
        lag = Tanh(gain) if self.state_kind == "binary" else Identity()
        return Layer(lag, D, self.tau)

    @staticmethod
    def _xi(patterns) -> jnp.ndarray:
        return device_array(patterns.xi, np.float32)

    @staticmethod
    def _half_sqnorm(patterns) -> jnp.ndarray:
        xi = np.asarray(patterns.xi, dtype=np.float64)
        return device_array(-0.5 * np.sum(xi * xi, axis=1), np.float32)

    def _network(self, layers: dict, synapse) -> Network:
        return Network(layers=layers, synapses=(synapse,), visible="v")
