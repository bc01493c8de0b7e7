"""Hypersynapses: dense one-layer, pairwise weights, and bipartite."""

from .base import Hypersynapse, OneLayerSynapse
from .bipartite import BipartiteSynapse
from .dense import DenseSynapse
from .separation import (LogSumExpSeparation, LogSumReLUSeparation, PowerSeparation,
                         Separation)
from .weights import WeightSynapse

__all__ = ["Hypersynapse", "OneLayerSynapse", "DenseSynapse", "WeightSynapse",
           "BipartiteSynapse", "Separation", "PowerSeparation", "LogSumExpSeparation",
           "LogSumReLUSeparation"]
