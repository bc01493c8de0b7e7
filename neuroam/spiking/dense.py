"""Template (b): the bipartite DenseAM as feature, memory and inhibitory LIF populations.

The bipartite model (Krotov & Hopfield 2021) has feature neurons v (D) and memory
neurons h (K) joined by ξ (K×D): τ dh/dt = ξ g + b − h, τ dv/dt = ξᵀ f − v, with
f = softmax(β h / s). The spiking mirror keeps the two directions of ξ and replaces the
softmax by competition through a shared inhibitory pool:

- feature i (a ±1 unit coded by an ON/OFF pair of neurons as in :mod:`.hopfield`,
  σ̂_i = (q(r_ON,i) − q(r_OFF,i))/q(r_on)) → memory μ: ON_i adds ξ_μi / (s q(r_on) τ_syn)
  per spike, OFF_i subtracts it, and a bias b_μ/s − θ, so a memory's drive is m_μ − θ
  with m_μ = (ξ^μ·σ̂ + b_μ)/s its normalised overlap (s = D for ±1 patterns);
- memory μ → feature i: ±G x_on ξ_μi / (q(r_mem) τ_fb) onto ON_i / OFF_i: a retrieved
  memory at r_mem drives its pattern's features with ±G·x_on, i.e. to the ±1 code when
  the feedback gain G = 1 (x_on = drive_on). These feedback synapses are slow (τ_fb =
  tau_feedback, NMDA-like): one memory neuron's spike train reaches the features as a
  smooth drive rather than as kicks between which the wrong features would fire;
- memory → inhibitory pool (N_I neurons): weight 1/(q(r_mem) τ_syn), so one retrieved
  memory drives the pool to r_inh; pool → every memory: −g/(N_I q(r_inh) τ_syn), i.e.
  the active pool subtracts g (inhibition_gain) from every memory's drive.

(q(r) = r/(1 + U r τ_rec) is the efficacy of depressing synapses, see :mod:`.lif`.)

A retrieved memory (m = 1) keeps the drive 1 − θ − g and fires at r_mem (its membrane
gain is calibrated for exactly that), while any other memory ν stays silent unless
m_ν > θ + g. The competition is a k-winners-take-all whose selectivity grows with the
inhibition gain: a competitor co-fires only within the margin δ = 1 − θ − g of a perfect
winner, the role 1/β plays in softmax(β m) (a competitor within ~1/β of the maximum keeps
a weight ≳ 1/e). Raising g (or θ) sharpens the selection like raising β; the β → ∞
softmax is the single-winner limit this template realises. The model's β itself only
enters through this analogy: it is recorded next to β_equivalent = 1/δ.
"""

from __future__ import annotations

import numpy as np

from ..errors import UnsupportedError
from ..models.lagrangians import Softmax
from ..models.synapses import BipartiteSynapse
from .hopfield import depression, pair_code
from .lif import threshold_code
from .netlist import Netlist, Population, Projection
from .params import NetworkParams, NeuronParams

__all__ = ["translate_dense", "bipartite_parts"]


def bipartite_parts(model, patterns):
    """``(ξ (K, D), b (K,), softmax Lagrangian)`` of a bipartite softmax DenseAM."""
    network = model.bind(patterns)
    syn = network.synapses[0] if len(network.synapses) == 1 else None
    ok = (len(network.hidden) == 1 and isinstance(syn, BipartiteSynapse)
          and isinstance(network.layers[network.hidden[0]].lagrangian, Softmax))
    if not ok:
        raise UnsupportedError(
            f"the model {model.describe()} for the spiking-dense template",
            "a bipartite DenseAM with a softmax memory layer, e.g. make_model(\"exponential\", "
            "form=\"bipartite\")",
            "The inhibitory pool realises a softmax / winner-take-all memory layer; use the "
            "exponential DenseAM in its bipartite form, or a one-layer Hopfield model on the "
            "spiking-hopfield template.")
    lag = network.layers[network.hidden[0]].lagrangian
    return (np.asarray(syn.xi, dtype=np.float64), np.asarray(syn.bias, dtype=np.float64), lag)


def translate_dense(model, patterns, neuron: NeuronParams, inhibitory: NeuronParams,
                    net: NetworkParams) -> Netlist:
    """Feature, memory and inhibitory populations mirroring a bipartite softmax DenseAM."""
    from brian2 import Hz, second

    xi, b, lag = bipartite_parts(model, patterns)
    K, D = xi.shape
    scale, beta = float(np.asarray(lag.scale)), float(np.asarray(lag.beta))
    fcode, r_on, q_on = pair_code(neuron, net)
    dep = depression(net)
    tau_s = float(net["tau_syn"] / second)
    tau_fb = float(net["tau_feedback"] / second)
    r_mem = float(net["rate_memory"] / Hz)
    r_inh = float(net["rate_inhibitory"] / Hz)
    q_mem, q_inh = dep.efficacy(r_mem), dep.efficacy(r_inh)
    theta, g, G = net["memory_threshold"], net["inhibition_gain"], net["feedback_gain"]
    x_on = net["drive_on"]
    n_inh = int(net["n_inhibitory"])
    margin = 1.0 - theta - g
    mcode = threshold_code(neuron, r_mem, margin)
    icode = threshold_code(inhibitory, r_inh, 1.0)
    pops = (
        Population("features", 2 * D, neuron, *fcode.currents(neuron), bias=np.zeros(2 * D),
                   tau_syn=tau_fb, cued=True, pairs=True),
        Population("memories", K, neuron, *mcode.currents(neuron),
                   bias=b / scale - theta, tau_syn=tau_s),
        Population("inhibitory", n_inh, inhibitory, *icode.currents(inhibitory),
                   bias=np.zeros(n_inh), tau_syn=tau_s),
    )
    projs = (
        Projection("feature_to_memory", "features", "memories",
                   weights=np.concatenate([xi.T, -xi.T]) / (scale * q_on * tau_s)),
        Projection("memory_to_feature", "memories", "features",
                   weights=G * x_on * np.concatenate([xi, -xi], axis=1) / (q_mem * tau_fb)),
        Projection("memory_to_inhibitory", "memories", "inhibitory",
                   weights=np.full((K, n_inh), 1.0 / (q_mem * tau_s))),
        Projection("inhibitory_to_memory", "inhibitory", "memories",
                   weights=np.full((n_inh, K), -g / (n_inh * q_inh * tau_s))),
    )
    attrs = {
        "architecture": "dense", "model_beta": beta, "softmax_scale": scale,
        "beta_equivalent": 1.0 / margin, "selection_margin": margin,
        "competitor_threshold": theta + g, "coding": "ON/OFF pairs", "rate_on_hz": r_on, "rate_memory_hz": r_mem,
        "rate_inhibitory_hz": r_inh, "feature_I_unit_pA": pops[0].I_unit * 1e12,
        "memory_I_unit_pA": pops[1].I_unit * 1e12,
    }
    return Netlist("dense", pops, projs, "features", net, r_on, attrs)
