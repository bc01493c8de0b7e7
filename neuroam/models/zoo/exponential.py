from __future__ import annotations

import equinox as eqx
import numpy as np

from ...arrays import device_array
from ...errors import LearningRuleError
from ..lagrangians import Softmax
from ..lagrangians._params import positive
from ..model import Model
from ..structure import Structure
from ..network import Layer
from ..synapses import BipartiteSynapse, DenseSynapse, LogSumExpSeparation

__all__ = ["ExponentialDenseAM"]


class ExponentialDenseAM(Model):
    """Exponential DenseAM, F(z) = exp(z) (Demircigil et al. 2017; tutorial eq. 2.22).

    Energy descended here: E = −(D/β) log Σ_μ exp(β ξ^μ·g / D), the logarithm of
    −Σ exp(β ξ^μ·g/D): a monotone transform, so minima and discrete dynamics are those
    of the exponential energy while continuous-time currents stay O(1) (no overflow).
    ``beta=None`` means β = D, i.e. exactly F(z) = exp(z) on raw overlaps.
    Capacity K ≈ 2^{D/2} with large basins.

    Forms: ``one-layer``; ``bipartite`` with softmax memory neurons (β h / D).
    """

    name = "exponential"
    beta: float | None = eqx.field(static=True)
    gain: float = eqx.field(static=True)

    def __init__(self, beta: float | None = None, form: str = "one-layer", gain: float = 4.0,
                 tau: float = 1.0, rule: str | None = None):
        self.beta = None if beta is None else float(positive("beta", beta, "the exponential DenseAM"))
        self.form = form
        self.gain, self.tau = positive("gain", gain, self.name), positive("tau", tau, self.name)
        self._check_form()
        if rule is not None:
            raise LearningRuleError(f"rule={rule!r} for the exponential DenseAM",
                                    "no learning rule: a DenseAM stores ξ itself",
                                    "Use model 'hopfield' for learned pairwise weights.")
        self._visible(1, self.gain)

    def params(self):
        return {"beta": self.beta, "form": self.form, "gain": self.gain, "tau": self.tau}

    @property
    def structure(self):
        return Structure(self.form, "exponential",
                         memory="softmax" if self.form == "bipartite" else None)

    def one_layer(self):
        if self.form == "one-layer":
            return self
        return ExponentialDenseAM(self.beta, "one-layer", self.gain, self.tau)

    def bind(self, patterns):
        D = patterns.D
        beta = float(D) if self.beta is None else self.beta
        v = self._visible(D, self.gain)
        xi = self._xi(patterns)
        zeros = device_array(np.zeros(patterns.K, np.float32))
        if self.form == "bipartite":
            h = Layer(Softmax(beta, scale=D), patterns.K, self.tau)
            return self._network({"v": v, "h": h}, BipartiteSynapse(xi, zeros))
        return self._network({"v": v}, DenseSynapse(xi, zeros, LogSumExpSeparation(beta, scale=D)))
