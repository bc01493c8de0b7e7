"""Neuron-layer Lagrangians: activations and energies come from autodiff. The abstract
:class:`Lagrangian` (:mod:`.base`), the elementwise ones and the normalising ones.
"""

from .base import Lagrangian
from .elementwise import Exponential, Identity, Polynomial, ReLU, Sign, Tanh
from .normalising import LayerNorm, Softmax

__all__ = ["Lagrangian", "Identity", "Tanh", "Sign", "Softmax", "Polynomial", "ReLU",
           "Exponential", "LayerNorm"]
