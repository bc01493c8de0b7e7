from __future__ import annotations

import equinox as eqx

from ...errors import LearningRuleError
from ..lagrangians import Softmax
from ..lagrangians._params import positive
from ..model import Model
from ..structure import Structure
from ..network import Layer
from ..synapses import BipartiteSynapse, DenseSynapse, LogSumExpSeparation

__all__ = ["LSE"]


class LSE(Model):
    """Log-sum-exp energy E = −β⁻¹ log Σ_μ exp(−β/2 ‖v − ξ^μ‖²) (tutorial eq. 5.13).

    Continuous (identity) visible neurons; the dynamics dv/dt = −∇E (eq. 5.11) move v
    to a softmax-weighted mean of the patterns. Works for binary and real patterns.

    Forms: ``one-layer``; ``bipartite`` with softmax memory neurons fed ξv − ½‖ξ‖²
    (eliminating them gives the one-layer energy exactly).

    Args:
        beta: inverse temperature β > 0 (1/distance²).
    """

    name = "lse"
    state_kind = "real"
    beta: float = eqx.field(static=True)

    def __init__(self, beta: float = 1.0, form: str = "one-layer", tau: float = 1.0,
                 rule: str | None = None):
        self.beta = float(positive("beta", beta, "the LSE energy"))
        self.form, self.tau = form, positive("tau", tau, self.name)
        self._check_form()
        if rule is not None:
            raise LearningRuleError(f"rule={rule!r} for the LSE energy",
                                    "no learning rule: LSE stores ξ itself",
                                    "Use model 'hopfield' for learned pairwise weights.")

    def params(self):
        return {"beta": self.beta, "form": self.form, "tau": self.tau}

    @property
    def structure(self):
        return Structure(self.form, "exponential", state="real",
                         memory="softmax" if self.form == "bipartite" else None)

    def one_layer(self):
        return self if self.form == "one-layer" else LSE(self.beta, "one-layer", self.tau)

    def bind(self, patterns):
        v = self._visible(patterns.D, None)
        xi, b = self._xi(patterns), self._half_sqnorm(patterns)
        if self.form == "bipartite":
            h = Layer(Softmax(self.beta, scale=1.0), patterns.K, self.tau)
            return self._network({"v": v, "h": h}, BipartiteSynapse(xi, b))
        return self._network({"v": v}, DenseSynapse(xi, b, LogSumExpSeparation(self.beta, 1.0)))
