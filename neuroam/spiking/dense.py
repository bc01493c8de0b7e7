"""Template (b): the bipartite DenseAM as feature, memory and inhibitory LIF populations.

The bipartite model (Krotov & Hopfield 2021) has feature neurons v (D) and memory
neurons h (K) joined by ξ (K×D): τ dh/dt = ξ g + b − h, τ dv/dt = ξᵀ f − v, with
f = softmax(β h / s). The spiking mirror keeps the two directions of ξ and replaces the
softmax by competition through a shared inhibitory pool:

- feature i (a ±1 unit coded by an ON/OFF pair of neurons as in :mod:`.hopfield`,
  σ̂_i = (q(r_ON,i) − q(r_OFF,i))/q(r_on)) → memory μ: ON_i adds ζ_μi / (s n_μ q(r_on) τ_fb)
  per spike, OFF_i subtracts it, and a bias b_μ/(s n_μ) − θ, so a memory's drive is m_μ − θ
  with m_μ = (ζ^μ·σ̂ + b_μ)/(s n_μ) its normalised centred overlap (s = D for ±1
  patterns). ζ^μ = ξ^μ − λ ξ̄ is the pattern less the fraction λ = pattern_centring of
  the patterns' mean ξ̄, and n_μ = ζ^μ·ξ^μ/s its centred self-overlap, so m_μ = 1 when
  σ̂ = ξ^μ (see **Centring** below; λ = 0: ζ = ξ, n = 1, the plain overlap);
- memory μ → feature i: ±G x_on ξ_μi / (q(r_mem) τ_fb) onto ON_i / OFF_i: a retrieved
  memory at r_mem drives its pattern's features with ±G·x_on, i.e. to the ±1 code when
  the feedback gain G = 1 (x_on = drive_on). These feedback synapses are slow (τ_fb =
  tau_feedback, NMDA-like): one memory neuron's spike train reaches the features as a
  smooth drive rather than as kicks between which the wrong features would fire;
- memory → inhibitory pool (N_I neurons, bias −θ_I = −pool_threshold): weight
  1/(q(r_mem) τ_fb) so one retrieved memory drives the pool to r_inh and less
  than θ_I of a retrieved memory leaves it silent (at θ_I = 0 the pool sat on threshold
  and fired from membrane noise alone); pool → every memory: −g/(N_I q(r_inh) τ_fb), i.e.
  the active pool subtracts g (inhibition gain) from every memory's drive per retrieved
  memory;
- memory μ → itself (one-to-one, self-excitation): (g + α)/(q(r_mem) τ_fb), which cancels
  the memory's own share of the pool's inhibition (plus a surplus α = self_excitation).
  The pool is then lateral inhibition only: a retrieved memory keeps the drive 1 − θ + α
  whatever g, while a silent competitor sees −g.
- every synapse onto memory and pool neurons is slow (τ_fb), like memory → feature: one
  memory neuron firing at 60 Hz must reach its targets as a rate, not as kicks (with
  τ_syn = 5 ms each memory spike set off a synchronous pool volley that silenced it).

(q(r) = r/(1 + U r τ_rec) is the efficacy of depressing synapses, see :mod:`.lif`.)

**β.** A retrieved memory (m = 1) fires at r_mem (its membrane gain is calibrated for the
drive 1 − θ + α). A silent memory ν next to it receives m_ν − θ − g and stays silent
unless m_ν > m* = θ + g. The model's β sets m*: softmax(β m) gives a memory Δ below the
winner the weight e^{−βΔ}; the circuit lets it co-fire where that weight exceeds
e^{−w} (w = selection_width), i.e. m* = 1 − w/β and g = m* − θ (:func:`competitor_threshold`).
With centring, a difference Δ of plain overlaps is Δ/n_μ of normalised ones (n_μ ≤ 1), so
m* = 1 − w/β is the stricter of the two readings: it never lets a memory co-fire that
the softmax would weigh below e^{−w}.
The default exponential DenseAM has β = D: m* = 0.99 at D = 100, so at the fixed point of
a retrieved memory (features = its pattern, competitors at their pattern overlaps) any
competitor with overlap < m* is held silent. A β so small that w/β > 1 − θ gives g = 0:
every memory above θ co-fires and the features settle on their mixture, the circuit's
counterpart of a flat softmax.

**Centring.** Subtracting λ ξ̄·σ̂ from every memory's overlap is a common shift: the
softmax, and with it the ideal ODE's feature trajectory, is exactly invariant to it (h
obeys a linear ODE, so h − ξ̄·g is shifted equally for all μ at every time). The circuit
is not: its threshold θ and competitor threshold m* are absolute. Without centring, the
part the patterns share counts in full towards a competitor's overlap: next to a
retrieved digit 5 the memory of 9 sits at 0.84, 0.14 drive units (≈ 0.7 mV) below m*,
and membrane noise started it now and then; once it fired, the few features where the
two differ fell to 0, both overlaps became ≈ 0.92 and the pair held (the pool's
depressing synapses make two active memories inhibit only ≈ 1.2× as much as one). With
the common component removed, 9's normalised overlap next to a retrieved 5 is 0.65, the
largest over all digit pairs, far below m* (0.35 drive units, ≈ 1.7 mV, below
threshold). The division by n_μ (0.43–0.58 for the digits, ≈ 0.8 for 5 random patterns
at D = 100, ≈ 1 for 200) is a per-memory gain, not a softmax invariance: it keeps every
memory's retrieved drive at 1, the value the memory code is calibrated on (a common
normaliser, max n_μ, left the memories with small n_μ too weak to hold: digits 0.70); it
can reorder the race during the cue between memories whose n_μ differ, and its scale
1/n_μ amplifies the spike-count noise of the drive.

**Agreement with ideal-ode** (same sign of the final state on every feature,
benchmarks/RESULTS.md): ten 8×8 digits, 15 % flips, 0.98–0.99 (0.80 without centring);
correlated_binary K = 10, D = 100, correlation 0.6 (overlaps ≤ 0.80), 0.98–1.00 (0.85);
random patterns at D = 100, K = 5 and K = 200, 1.00.

**Where it still breaks.** The remaining digit failures are weak cues and close races
during the cue window. The one failure of the fidelity check's 100 cues is a 7 whose
normalised drives are 0.36 (7) and 0.39 (1), both within 0.1 of θ: the two inhibit each
other, neither takes over and the features decay to 0, while the ideal ODE retrieves 7
(plain overlaps 0.69 vs 0.66 put 7 first; the gain 1/n_μ reversed the order). A cue
whose overlaps with two memories differ by a few bits is decided by single spikes.
Patterns closer still (centred normalised overlap near m*) would co-fire again; the
circuit refuses centring when a pattern's centred self-overlap n_μ falls below
MIN_SELF_OVERLAP (near-duplicates; use pattern_centring = 0 there).

Stronger inhibition with a matching self-excitation (g = 2, g + α = 1.6) silences every
competitor in principle, but the winner's first spikes then recruit a pool volley that
arrives after its self-excitation and kills it; static (non-depressing) pool synapses
make the race during the cue worse. Neither is the default.
"""

