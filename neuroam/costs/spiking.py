"""Cost of spiking recall on a neuromorphic chip: synaptic events and neuron updates.

A chip card (``devices/chip-*.toml``, ``kind = "neuromorphic"``) gives

===============================  ====  =======================================================
parameter                        unit  meaning
===============================  ====  =======================================================
``energy_per_synaptic_event``    J     one presynaptic spike delivered to one target synapse
``energy_per_neuron_update``     J     one neuron (compartment) updated in one time step
``time_mode``                    1     ``"unthrottled"`` or ``"real-time"``
``time_step``                    s     optional: the chip's own fixed time step (a tick); the
                                       simulation's dt otherwise
``time_per_synaptic_event``      s     unthrottled only: core time of one synaptic event
``time_per_neuron_update``       s     unthrottled only: core time of one neuron update
``time_per_step_sync``           s     unthrottled only: barrier synchronisation per step
``neurons_per_core``             1     neurons one core holds
``synapses_per_core``            1     synapses one core holds
``static_power_per_core``        W     optional: leakage of one core while the recall runs
===============================  ====  =======================================================

Per trial (one recall):

- synaptic events = Σ over spikes of the spiking neuron's fan-out, the number of non-zero
  weights in its rows of every projection it is the source of (recurrent,
  feature → memory, memory → feature, to and from the inhibitory pool). Zero weights are
  kept as synapses by the Brian2 build, but a chip would not map them, so they are not
  counted. Biases and the cue are currents (a compartment bias on the chip), not synapses;
- neuron updates = neurons × steps, steps = duration / (chip time step, or the
  simulation's dt): a time-stepped chip updates every neuron every step;
- cores = max(⌈neurons / neurons_per_core⌉, ⌈synapses / synapses_per_core⌉);
- latency: ``"real-time"``: steps × step length (the simulated duration);
  ``"unthrottled"``: steps × sync + (updates × t_update + events × t_event) / cores
  (each core works through its share in series, the cores in parallel);
- energy = events × E_event + updates × E_update + static power × cores × latency.

Energy and latency per recall are means over trials; per-trial event counts are kept.
"""

from __future__ import annotations

import math

import numpy as np

from ..cards import load_card
from ..cards.tables import TIME_MODES
from ..errors import ShapeError
from .estimate import CostEstimate

__all__ = ["spiking_cost", "synaptic_events", "spike_counts", "fan_out", "DEFAULT_CHIP",
           "CHIP_KIND", "TIME_MODES", "load_chip"]

DEFAULT_CHIP = "chip-loihi"
CHIP_KIND = "neuromorphic"


def fan_out(netlist) -> dict[str, np.ndarray]:
    """population -> ``(size,)`` synapses each of its neurons drives (non-zero weights)."""
    out = {p.name: np.zeros(p.size, dtype=np.int64) for p in netlist.populations}
    for proj in netlist.projections:
        w = proj.weights
        out[proj.source] += (w != 0) if proj.one_to_one else np.count_nonzero(w, axis=1)
    return out


def spike_counts(netlist, spikes: dict, n_trials: int) -> dict[str, np.ndarray]:
    """population -> ``(T, size)`` spikes of each neuron in each trial.

    Args:
        spikes: population -> ``(trial (n,), neuron (n,), time (n,) s)``, as in
            :class:`neuroam.spiking.run.Simulation`.
    """
    out = {}
    for pop in netlist.populations:
        trial, neuron, _ = spikes.get(pop.name, (np.zeros(0, int), np.zeros(0, int), None))
        trial, neuron = np.asarray(trial, np.int64), np.asarray(neuron, np.int64)
        if trial.shape != neuron.shape:
            raise ShapeError(f"spike trials {trial.shape} and neurons {neuron.shape} of "
                             f"{pop.name!r}", "one trial and one neuron index per spike",
                             "Pass the spikes of a Simulation unchanged.")
        flat = np.bincount(trial * pop.size + neuron, minlength=n_trials * pop.size)
        out[pop.name] = flat[: n_trials * pop.size].reshape(n_trials, pop.size)
    return out


