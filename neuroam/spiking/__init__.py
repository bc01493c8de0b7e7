"""Spiking mirrors in Brian2: the stored patterns recalled by LIF networks.

Two templates translate a model of the core into a network of leaky integrate-and-fire
neurons, declared as tables of parameters with units (neuron cards in ``devices/``,
network cards in ``circuits/``):

- ``hopfield`` (:mod:`.hopfield`): one-layer pairwise models, recurrent weights from the
  model's learning rule;
- ``dense`` (:mod:`.dense`): bipartite softmax DenseAMs, feature ↔ memory neurons through
  ξ both ways and a shared inhibitory pool whose gain plays β.

Flow: :func:`translate` (model, patterns, cards) → :class:`Netlist` → :func:`simulate`
(Brian2 numpy / cython / cpp_standalone, batched trial copies, optional worker processes)
→ :func:`to_result` (windowed rates → ±1 states, overlaps, status, spike trains in the
ragged layout). The ``spiking`` implementation wraps the three.
"""

from .backends import BACKENDS, Backend
from .netlist import Netlist, Population, Projection
from .params import (DENSE_PARAMS, NETWORK_PARAMS, NEURON_PARAMS, NetworkParams, NeuronParams,
                     load_network, load_neuron)
from .run import Simulation, simulate, to_result
from .translate import DEFAULT_CIRCUITS, architecture_for, translate
from .units import ParamSpec

__all__ = ["translate", "simulate", "to_result", "architecture_for", "DEFAULT_CIRCUITS",
           "Netlist", "Population", "Projection", "Simulation", "BACKENDS", "Backend",
           "NeuronParams", "NetworkParams", "load_neuron", "load_network", "ParamSpec",
           "NEURON_PARAMS", "NETWORK_PARAMS", "DENSE_PARAMS"]
