"""Floating-point operations of the ideal dynamics, counted from the network's structure."""

from __future__ import annotations

import numpy as np

from ..errors import UnsupportedError
from ..models.synapses import BipartiteSynapse, DenseSynapse, WeightSynapse

__all__ = ["vector_field_flops", "flip_flops", "EVALS_PER_STEP"]

#: vector-field evaluations per accepted step (FSAL counted once), per solver; one
#: iteration of the fixed-point map computes every layer's current once
EVALS_PER_STEP = {"tsit5": 6, "dopri5": 6, "dopri8": 12, "bosh3": 3, "heun": 2, "euler": 1,
                  "etd2": 2, "shark": 2, "sra1": 2, "euler-maruyama": 1, "fixed-point": 1}

#: flops charged per neuron for an activation (tanh, exp, softmax share) and the leak
_PER_NEURON = 10


def vector_field_flops(network) -> float:
    """FLOPs of one vector-field evaluation for one trial (matvecs dominate).

    The currents are the autodiff gradient of the synapse energies, so each synapse
    costs its forward product and its transpose: ξg and ξᵀf (4KD), Wg and Wᵀ(·) (4D²:
    autodiff does not use the symmetry of W). A synapse of any other kind is refused.
    """
    total = sum(_PER_NEURON * layer.size for layer in network.layers.values())
    for s in network.synapses:
        if isinstance(s, (DenseSynapse, BipartiteSynapse)):
            K, D = s.xi.shape
            total += 4 * K * D  # scores ξg and drive ξᵀf
        elif isinstance(s, WeightSynapse):
            D = s.W.shape[0]
            total += 4 * D * D  # W g forward, Wᵀ(−½ g) backward
        else:
            raise UnsupportedError(
                f"a synapse of kind {getattr(s, 'kind', '?')!r} ({type(s).__name__}) in the "
                "FLOP count of the ideal implementations",
                "a DenseSynapse, BipartiteSynapse or WeightSynapse, whose products the "
                "cost model knows",
                "Add the synapse's FLOPs per vector-field evaluation to "
                "neuroam.costs.flops.vector_field_flops (a subclass of a known synapse "
                "is counted as that synapse).")
    return float(total)


def flip_flops(network) -> float:
    """FLOPs of one asynchronous single-neuron update (exact energy difference + cache)."""
    syn = network.one_layer_synapse()
    if isinstance(syn, WeightSynapse):
        return float(2 * syn.W.shape[0] + 4)
    K = int(np.asarray(syn.xi).shape[0])
    return float(3 * 2 * K + 2 * _PER_NEURON * K)  # two energy evaluations + cache update
