"""Neuron-layer Lagrangians: activations and energies come from autodiff."""

from .base import Lagrangian
from .exponential import Exponential
from .identity import Identity
from .layernorm import LayerNorm
from .polynomial import Polynomial, ReLU
from .softmax import Softmax
from .tanh import Sign, Tanh

__all__ = ["Lagrangian", "Identity", "Tanh", "Sign", "Softmax", "Polynomial", "ReLU",
           "Exponential", "LayerNorm"]