def synaptic_events(netlist, spikes: dict, n_trials: int) -> np.ndarray:
    """``(T,)`` synaptic events per trial: Σ over spikes of the neuron's fan-out."""
    counts = spike_counts(netlist, spikes, n_trials)
    fo = fan_out(netlist)
    return sum((counts[name] @ fo[name]).astype(np.float64) for name in counts)


def load_chip(ref: str | None = None):
    """``(card, parameters)`` of the chip card ``ref`` (default ``chip-loihi``), checked.

    Raises:
        CardError: unknown card, wrong kind, missing or out-of-range parameter.
    """
    card = load_card(ref or DEFAULT_CHIP, folder="device", kind=CHIP_KIND)  # SI, checked
    v = card.value
    p = {"mode": v("time_mode"),
         "E_event": v("energy_per_synaptic_event"), "E_update": v("energy_per_neuron_update"),
         "per_core_n": v("neurons_per_core"), "per_core_s": v("synapses_per_core"),
         "static": v("static_power_per_core", 0.0), "step": v("time_step", None)}
    if p["mode"] == "unthrottled":
        p.update(t_event=v("time_per_synaptic_event"), t_update=v("time_per_neuron_update"),
                 t_sync=v("time_per_step_sync"))
    return card, p


def _cores(netlist, p) -> int:
    synapses = sum(int(np.count_nonzero(q.weights)) for q in netlist.projections)
    return max(1, math.ceil(netlist.neurons_per_trial / p["per_core_n"]),
               math.ceil(synapses / p["per_core_s"]))


def spiking_cost(netlist, spikes: dict, n_trials: int, *, chip: str | None = None
                 ) -> tuple[CostEstimate, np.ndarray]:
    """Per-recall energy (J) and latency (s) of ``netlist`` on the chip card ``chip``.

    Args:
        netlist: the :class:`~neuroam.spiking.netlist.Netlist` that was simulated.
        spikes: population -> ``(trial (n,), neuron (n,), time (n,) s)`` of every trial.
        n_trials: T.
        chip: card name or path (default ``chip-loihi``).

    Returns:
        ``(estimate, events)``: the mean cost per recall and the ``(T,)`` synaptic events.

    Raises:
        CardError: unknown card, wrong kind, missing or out-of-range parameter.
    """
    from brian2 import second

    card, p = load_chip(chip)
    net = netlist.network
    duration = float(net["duration"] / second)
    step = p["step"] if p["step"] is not None else float(net["dt"] / second)
    steps = max(1, int(round(duration / step)))
    events = synaptic_events(netlist, spikes, n_trials)
    n_events = float(events.mean()) if events.size else 0.0
    n_spikes = float(sum(c.sum() for c in spike_counts(netlist, spikes, n_trials).values())
                     ) / max(n_trials, 1)
    updates = float(netlist.neurons_per_trial * steps)
    cores = _cores(netlist, p)
    if p["mode"] == "real-time":
        latency = steps * step
        timing = f"real time ({steps} steps of {step * 1e3:g} ms)"
    else:
        latency = steps * p["t_sync"] + (updates * p["t_update"] + n_events * p["t_event"]) / cores
        timing = f"unthrottled ({steps} steps, {cores} core(s))"
    syn_J = n_events * p["E_event"]
    neuron_J = updates * p["E_update"]
    static_J = p["static"] * cores * latency
    energy = syn_J + neuron_J + static_J
    breakdown = {"synaptic_events": n_events, "spikes": n_spikes, "neuron_updates": updates,
                 "cores": float(cores), "synaptic_J": syn_J, "neuron_J": neuron_J,
                 "static_J": static_J}
    basis = (f"{n_events:.4g} synaptic events x {p['E_event']:.3g} J + {updates:.4g} neuron "
             f"updates x {p['E_update']:.3g} J + {p['static']:.3g} W x {cores} core(s) x latency, "
             f"on {card.name}, {timing}; mean over {n_trials} trial(s); "
             f"{card.params['energy_per_synaptic_event'].source}")
    return CostEstimate(energy, latency, breakdown, basis), events