from __future__ import annotations

import numpy as np

from ..errors import UnsupportedError, ValueRangeError
from ..models.lagrangians import Softmax
from ..models.synapses import BipartiteSynapse
from .hopfield import depression, pair_code
from .lif import threshold_code
from .netlist import Netlist, Population, Projection
from .params import NetworkParams, NeuronParams

__all__ = ["translate_dense", "bipartite_parts", "competitor_threshold"]


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
    tau_fb = float(net["tau_feedback"] / second)
    r_mem = float(net["rate_memory"] / Hz)
    r_inh = float(net["rate_inhibitory"] / Hz)
    q_mem, q_inh = dep.efficacy(r_mem), dep.efficacy(r_inh)
    theta, alpha, G = net["memory_threshold"], net["self_excitation"], net["feedback_gain"]
    width = net["selection_width"]
    x_on = net["drive_on"]
    n_inh = int(net["n_inhibitory"])
    xi_f, n_self = centred_drive(xi, scale, net["pattern_centring"])
    m_star, g = competitor_threshold(beta, width, theta)
    self_w = g + alpha  # memory -> itself: cancels its own share of the pool, plus α
    drive = 1.0 - theta + alpha  # a retrieved memory's drive (overlap 1, alone)
    if drive < MIN_DRIVE:
        raise ValueRangeError(
            f"a retrieved memory's drive 1 − m* + self_excitation = {drive:.3g} (β = {beta:g}, "
            f"selection_width = {width:g}, memory_threshold = {theta:g}, self_excitation = "
            f"{alpha:g})", f"at least {MIN_DRIVE}: a retrieved memory must out-drive the "
            "inhibition it recruits", "Raise self_excitation (≈ 0.4), or widen the selection "
            "(selection_width, or a smaller β in the model).")
    tau_mi = tau_fb  # memories integrate features, pool and themselves over τ_fb
    mcode = threshold_code(neuron, r_mem, drive)
    theta_i = net["pool_threshold"]
    icode = threshold_code(inhibitory, r_inh, 1.0 - theta_i)
    pops = (
        Population("features", 2 * D, neuron, *fcode.currents(neuron), bias=np.zeros(2 * D),
                   tau_syn=tau_fb, cued=True, pairs=True),
        Population("memories", K, neuron, *mcode.currents(neuron),
                   bias=b / (scale * n_self) - theta, tau_syn=tau_mi),
        Population("inhibitory", n_inh, inhibitory, *icode.currents(inhibitory),
                   bias=np.full(n_inh, -theta_i), tau_syn=tau_fb),
    )
    projs = (
        Projection("feature_to_memory", "features", "memories",
                   weights=np.concatenate([xi_f.T, -xi_f.T])
                   / (scale * n_self * q_on * tau_mi)),
        Projection("memory_to_feature", "memories", "features",
                   weights=G * x_on * np.concatenate([xi, -xi], axis=1) / (q_mem * tau_fb)),
        Projection("memory_to_inhibitory", "memories", "inhibitory",
                   weights=np.full((K, n_inh), 1.0 / (q_mem * tau_fb))),
        Projection("inhibitory_to_memory", "inhibitory", "memories",
                   weights=np.full((n_inh, K), -g / (n_inh * q_inh * tau_mi))),
        Projection("memory_to_memory", "memories", "memories",
                   weights=np.full(K, self_w / (q_mem * tau_mi)), one_to_one=True),
    )
    attrs = {
        "architecture": "dense", "model_beta": beta, "softmax_scale": scale,
        "pattern_centring": float(net["pattern_centring"]),
        "centred_self_overlap_min": float(n_self.min()),
        "competitor_threshold": m_star, "inhibition_gain": g, "self_excitation": alpha,
        "retrieved_drive": drive, "coding": "ON/OFF pairs", "rate_on_hz": r_on,
        "rate_memory_hz": r_mem,
        "rate_inhibitory_hz": r_inh, "feature_I_unit_pA": pops[0].I_unit * 1e12,
        "memory_I_unit_pA": pops[1].I_unit * 1e12,
    }
    return Netlist("dense", pops, projs, "features", net, r_on, attrs)


