"""A simulator-free description of one trial's spiking network (the "netlist").

The templates (:mod:`.hopfield`, :mod:`.dense`) translate a model and its patterns into
a :class:`Netlist`: populations of LIF neurons with their rate codes and per-neuron
biases, and all-to-all projections with weight matrices. :mod:`.build` turns it into
Brian2 objects for a batch of independent trial copies. Everything that shapes the
generated code (sizes, constants) is in :meth:`Netlist.structure_key`; everything that
only sets values (weights, biases, cues, initial potentials) is data, so one compiled
standalone program serves every pattern set and cue of the same shape.

Drive units: every synaptic, bias and cue input is a dimensionless drive x; a
population turns it into the membrane current I_rest + I_unit·x.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from typing import Any

import numpy as np

from .params import NetworkParams, NeuronParams

__all__ = ["Population", "Projection", "Netlist"]


@dataclasses.dataclass(frozen=True)
class Population:
    """``size`` LIF neurons per trial.

    Attributes:
        name: Brian2 object name (``"features"``, ``"memories"``, ``"inhibitory"``).
        size: neurons per trial.
        neuron: membrane parameters.
        I_rest, I_unit: A; the membrane current is I_rest + I_unit·(x_syn + x_bias + cue).
        bias: ``(size,)`` constant drive x_bias (dimensionless).
        tau_syn: s, decay time of the synaptic drive this population receives.
        cued: receives the cue current (the visible population).
        pairs: the population codes ±1 units as ON/OFF pairs: neuron i is unit i's ON
            neuron and neuron ``size/2 + i`` its OFF neuron.
    """

    name: str
    size: int
    neuron: NeuronParams
    I_rest: float
    I_unit: float
    bias: np.ndarray
    tau_syn: float
    cued: bool = False
    pairs: bool = False

    @property
    def units(self) -> int:
        """±1 units (D for the visible population)."""
        return self.size // 2 if self.pairs else self.size


@dataclasses.dataclass(frozen=True)
class Projection:
    """Synapses ``source -> target`` within each trial copy: all-to-all, or one-to-one.

    All-to-all: ``weights[a, b]`` (``(n_source, n_target)``) is the jump of the target's
    drive x_syn (dimensionless) when neuron ``a`` of the source spikes, felt by neuron
    ``b`` of the target; it decays with τ_syn. Zero entries are kept as synapses so that
    the structure depends on the sizes only.

    One-to-one (``one_to_one=True``, source and target of the same size n, e.g. a
    population onto itself for self-excitation): ``weights[a]`` (``(n,)``) is the jump
    neuron ``a`` of the target feels when neuron ``a`` of the source spikes; n synapses
    instead of n².
    """

    name: str
    source: str
    target: str
    weights: np.ndarray
    one_to_one: bool = False

    def __post_init__(self):
        ndim = 1 if self.one_to_one else 2
        if np.ndim(self.weights) != ndim:  # a template bug, not a user input
            raise ValueError(f"projection {self.name!r}: weights of shape "
                             f"{np.shape(self.weights)}, expected {ndim} dimensions")

    @property
    def n_synapses(self) -> int:
        return int(self.weights.size)

    @property
    def shape(self) -> tuple[int, int]:
        """``(n_source, n_target)`` per trial."""
        n = self.weights.shape
        return (n[0], n[0]) if self.one_to_one else (n[0], n[1])


@dataclasses.dataclass(frozen=True)
class Netlist:
    """One trial's network.

    Attributes:
        architecture: ``"hopfield"`` or ``"dense"``.
        populations, projections: the network.
        visible: name of the population whose rates are decoded into the ±1 state.
        network: the template's parameters (time step, windows, rates, ...).
        rate_on: Hz, the rate of an active ON/OFF neuron (σ̂ = ±1).
        attrs: translation details for provenance (scalars).
    """

    architecture: str
    populations: tuple[Population, ...]
    projections: tuple[Projection, ...]
    visible: str
    network: NetworkParams
    rate_on: float
    attrs: dict[str, Any] = dataclasses.field(default_factory=dict)

    def population(self, name: str) -> Population:
        return next(p for p in self.populations if p.name == name)

    @property
    def neurons_per_trial(self) -> int:
        return sum(p.size for p in self.populations)

    @property
    def synapses_per_trial(self) -> int:
        return sum(p.n_synapses for p in self.projections)

    @property
    def D(self) -> int:
        return self.population(self.visible).units

    def structure_key(self, batch: int, extra: Any = None) -> str:
        """A digest of everything that shapes the generated code for ``batch`` trials."""
        desc = {
            "batch": batch, "extra": extra,
            "pops": [(p.name, p.size, sorted((k, str(v)) for k, v in p.neuron.values.items()),
                      repr(p.I_rest), repr(p.I_unit), repr(p.tau_syn), p.cued, p.pairs) for p in self.populations],
            "proj": [(q.name, q.source, q.target, q.weights.shape, q.one_to_one)
                     for q in self.projections],
            "net": sorted((k, str(v)) for k, v in self.network.values.items()),
        }
        return hashlib.sha1(json.dumps(desc, default=str).encode()).hexdigest()[:16]
