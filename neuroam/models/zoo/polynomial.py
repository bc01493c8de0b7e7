from __future__ import annotations

import equinox as eqx
import numpy as np

from ...arrays import device_array
from ...errors import LearningRuleError, ModelError
from ..lagrangians import Polynomial as PolyLagrangian
from ..lagrangians._params import flag, order, positive
from ..model import Model
from ..structure import Structure
from ..network import Layer
from ..synapses import BipartiteSynapse, DenseSynapse, PowerSeparation

__all__ = ["PolynomialDenseAM"]


class PolynomialDenseAM(Model):
    """Polynomial DenseAM, E = −Σ_μ F(ξ^μ·g), F(z) = zⁿ/n (tutorial eq. 2.1, 2.13).

    Written with normalised overlaps, E = −D Σ_μ F(ξ^μ·g / D) = D^{1−n} × (eq. 2.1):
    the same minima and the same discrete dynamics, with O(1) currents in continuous time.
    Error-free capacity K ≈ D^{n−1} / (2 (2n−3)!! ln D) (Krotov & Hopfield 2016).

    Forms: ``one-layer`` for any n ≥ 2; ``bipartite`` (memory Lagrangian D Σ F(h/D))
    for even n, or any n with ``rectified=True`` (F(z) = ReLU(z)ⁿ/n).
    """

    name = "polynomial"
    variants = ({"n": 3}, {"n": 4}, {"n": 4, "form": "bipartite"},
                {"n": 3, "form": "bipartite", "rectified": True})
    n: int = eqx.field(static=True)
    rectified: bool = eqx.field(static=True)
    gain: float = eqx.field(static=True)

    def __init__(self, n: int = 3, form: str = "one-layer", rectified: bool = False,
                 gain: float = 4.0, tau: float = 1.0, rule: str | None = None):
        self.n = order(n, "the polynomial DenseAM")
        self.form, self.rectified = form, flag("rectified", rectified, self.name)
        self.gain, self.tau = positive("gain", gain, self.name), positive("tau", tau, self.name)
        self._check_form()
        if rule is not None:
            raise LearningRuleError(
                f"rule={rule!r} for the polynomial DenseAM (n={self.n})",
                "no learning rule: a DenseAM stores the patterns ξ themselves",
                "Learning rules make pairwise weights; use model 'hopfield' for them.")
        if self.form == "bipartite" and self.n % 2 == 1 and not self.rectified:
            raise ModelError(
                f"form='bipartite' with odd n={self.n}",
                "an even n, or rectified=True",
                "zⁿ/n is not a convex memory-neuron Lagrangian for odd n; use rectified=True "
                "or the one-layer form.")
        self._visible(1, self.gain)

    def params(self):
        return {"n": self.n, "form": self.form, "rectified": self.rectified, "gain": self.gain,
                "tau": self.tau}

    @property
    def structure(self):
        return Structure(self.form, "power", order=self.n, rectified=self.rectified,
                         memory="polynomial" if self.form == "bipartite" else None)

    def one_layer(self):
        if self.form == "one-layer":
            return self
        return PolynomialDenseAM(self.n, "one-layer", self.rectified, self.gain, self.tau)

    def bind(self, patterns):
        D = patterns.D
        v = self._visible(D, self.gain)
        xi = self._xi(patterns)
        zeros = device_array(np.zeros(patterns.K, np.float32))
        if self.form == "bipartite":
            h = Layer(PolyLagrangian(self.n, self.rectified, scale=D), patterns.K, self.tau)
            return self._network({"v": v, "h": h}, BipartiteSynapse(xi, zeros))
        sep = PowerSeparation(self.n, self.rectified, scale=D)
        return self._network({"v": v}, DenseSynapse(xi, zeros, sep))
