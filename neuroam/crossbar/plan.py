"""What a model asks the crossbar to store, and what the periphery computes.

- a one-layer Hopfield model with a learning rule (a pairwise synapse W, b): the
  weights form, M = Wᵀ programmed, b in the periphery;
- a bipartite model (ξ between feature and memory layers): the bipartite form, M = ξᵀ
  programmed, the memory-layer Lagrangian (separation function) in the periphery;
- ``rule`` other than "model": the classical Hopfield network whose weights that rule
  learns from the same patterns (He et al.'s comparison), whatever the scenario's model.

Energies recorded along trajectories are those of the ideal model (the one-layer
synapse of the stored form), evaluated at the hardware's states.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from ..errors import ModelError, UnsupportedError
from ..models import make_model
from ..models.synapses import BipartiteSynapse, WeightSynapse

__all__ = ["Plan", "make_plan", "unsupported"]


@dataclasses.dataclass(frozen=True)
class Plan:
    """``form`` "weights" or "bipartite"; ``M`` (n_in, n_out) to program (None: learnt per
    draw by fault-aware training); ``bias`` (n_out,); the ideal one-layer ``energy_syn``;
    ``hidden`` / ``visible`` Lagrangians; ``describe`` the stored model."""

    form: str
    M: np.ndarray | None
    bias: np.ndarray
    energy_syn: object
    hidden: object | None
    visible: object
    tau: float
    describe: str


def _gain(model) -> float:
    return float(getattr(model, "gain", 4.0))


def unsupported(structure, rule: str = "model") -> str | None:
    """Why a crossbar cannot store a model of this
    :class:`~neuroam.models.Structure` with the setting ``rule``, or None when it can
    (``Crossbar.supports`` and :func:`make_plan` both ask this)."""
    if rule != "model":  # the Hopfield weights of a learning rule, whatever the model
        return None
    if structure.form == "bipartite" or structure.stores == "weights":
        return None
    return ("expected a weight-based Hopfield model (make_model('hopfield', rule=...)) or a "
            "bipartite model (form='bipartite'): a crossbar stores a matrix, W or ξ. Set "
            "[model] form = \"bipartite\" for a DenseAM, a learning rule for the Hopfield "
            "network, or the crossbar setting `rule`.")


def make_plan(model, patterns, rule: str, dynamics: str,
              zero_diagonal: bool | None = None) -> Plan:
    reason = unsupported(model.structure, rule)
    if reason is not None:
        raise UnsupportedError(f"the model {model.describe()} for the crossbar; {reason}")
    if dynamics != "ode" and not patterns.is_binary:
        raise UnsupportedError("real-valued patterns for sign (sync/async) updates",
                               "binary ±1 patterns", "Use dynamics = \"ode\" for real-valued "
                               "patterns.")
    if rule != "model":
        hop = make_model("hopfield", rule=None if rule == "fault-aware" else rule,
                         gain=_gain(model), tau=model.tau,
                         zero_diagonal=None if rule == "fault-aware" else zero_diagonal)
        if rule == "fault-aware":
            net = hop.bind(patterns)  # layers only; weights come from training
            D = patterns.D
            return Plan("weights", None, np.zeros(D), None, None, net.layers["v"].lagrangian,
                        model.tau, f"hopfield(rule='fault-aware', gain={_gain(model)!r})")
        net = hop.bind(patterns)
        syn = net.one_layer_synapse()
        return Plan("weights", np.asarray(syn.W, np.float64).T, np.asarray(syn.b, np.float64),
                    syn, None, net.layers["v"].lagrangian, model.tau, hop.describe())
    if zero_diagonal is not None and getattr(model, "rule", None) is not None:
        # a Hopfield [model] with a learning rule: the setting overrides its convention
        model = make_model("hopfield", form=model.form, rule=model.rule, gain=_gain(model),
                           tau=model.tau, zero_diagonal=zero_diagonal)
    net = model.bind(patterns)  # a pattern (ξ) form has no self-coupling to remove
    syn = net.synapses[0]
    if isinstance(syn, BipartiteSynapse) and len(net.synapses) == 1:
        energy = model.one_layer().bind(patterns).one_layer_synapse()
        return Plan("bipartite", np.asarray(syn.xi, np.float64).T,
                    np.asarray(syn.bias, np.float64), energy, net.layers["h"].lagrangian,
                    net.layers["v"].lagrangian, model.tau, model.describe())
    if isinstance(syn, WeightSynapse) and len(net.synapses) == 1 and not net.hidden:
        return Plan("weights", np.asarray(syn.W, np.float64).T, np.asarray(syn.b, np.float64),
                    syn, None, net.layers["v"].lagrangian, model.tau, model.describe())
    raise ModelError(  # the declared structure promised a matrix the network does not hold
        f"the model {model.describe()}, declared as {model.structure.describe()}, whose "
        f"network holds {[type(s).__name__ for s in net.synapses]}",
        "one BipartiteSynapse (bipartite form) or one WeightSynapse (stored weights)",
        "Make the model's `structure` describe the network its `bind` builds.")
