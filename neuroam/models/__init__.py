"""Energy models in the neuron-layer + hypersynapse form (tutorial ch. 3): the model families
by name (:mod:`.zoo`), built from Lagrangians and hypersynapses into a :class:`Network`."""

from . import lagrangians, synapses
from .model import FORMS, Model
from .structure import Structure
from .network import Layer, Network
from .registry import MODELS, make_model, model_names, model_parameters
from .zoo import LSE, LSR, ExponentialDenseAM, Hopfield, PolynomialDenseAM

__all__ = ["Model", "Structure", "Network", "Layer", "FORMS", "make_model", "model_names", "model_parameters",
           "MODELS", "Hopfield", "PolynomialDenseAM", "ExponentialDenseAM", "LSE", "LSR",
           "lagrangians", "synapses"]
