"""Template (a): the classical Hopfield network as recurrently coupled LIF neurons.

The model is the source of truth: the pairwise weights W (D×D) and biases b come from
the one-layer network's input currents I(g) = W g + b, read off by autodiff
(``W = ∂I/∂g``, ``b = I(0)``), so any learning rule of the core (Hebbian, Storkey,
pseudo-inverse, or the pattern form ξᵀξ/D) is mirrored as it is.

Push–pull (ON/OFF) rate code: each ±1 unit i is a pair of LIF neurons, ON_i (neuron i)
and OFF_i (neuron D + i), like the differential pair that stores a signed weight in a
crossbar. The unit's value as its targets see it is

    σ̂_i = (q(r_ON,i) − q(r_OFF,i)) / q(r_on),    q(r) = r / (1 + U r τ_rec),

(q: efficacy of depressing synapses, :mod:`.lif`): +1 when ON fires at rate_on and OFF is
silent, −1 the other way round, 0 when both are silent. The unit's drive
x_i = Σ_j W_ij σ̂_j + b_i reaches ON_i as +x_i and OFF_i as −x_i:

- synapses ON_j → ON_i and OFF_j → OFF_i add W_ij / (q(r_on) τ_syn) per spike (times the
  presynaptic resource R), ON_j → OFF_i and OFF_j → ON_i subtract it;
- biases +b_i (ON_i) and −b_i (OFF_i); the cue ±cue_strength·σ_cue likewise;
- each neuron is rectified (:func:`~.lif.threshold_code`): silent for a drive ≤ 0,
  rate_on at a drive of drive_on.

So σ̂ is an odd, sign-like function of x (a steep LIF onset on both sides of 0), the
push–pull counterpart of the model's tanh(gain·x): a stored pattern (x_i ≈ ±1) is a fixed
point, and the coding is symmetric under ξ → −ξ as the Hopfield energy is. (A single neuron per unit, silent = −1, is not: its rate code is
lopsided around x = 0 and the network settles into states a few bits away from the
ideal fixed points.) The decoded state is sign(r_ON − r_OFF) over the read-out window.
"""

from __future__ import annotations

import equinox as eqx
import jax
import numpy as np

from ..errors import UnsupportedError, ValueRangeError
from .lif import Depression, threshold_code
from .netlist import Netlist, Population, Projection
from .params import NetworkParams, NeuronParams

__all__ = ["translate_hopfield", "pairwise_weights", "pair_code", "depression"]


def pairwise_weights(model, patterns) -> tuple[np.ndarray, np.ndarray]:
    """``(W (D, D), b (D,))`` of a one-layer model whose currents are affine in g."""
    network = model.bind(patterns)
    if network.hidden:
        raise UnsupportedError(f"the model {model.describe()} with hidden layers "
                               f"{list(network.hidden)} for the spiking-hopfield template",
                               "a one-layer model with pairwise weights",
                               "Use the spiking-dense template (circuit \"spiking-dense\") for "
                               "bipartite models.")
    D = patterns.D
    probe = np.random.default_rng(0).choice([-1.0, 1.0], size=D).astype(np.float32)
    b, W, got = (np.asarray(a, dtype=np.float64)
                 for a in _currents_and_jacobian(network, np.zeros((D,), np.float32), probe))
    want = W @ probe + b
    if not np.allclose(got, want, rtol=1e-3, atol=1e-4 * (1 + np.abs(want).max())):
        raise UnsupportedError(
            f"the model {model.describe()}, whose input currents are not linear in the "
            "activations", "a pairwise (quadratic) energy such as the classical Hopfield "
            "network", "Recall higher-order DenseAMs with the bipartite form "
            "(form = \"bipartite\") on the spiking-dense template.")
    return W, b


@eqx.filter_jit
def _currents_and_jacobian(network, zero, probe):
    """``(b, W, currents at probe)`` of the visible layer: one compiled program, cached per
    network structure and size (eagerly, the Jacobian alone is some thirty small programs)."""
    vis = network.visible

    def current(g):
        return network.currents({vis: g})[vis]

    return current(zero), jax.jacfwd(current)(zero), current(probe)


def depression(net: NetworkParams) -> Depression:
    from brian2 import second

    return Depression(net["release_fraction"], float(net["tau_rec"] / second))


def pair_code(neuron: NeuronParams, net: NetworkParams):
    """``(code, r_on Hz, q(r_on) Hz)`` of the ON/OFF neurons of ±1 units."""
    from brian2 import Hz

    r_on = float(net["rate_on"] / Hz)
    code = threshold_code(neuron, r_on, net["drive_on"])
    if code.rate(neuron, -1e-9) > 0:  # pragma: no cover - guaranteed by threshold_code
        raise ValueRangeError("a rate code firing below zero drive", "a rectified code",
                              "Report this as a bug.")
    return code, r_on, depression(net).efficacy(r_on)


def signed_pairs(M: np.ndarray) -> np.ndarray:
    """``[[M, −M], [−M, M]]``: a (pre, post) matrix between ±1 units as ON/OFF neurons."""
    return np.block([[M, -M], [-M, M]])


def translate_hopfield(model, patterns, neuron: NeuronParams, net: NetworkParams) -> Netlist:
    """The LIF network mirroring a one-layer pairwise ``model`` storing ``patterns``."""
    from brian2 import second

    W, b = pairwise_weights(model, patterns)
    code, r_on, q_on = pair_code(neuron, net)
    tau_s = float(net["tau_syn"] / second)
    I_rest, I_unit = code.currents(neuron)
    D = patterns.D
    features = Population("features", 2 * D, neuron, I_rest, I_unit,
                          bias=np.concatenate([b, -b]), tau_syn=tau_s, cued=True, pairs=True)
    recurrent = Projection("recurrent", "features", "features",
                           weights=signed_pairs(W.T / (q_on * tau_s)))
    attrs = {
        "architecture": "hopfield", "coding": "ON/OFF pairs", "weights_from": model.describe(),
        "rate_on_hz": r_on, "drive_gain_mV": code.gain * 1e3,
        "I_rest_pA": I_rest * 1e12, "I_unit_pA": I_unit * 1e12,
        "max_abs_weight": float(np.abs(W).max()),
    }
    return Netlist("hopfield", (features,), (recurrent,), "features", net, r_on, attrs)
