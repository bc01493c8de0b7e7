from __future__ import annotations

import equinox as eqx

from ...errors import LearningRuleError
from ..lagrangians._params import positive
from ..model import Model
from ..structure import Structure
from ..synapses import DenseSynapse, LogSumReLUSeparation

__all__ = ["LSR"]


class LSR(Model):
    """Log-sum-ReLU (Epanechnikov) energy (tutorial eq. 5.52; Hoover et al. 2025).

    E = −β⁻¹ log(ε + Σ_μ ReLU(1 − β/2 ‖v − ξ^μ‖²)), descended by dv/dt = −∇E.
    Each kernel has finite support of radius √(2/β): stored patterns stay minima,
    overlapping supports create new (emergent) minima, and states outside every
    support sit on the plateau −β⁻¹ log ε and do not move.

    Only the one-layer form exists: log Σ ReLU(1 + βh) is not convex in h, so there is
    no memory-neuron Lagrangian that gives this energy.
    """

    name = "lsr"
    state_kind = "real"
    forms = ("one-layer",)
    beta: float = eqx.field(static=True)
    eps: float = eqx.field(static=True)

    def __init__(self, beta: float = 0.05, form: str = "one-layer", eps: float = 1e-6,
                 tau: float = 1.0, rule: str | None = None):
        self.beta = float(positive("beta", beta, "the LSR energy"))
        self.eps = float(positive("eps", eps, "the LSR energy"))
        self.form, self.tau = form, positive("tau", tau, self.name)
        self._check_form()
        if rule is not None:
            raise LearningRuleError(f"rule={rule!r} for the LSR energy",
                                    "no learning rule: LSR stores ξ itself",
                                    "Use model 'hopfield' for learned pairwise weights.")

    def _no_form_hint(self):
        return ("LSR has no bipartite form: log Σ ReLU(1 + βh) is not a convex Lagrangian. "
                "Use form='one-layer', or the LSE model for a bipartite network.")

    def params(self):
        return {"beta": self.beta, "form": self.form, "eps": self.eps, "tau": self.tau}

    @property
    def structure(self):
        return Structure(self.form, "relu-kernel", state="real")

    def one_layer(self):
        return self

    def bind(self, patterns):
        v = self._visible(patterns.D, None)
        sep = LogSumReLUSeparation(self.beta, self.eps)
        return self._network({"v": v}, DenseSynapse(self._xi(patterns), self._half_sqnorm(patterns), sep))
