"""From an energy model to oscillator couplings: a declarative table, no re-derived maths.

The oscillator realises the binary DenseAM E(σ) = −D Σ_μ Σ_p λ_p F_p(ξ^μ·σ / D),
F_p(u) = u^p / p (even p), plus an optional pairwise learning-rule term −½ λ_W σᵀWσ.
By default the strengths come from the model, so that the binary limit of the oscillator
energy *is* the model's energy:

==============================================  ==========================================
model                                            oscillator coupling (strength 1)
==============================================  ==========================================
``hopfield`` (pattern form, rule None)           p = 2 overlap form (Hebbian with diagonal)
``hopfield`` rule ``hebbian``                    p = 2 overlap form minus its constant
                                                 diagonal (exactly −½ σᵀW_Hebb σ)
``hopfield`` rule ``storkey`` / ``pseudo-inverse``  weights W from ``neuroam.learning``
``polynomial`` n even (not rectified)            p = n overlap form (n = 4: the quartic,
                                                 fourth-order coupling)
anything else                                    :class:`~neuroam.errors.UnsupportedError`
                                                 (decided from ``model.structure``:
                                                 :func:`unsupported`)
==============================================  ==========================================

``pairwise`` and ``quartic`` override λ_2 and λ_4, which builds the combined
pairwise + quartic oscillator memory (Nägerl & Berloff 2025) on top of either model;
its binary limit is then the mixed DenseAM F(u) = λ_2 u²/2 + λ_4 u⁴/4 (reported in
``CouplingPlan.binary_limit``), no longer the model alone.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from ..errors import ModelError, UnsupportedError
from ..learning import learn

__all__ = ["CouplingPlan", "lift", "unsupported", "PAIRWISE_RULES"]

#: pairwise coupling rules: "model" takes the model's own rule
PAIRWISE_RULES = ("model", "pattern", "hebbian", "storkey", "pseudo-inverse")
_OVERLAP_RULES = ("pattern", "hebbian")  # realised in O(K·N) through the overlaps


@dataclasses.dataclass(frozen=True)
class CouplingPlan:
    """The couplings an oscillator network needs, before any hardware spread.

    Attributes:
        orders: even orders p of the overlap form (static: changing it recompiles);
            always (2, 4, ...) with λ = 0 for unused ones.
        coeffs: λ_p for each order.
        rule: how the pairwise (p = 2) coupling is made: "pattern", "hebbian",
            "storkey", "pseudo-inverse", or None when there is none.
        W: ``(N, N)`` weights of a learning rule (storkey, pseudo-inverse), or None.
        w_coeff: λ_2 of the weight form (0 without W).
        hebbian_diagonal: True when the zero-diagonal Hebbian rule is realised through
            the overlap form; the constant diagonal is subtracted from the energy.
        source: the model it was lifted from (``model.describe()``).
    """

    orders: tuple[int, ...]
    coeffs: tuple[float, ...]
    rule: str | None
    W: np.ndarray | None
    w_coeff: float
    hebbian_diagonal: bool
    source: str

    @property
    def binary_limit(self) -> str:
        """The DenseAM energy the oscillator energy equals on binary phases, in words."""
        terms = [f"{c:g}·u^{p}/{p}" for p, c in zip(self.orders, self.coeffs) if c]
        parts = []
        if terms:
            parts.append("−D Σ_μ F(ξ^μ·σ/D), F(u) = " + " + ".join(terms))
            if self.hebbian_diagonal:
                parts[-1] += " (zero-diagonal Hebbian: constant removed)"
        if self.W is not None and self.w_coeff:
            parts.append(f"−½·{self.w_coeff:g}·σᵀWσ ({self.rule} weights)")
        return " ".join(parts) if parts else "0"


def unsupported(structure, max_order: int | None = None) -> str | None:
    """Why phase oscillators cannot realise a model of this
    :class:`~neuroam.models.Structure`, or None when they can (``Oscillator.supports``,
    ``OscillatorSpice.supports`` with ``max_order`` = 4, and :func:`lift` all ask this).
    Either form: the bipartite form has the one-layer form's energy on the visible
    neurons."""
    if structure.separation != "power" or structure.state != "binary":
        return ("expected a power separation F(z) = zⁿ/n of binary (tanh) neurons: model "
                "'hopfield' (any rule) or 'polynomial' with even n. Phase oscillators realise "
                "polynomial energies of the complex overlaps; use 'hopfield' (pairwise) or "
                "'polynomial' with n = 4 (quartic), or recall this model with ideal-ode.")
    if structure.rectified or structure.order % 2:
        return (f"expected a polynomial of even order n (2, 4, 6, ...) without rectification, "
                f"not n = {structure.order}{' rectified' if structure.rectified else ''}: "
                "|z|^n is the binary limit of (ξ·σ/D)^n only for even n. Use n = 2 or 4 "
                "(model 'polynomial', n = 4 is the quartic oscillator memory).")
    if max_order is not None and structure.order > max_order:
        return (f"expected a polynomial order n ≤ {max_order}, not n = {structure.order}: the "
                f"circuit realises pairwise couplings and the quartic overlap form only. Use "
                "n = 2 or 4, or the phase model `oscillator` for higher orders.")
    return None


def _model_terms(model) -> tuple[int, str]:
    """``(order, pairwise rule)`` of a supported model; raises for the others."""
    st = model.structure
    reason = unsupported(st)
    if reason is not None:
        raise UnsupportedError(f"the model {model.describe()} for the oscillator "
                               f"implementation; {reason}")
    return st.order, st.rule or "pattern"


def lift(model, patterns, *, pairwise: float | None = None, quartic: float | None = None,
         rule: str = "model") -> CouplingPlan:
    """The :class:`CouplingPlan` of ``model`` storing ``patterns`` (binary, ``(K, N)``).

    Args:
        pairwise: λ_2 ≥ 0, or None for the model's own (1 for hopfield and n = 2, else 0).
        quartic: λ_4 ≥ 0, or None for the model's own (1 for n = 4, else 0).
        rule: pairwise rule, one of :data:`PAIRWISE_RULES` ("model": the model's).
    """
    if not patterns.is_binary:
        raise UnsupportedError(f"real-valued patterns {patterns.name!r} for the oscillator "
                               "implementation", "binary ±1 patterns (phases 0 and π)",
                               "Store ±1 patterns (e.g. `random_binary`).")
    if rule not in PAIRWISE_RULES:
        raise ModelError(f"rule={rule!r}", f"one of {list(PAIRWISE_RULES)}",
                         "Pick a pairwise coupling rule.")
    order, model_rule = _model_terms(model)
    # Orders 2 and 4 are always present (λ = 0 when unused): every pairwise/quartic mix then
    # has the same array structure and shares one compilation.
    strengths = {2: 0.0, 4: 0.0, order: 1.0}
    for p, value in ((2, pairwise), (4, quartic)):
        if value is not None:
            if not (np.isfinite(value) and value >= 0):
                raise ModelError(f"a coupling strength λ_{p} = {value}", "a finite λ ≥ 0",
                                 "Give non-negative coupling strengths.")
            strengths[p] = float(value)
    pair_rule = model_rule if rule == "model" else rule
    W, w_coeff, hebb = None, 0.0, False
    if strengths[2] and pair_rule not in _OVERLAP_RULES:
        W = np.asarray(learn(pair_rule, patterns), dtype=np.float64)
        w_coeff, strengths[2] = strengths[2], 0.0
    elif strengths[2]:
        hebb = pair_rule == "hebbian"
    orders = tuple(sorted(strengths))
    coeffs = tuple(strengths[p] for p in orders)
    if not any(coeffs) and not w_coeff:
        raise ModelError("all coupling strengths zero", "at least one λ > 0",
                         "Set `pairwise` or `quartic` above 0 (or leave them unset to take "
                         "the model's).")
    return CouplingPlan(orders, coeffs, pair_rule if (strengths[2] or W is not None) else None,
                        W, w_coeff, hebb, model.describe())
