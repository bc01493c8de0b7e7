"""``spiking``: the stored patterns recalled by networks of LIF neurons in Brian2.

One-layer pairwise models (the classical Hopfield network and its learning rules) run
on the ``spiking-hopfield`` template, bipartite softmax DenseAMs on ``spiking-dense``
(feature ↔ memory neurons through ξ, a shared inhibitory pool whose gain plays β); see
:mod:`neuroam.spiking`. The cue is an input current during a cue window, then removed;
states are decoded from windowed firing rates; spike trains are kept in the extras
(``spike_time``/``spike_neuron``/``spike_count``, plus ``memory_spike_*`` for the
memory layer). Times are in seconds.

Cost: energy and latency per recall on the neuromorphic chip card ``chip`` (default Intel
Loihi) from the synaptic events and neuron updates of each trial
(:func:`neuroam.costs.spiking.spiking_cost`); per-trial events are kept in the extra
``synaptic_events`` (trial).
"""

from __future__ import annotations

import json
import time
from typing import Literal

from pydantic import Field

from ..costs.spiking import DEFAULT_CHIP, load_chip, spiking_cost
from ..results import Extra
from ..spiking import BACKENDS, simulate, to_result, translate
from ..spiking.translate import unsupported
from ._assemble import with_cost
from .base import Implementation, SettingsBase

__all__ = ["Spiking"]


class SpikingSettings(SettingsBase):
    """Settings of ``spiking``. Physical numbers live in the cards; ``params`` overrides them."""

    neuron: str = Field("lif-neuron", description="neuron card (devices/) of the feature and "
                        "memory neurons", json_schema_extra={"card": "device", "kind": "neuron"})
    inhibitory_neuron: str = Field("lif-interneuron", description="neuron card of the "
                                   "inhibitory pool (spiking-dense only)",
                                   json_schema_extra={"card": "device", "kind": "neuron"})
    circuit: str | None = Field(None, description="network card (circuits/); default: "
                                "spiking-hopfield for one-layer models, spiking-dense for "
                                "bipartite ones",
                                json_schema_extra={"card": "circuit", "kind": "spiking-network"})
    params: dict[str, str | float] = Field(
        default_factory=dict, description="overrides of card values with units, e.g. "
        "{ tau_syn = \"10 ms\", noise_sigma = \"0 mV\", \"inhibitory.t_ref\" = \"2 ms\" }")
    backend: Literal[tuple(BACKENDS)] = Field(  # type: ignore[valid-type]
        "numpy", description="Brian2 back-end: numpy (no compiler), cython (compiled on "
        "first use, cached), cpp_standalone (built once per network shape, re-run with "
        "run_args)")
    batch_size: int | None = Field(None, ge=1, description="trial copies per network; "
                                   "default: as many as the back-end's synapse budget allows")
    workers: int = Field(1, ge=1, le=256, description="worker processes (spawned) for the "
                         "chunks of trials; pays only with several chunks of ≳ 5 s and idle "
                         "cores; scripts need the `if __name__ == \"__main__\":` guard")
    readout: Literal["sign", "rate"] = Field("sign", description="decoded state: ±1 from a "
                                             "half-rate comparator, or 2r/r_on − 1 clipped")
    save_states: bool = Field(True, description="keep decoded states over time")
    record_spikes: bool = Field(True, description="keep spike trains in the results")
    chip: str | None = Field(DEFAULT_CHIP, description="neuromorphic chip card (devices/) for "
                             "the energy/latency estimate, e.g. chip-loihi or chip-truenorth; "
                             "None: no estimate",
                             json_schema_extra={"card": "device", "kind": "neuromorphic"})


_SPIKE_EXTRAS = ("spike_time", "spike_neuron", "spike_count", "memory_spike_time",
                 "memory_spike_unit", "memory_spike_count")


class Spiking(Implementation):
    """LIF networks in Brian2 (runtime numpy/cython or cpp_standalone), batched trials."""

    name = "spiking"
    description = "Spiking LIF mirror in Brian2 (Hopfield or bipartite DenseAM with inhibitory pool)"
    time_unit = "s"
    Settings = SpikingSettings
    main_thread_imports = ("brian2",)

    def supports(self, model, settings=None):
        return unsupported(model.structure)

    def recall(self, model, patterns, cues, settings, *, seed=0):
        s = settings
        cues.check_against(patterns)
        t0 = time.perf_counter()
        if s.chip is not None:
            load_chip(s.chip)  # a bad chip card fails before the simulation, not after
        netlist = translate(model, patterns, neuron=s.neuron, inhibitory=s.inhibitory_neuron,
                            circuit=s.circuit, overrides=s.params)
        sim = simulate(netlist, cues, backend=s.backend, batch=s.batch_size, workers=s.workers,
                       seed=seed)
        table = netlist.network.rows() + [
            row for p in netlist.populations for row in p.neuron.rows(f"{p.name}.")]
        attrs = {"model": model.describe(), "backend": s.backend, "seed": seed,
                 "network_card": netlist.network.name,
                 "neuron_card": netlist.populations[0].neuron.name,
                 "parameters": json.dumps(table, ensure_ascii=False)}
        result = to_result(netlist, patterns, cues, sim, readout=s.readout,
                           save_states=s.save_states, attrs=attrs)
        if s.chip is not None:  # counted here: the spike extras may be dropped below
            cost, events = spiking_cost(netlist, sim.spikes, sim.n_trials, chip=s.chip)
            extras = {**result.extras, "synaptic_events": Extra(("trial",), events)}
            result = with_cost(result.replace(extras=extras), cost)
        if not s.record_spikes:
            result = result.replace(extras={k: v for k, v in result.extras.items()
                                            if k not in _SPIKE_EXTRAS})
        result.attrs["wall_time_s"] = time.perf_counter() - t0
        return result
