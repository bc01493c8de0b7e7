"""Brian2 objects for ``batch`` independent copies of a :class:`~.netlist.Netlist`.

Each population becomes one NeuronGroup of ``batch × size`` neurons (trial copy t owns
neurons ``t·size … (t+1)·size − 1``); each projection becomes one Synapses object with
block-diagonal all-to-all (or one-to-one) connectivity, so trials never interact. Neuron model (one
equation set for every population, constants in the group's namespace)::

    C_m dv/dt = g_L (E_L − v) + I_rest + I_unit (x_syn + x_bias + cue_on·x_cue + x_clamp)
                [+ C_m s η_i(t) / τ_m]                (unless refractory)
    dx_syn/dt = −x_syn / τ_syn                        (each presynaptic spike adds w·R_pre)
    dR/dt = (1 − R) / τ_rec                           (R → R − U·R at each own spike)

Membrane noise η_i(t) is drawn by neuroam, not by Brian2: a TimedArray of independent
N(0, 1) values per neuron, held for ``noise_dt`` each, scaled by s = σ √(2 τ_m / noise_dt)
so that the free membrane potential fluctuates with std σ (``noise_sigma``). Drawn from
the recall seed per trial, it is identical on every back-end and for every batch size,
and it reaches a compiled standalone program as data (``run_args``), so a new seed does
not recompile.

Objects carry fixed names so that generated code is identical from one build to the next
(the cython cache and the standalone project directory are reused). Values that depend
on patterns and cues (weights, biases, cues, initial potentials) are set by
:func:`chunk_values` — directly at runtime, or as ``run_args`` of a compiled standalone
program.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from .netlist import Netlist

__all__ = ["Handles", "build_network", "chunk_values", "EQUATIONS"]

EQUATIONS = """
dv/dt = (g_L*(E_L - v) + I_rest + I_unit*(x_syn + x_bias + cue_on*x_cue + x_clamp))/C_m{noise} : volt (unless refractory)
dx_syn/dt = -x_syn/tau_syn : 1
dR/dt = (1 - R)/tau_rec : 1
x_bias : 1 (constant)
x_cue : 1 (constant)
x_clamp : 1 (constant)
cue_on : 1 (shared)
"""


@dataclasses.dataclass
class Handles:
    """The Brian2 objects of one built network."""

    network: Any
    groups: dict[str, Any]
    synapses: dict[str, Any]
    monitors: dict[str, Any]
    batch: int
    noise: dict[str, Any]


def _namespace(pop, net) -> dict[str, Any]:
    from brian2 import amp, second, volt

    n = pop.neuron
    return {"C_m": n["C_m"], "g_L": n["g_L"], "E_L": n["E_L"], "V_th": n["V_th"],
            "V_reset": n["V_reset"], "tau_m": n.tau_m, "tau_syn": pop.tau_syn * second,
            "I_rest": pop.I_rest * amp, "I_unit": pop.I_unit * amp,
            "tau_rec": net["tau_rec"], "U": net["release_fraction"],
            "s_noise": noise_scale(pop, net) * volt}


def noise_steps(net) -> int:
    """Samples of the noise TimedArray: it covers [0, duration] in steps of noise_dt."""
    return int(np.ceil(float(net["duration"] / net["noise_dt"]))) + 1


def noise_scale(pop, net) -> float:
    """s (V): held N(0, 1) steps of length Δ scaled by s give a membrane std σ."""
    return float(net["noise_sigma"]) * float(np.sqrt(2.0 * pop.neuron.tau_m / net["noise_dt"]))


def block_indices(n_pre: int, n_post: int, batch: int) -> tuple[np.ndarray, np.ndarray]:
    """Pre/post indices of ``batch`` diagonal all-to-all blocks, pre-major per block."""
    a = np.repeat(np.arange(n_pre, dtype=np.int64), n_post)
    b = np.tile(np.arange(n_post, dtype=np.int64), n_pre)
    off = np.arange(batch, dtype=np.int64)[:, None]
    return (off * n_pre + a).ravel(), (off * n_post + b).ravel()


def build_network(netlist: Netlist, batch: int, *, noise: bool,
                  noise_values: dict[str, np.ndarray] | None = None) -> Handles:
    """Create (not run) the network for ``batch`` trial copies on the active device.

    ``noise_values`` (population -> ``(steps, batch, size)``) fills the noise arrays at
    runtime; a standalone build leaves zeros there and receives them as ``run_args``.
    """
    from brian2 import Clock, Network, NeuronGroup, SpikeMonitor, Synapses, TimedArray

    net = netlist.network
    clock = Clock(dt=net["dt"], name="spiking_clock")
    groups, synapses, monitors, arrays = {}, {}, {}, {}
    for pop in netlist.populations:
        ns = _namespace(pop, net)
        term = ""
        if noise:
            values = (np.zeros((noise_steps(net), batch * pop.size)) if noise_values is None
                      else np.asarray(noise_values[pop.name], np.float64).reshape(
                          noise_steps(net), batch * pop.size))
            arrays[pop.name] = TimedArray(values, dt=net["noise_dt"], name=f"{pop.name}_noise")
            ns["eta"] = arrays[pop.name]
            term = " + s_noise*eta(t, i)/tau_m"
        groups[pop.name] = NeuronGroup(
            batch * pop.size, EQUATIONS.format(noise=term), threshold="v > V_th",
            reset="v = V_reset; R -= U*R", refractory=pop.neuron["t_ref"],
            method="exponential_euler", clock=clock, name=pop.name, namespace=ns)
        groups[pop.name].R = 1.0
        monitors[pop.name] = SpikeMonitor(groups[pop.name],
                                          name=f"{pop.name}_spikes")
    for proj in netlist.projections:
        syn = Synapses(groups[proj.source], groups[proj.target], "w : 1 (constant)",
                       on_pre="x_syn_post += w*R_pre", clock=clock, name=proj.name)
        if proj.one_to_one:
            pre = post = np.arange(batch * proj.shape[0], dtype=np.int64)
        else:
            pre, post = block_indices(*proj.shape, batch)
        syn.connect(i=pre, j=post)
        synapses[proj.name] = syn
    network = Network(*groups.values(), *synapses.values(), *monitors.values(),
                      name="spiking_network")
    return Handles(network, groups, synapses, monitors, batch, arrays)


def chunk_values(netlist: Netlist, handles: Handles, cues: np.ndarray, clamp: np.ndarray | None,
                 v0: dict[str, np.ndarray], noise: dict[str, np.ndarray] | None = None
                 ) -> dict[Any, np.ndarray]:
    """Values to set before a run, keyed by Brian2 variable views.

    Args:
        cues: ``(batch, D)`` cue drives of the visible population (already scaled by
            cue_strength; padded trials are zero).
        clamp: ``(batch, D)`` drives held for the whole trial (clamped entries) or None.
        v0: population name -> ``(batch, size)`` initial membrane potentials (V).
        noise: population name -> ``(steps, batch, size)`` N(0, 1) noise for a standalone
            program built with noise (None: the arrays already hold it).
    """
    from brian2 import volt

    B = handles.batch
    out: dict[Any, np.ndarray] = {}
    for pop in netlist.populations:
        G = handles.groups[pop.name]
        out[G.v] = np.asarray(v0[pop.name], dtype=np.float64).reshape(-1) * volt
        out[G.x_bias] = np.tile(pop.bias.astype(np.float64), B)
        if pop.cued:
            out[G.x_cue] = np.asarray(cues, dtype=np.float64).reshape(-1)
            zeros = np.zeros(B * pop.size)
            out[G.x_clamp] = (zeros if clamp is None
                              else np.asarray(clamp, dtype=np.float64).reshape(-1))
        if noise is not None and pop.name in handles.noise:
            n = np.asarray(noise[pop.name], dtype=np.float64)
            out[handles.noise[pop.name]] = n.reshape(n.shape[0], -1)
    for proj in netlist.projections:
        out[handles.synapses[proj.name].w] = np.tile(proj.weights.astype(np.float64).ravel(), B)
    return out
