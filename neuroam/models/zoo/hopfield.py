from __future__ import annotations

import equinox as eqx
import numpy as np

from ...arrays import device_array
from ...errors import LearningRuleError
from ...learning import learn
from ..lagrangians import Polynomial
from ..lagrangians._params import flag, positive
from ..model import Model
from ..structure import Structure
from ..network import Layer
from ..synapses import BipartiteSynapse, DenseSynapse, PowerSeparation, WeightSynapse

__all__ = ["Hopfield"]


class Hopfield(Model):
    """Classical Hopfield network, F(z) = z²/2 (tutorial eq. 2.18).

    Forms:
        - ``one-layer``, ``rule=None``: E = −(1/2D) Σ_μ (ξ^μ·g)² = −½ gᵀ(ξᵀξ/D)g.
        - ``one-layer``, ``rule="hebbian"|"storkey"|"pseudo-inverse"``: E = −½ gᵀWg with
          W from the learning rule (zero diagonal for Hebb and Storkey).
        - ``bipartite``: memory neurons with 𝓛_h = (1/2D) Σ h², f = h/D; eliminating
          them gives the one-layer energy exactly.

    Args:
        gain: β of the visible tanh(βx) activations (→ ∞: binary neurons).
        rule: learning rule for the weight form, or None for the pattern form.
        zero_diagonal: with a rule: True removes the self-coupling W_ii, False keeps it,
            None (default) keeps the rule's own convention (see ``neuroam.learning.learn``).
        tau: time constant (model units).
    """

    name = "hopfield"
    variants = ({}, {"rule": "hebbian"}, {"form": "bipartite"})
    gain: float = eqx.field(static=True)
    rule: str | None = eqx.field(static=True)
    zero_diagonal: bool | None = eqx.field(static=True)

    def __init__(self, form: str = "one-layer", rule: str | None = None, gain: float = 4.0,
                 tau: float = 1.0, zero_diagonal: bool | None = None):
        self.form, self.rule = form, rule
        self.zero_diagonal = None if zero_diagonal is None else flag("zero_diagonal",
                                                                    zero_diagonal, self.name)
        if self.zero_diagonal is not None and rule is None:
            raise LearningRuleError(f"zero_diagonal={zero_diagonal!r} without a learning rule",
                                    "zero_diagonal together with rule = ...",
                                    "The pattern form has no weight matrix; add a rule.")
        self.gain, self.tau = positive("gain", gain, self.name), positive("tau", tau, self.name)
        self._check_form()
        if rule is not None and form != "one-layer":
            raise LearningRuleError(
                f"rule={rule!r} with form={form!r}",
                "a learning rule only with the one-layer (weight) form",
                "A bipartite network stores ξ itself; drop `rule` or use form='one-layer'.")
        self._visible(1, self.gain)  # validates gain

    def params(self):
        out = {"form": self.form, "rule": self.rule, "gain": self.gain, "tau": self.tau}
        if self.zero_diagonal is not None:
            out["zero_diagonal"] = self.zero_diagonal
        return out

    @property
    def structure(self):
        if self.rule is not None:
            return Structure(self.form, "power", order=2, stores="weights", rule=self.rule)
        return Structure(self.form, "power", order=2,
                         memory="polynomial" if self.form == "bipartite" else None)

    def one_layer(self):
        return self if self.form == "one-layer" else Hopfield("one-layer", None, self.gain, self.tau)

    def bind(self, patterns):
        D = patterns.D
        v = self._visible(D, self.gain)
        xi = self._xi(patterns)
        zeros = device_array(np.zeros(patterns.K, np.float32))
        if self.form == "bipartite":
            h = Layer(Polynomial(2, scale=D), patterns.K, self.tau)
            return self._network({"v": v, "h": h}, BipartiteSynapse(xi, zeros))
        if self.rule is not None:
            W = device_array(learn(self.rule, patterns, zero_diagonal=self.zero_diagonal))
            return self._network({"v": v}, WeightSynapse(W, device_array(np.zeros(D, np.float32))))
        return self._network({"v": v}, DenseSynapse(xi, zeros, PowerSeparation(2, scale=D)))