#: smallest drive of a retrieved memory (overlap units) the memory code is calibrated on
MIN_DRIVE = 0.02


def competitor_threshold(beta: float, width: float, theta: float) -> tuple[float, float]:
    """``(m*, g)``: the overlap m* above which a memory co-fires next to a retrieved one,
    and the inhibition gain g = m* − θ that puts it there, from the softmax's β.

    softmax(β m) gives a memory whose overlap is Δ below the winner's a weight e^{−βΔ}
    relative to it; the circuit lets it fire where that weight exceeds e^{−w}, i.e.
    within Δ = w/β of a perfect winner (w = selection_width): m* = 1 − w/β. Where w/β
    exceeds 1 − θ (a β too small to select) there is no inhibition: g = 0, m* = θ, and
    every memory above θ co-fires, the circuit's counterpart of a flat softmax.
    """
    m_star = max(theta, 1.0 - width / beta)
    return m_star, m_star - theta



def centred_drive(xi, scale: float, centring: float) -> tuple[np.ndarray, np.ndarray]:
    """``(ξ − λ ξ̄ (K, D), n (K,))``: the feature → memory weights with the fraction λ =
    ``centring`` of the patterns' mean ξ̄ subtracted, and each memory's centred
    self-overlap n_μ = (ξ^μ − λ ξ̄)·ξ^μ / s, by which its drive is divided so that a
    retrieved memory (σ̂ = ξ^μ) still has drive 1.

    Subtracting λ ξ̄·σ̂ shifts every memory's overlap by the same amount, to which the
    softmax is invariant (the ideal ODE's features follow exactly the same trajectory);
    the part the patterns share no longer counts towards the overlap of a competitor, so a
    near-twin's normalised overlap next to the winner drops (ten 8×8 digits: from 0.84 to
    at most 0.65). The division by n_μ is a per-memory gain (n_μ = 0.43–0.58 for the
    digits): it is not a softmax invariance, it keeps every memory's retrieved drive at
    the value the memory code is calibrated on. With one stored pattern (ξ̄ = ξ) or
    λ = 0 the weights are ξ and n = 1.
    """
    K = xi.shape[0]
    if K == 1 or centring == 0.0:
        return xi, np.ones(K)
    xf = xi - centring * xi.mean(axis=0)
    n = np.einsum("kd,kd->k", xf, xi) / scale
    if n.min() < MIN_SELF_OVERLAP:
        mu = int(np.argmin(n))
        raise ValueRangeError(
            f"memory {mu}'s centred self-overlap (ξ^μ − λ ξ̄)·ξ^μ / s = {n[mu]:.3g} "
            f"(pattern_centring λ = {centring:g})",
            f"at least {MIN_SELF_OVERLAP}: what is left of a pattern once the common "
            "component is subtracted must still drive its memory",
            "Lower pattern_centring (0 switches it off); near-duplicate patterns cannot be "
            "told apart by their centred overlaps.")
    return xf, n


#: smallest centred self-overlap n_μ a memory's drive may be divided by
MIN_SELF_OVERLAP = 0.05
