"""Hypersynapses: the abstract bases, the dense one-layer, pairwise-weight and bipartite
synapses, and the separation functions Φ of the dense one."""

from .base import Hypersynapse, OneLayerSynapse
from .bipartite import BipartiteSynapse
from .dense import DenseSynapse
from .separation import (LogSumExpSeparation, LogSumReLUSeparation, PowerSeparation,
                         Separation)
from .weights import WeightSynapse

__all__ = ["Hypersynapse", "OneLayerSynapse", "DenseSynapse", "WeightSynapse",
           "BipartiteSynapse", "Separation", "PowerSeparation", "LogSumExpSeparation",
           "LogSumReLUSeparation"]
