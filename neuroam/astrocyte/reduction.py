"""The process–process term as a quartic DenseAM, and where the correspondence breaks.

Statement (Kozachkov, Slotine & Krotov 2025): the astrocytic coupling T = Σ_μ ξ^μ⊗ξ^μ⊗ξ^μ⊗ξ^μ
stores the patterns of a quartic Dense Associative Memory. In the pinned formulation
(:mod:`.network`) it is exact in two places:

1. energy: on rank-one process states ψ = φφᵀ the process–process energy
   −(c/2) Σ_μ (ξ^μᵀψξ^μ)² equals −(c/2) Σ_μ (ξ^μ·φ)⁴ = 2 × the energy of
   ``make_model("polynomial", n=4)`` (−(1/4N³) Σ_μ (ξ^μ·φ)⁴ with c = N⁻³);
2. dynamics at the cue: the cue-consistent start sets g₀ = c T[h₀h₀ᵀ], so the neurons'
   input g₀h₀ = c Σ_μ ξ^μ (ξ^μ·h₀)³ is the quartic DenseAM current of the core model.

Where it breaks (measured by the read-outs of every solve, and by the study
``benchmarks/astrocyte_reduction.py``, which also draws the figure):

* in time: g relaxes with τ_S and the processes release ψ ≈ −h₀h₀ᵀ within a few τ_P;
  after that the synapses follow the Hebbian outer product hhᵀ of whatever state the
  neurons hold and lock it in. A bit whose DenseAM current is too weak to flip it within
  that window stays wrong, so with the tutorial's equal time constants the network loses
  cues at loads the ideal quartic DenseAM still recalls (slower processes, τ_P > τ_x,
  widen the window and recover most of them);
* in load: the start needs |c T[ψ₀]| < 1 entry-wise; its diagonal c Σ_μ (ξ^μ·h₀)² grows
  like K/N², so at K ≳ N² the start is clipped (``init_clipped`` > 0);
* under noise: the DenseAM signal reaches a neuron through N synaptic entries of size
  O(1/N), so synaptic noise T ≳ 1/(β²N) erases it long before neuron noise matters.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from .network import AstrocyteNetwork
from .params import AstrocyteParams

__all__ = ["dense4_network", "check_reduction", "reduction_series"]


def dense4_network(patterns):
    """The core's one-layer quartic DenseAM bound to ``patterns`` (the reference energy)."""
    from ..models import make_model

    return make_model("polynomial", n=4).bind(patterns)


def check_reduction(patterns, cues, params: AstrocyteParams = AstrocyteParams()
                    ) -> dict[str, np.ndarray]:
    """The two exact identities at every cue, against the core model (float32).

    Returns ``(T,)`` arrays: ``energy_ratio`` = process energy on ψ = h₀h₀ᵀ over twice
    the core's quartic synapse energy (1 when the reduction holds); ``current_error`` =
    ‖g₀h₀ − I₄(h₀)‖ / ‖I₄(h₀)‖ with I₄ the core's quartic current; ``init_clipped`` =
    fraction of atanh arguments clipped at the start (0 when the start is exact).
    """
    net = AstrocyteNetwork(patterns.xi, params)
    dense = dense4_network(patterns)

    def one(cue):
        (x0, S0, _), clipped = net.init(cue)
        h0 = net.visible((x0, S0, S0))
        e_pp = net.process_energy(jnp.outer(h0, h0))
        e4 = dense.synapse_energy({"v": h0})
        current = dense.currents({"v": h0})["v"]
        drive = jnp.tanh(net.beta * S0) @ h0
        err = jnp.linalg.norm(drive - current) / jnp.linalg.norm(current)
        return e_pp / (2.0 * e4), err, clipped

    ratio, err, clipped = jax.jit(jax.vmap(one))(jnp.asarray(cues.states, jnp.float32))
    return {"energy_ratio": np.asarray(ratio), "current_error": np.asarray(err),
            "init_clipped": np.asarray(clipped)}


def _get(source, name):
    """An array from a RecallResult (extras or fields) or a stored RunRecord."""
    if hasattr(source, "variables"):
        var = source.variables.get(name)
        return None if var is None else np.asarray(var.data)
    if name in getattr(source, "extras", {}):
        return np.asarray(source.extras[name].data)
    return None


def reduction_series(source) -> dict[str, np.ndarray]:
    """Time series of the correspondence from one astrocyte run.

    ``source`` is a RecallResult of the ``astrocyte`` implementation or a RunRecord read
    from results.h5. Returns ``time`` ``(S,)`` and ``(T, S)`` arrays:
    ``drive_alignment`` (cosine of the neuron input with the quartic current),
    ``psi_rank_one`` (cosine of ψ with hhᵀ), ``process_ratio`` (process energy over its
    rank-one value) and ``target_overlap``.
    """
    if hasattr(source, "variables"):
        times = np.asarray(source.variables["time"].data)
        overlaps = np.asarray(source.variables["overlap"].data)
        targets = np.asarray(source.variables["target"].data)
    else:
        times, overlaps, targets = source.times, source.overlaps, source.targets
    out = {"time": np.asarray(times, dtype=float)}
    for name in ("drive_alignment", "psi_rank_one"):
        out[name] = _get(source, name)
    e_pp, e4 = _get(source, "energy_process"), _get(source, "energy_dense4")
    with np.errstate(all="ignore"):
        out["process_ratio"] = e_pp / e4
    tgt = np.where(targets >= 0, targets, 0)
    out["target_overlap"] = overlaps[np.arange(len(tgt)), :, tgt]
    return out
