"""Run a netlist on a batch of cues and package the spikes as a RecallResult.

Trials are batched: ``batch`` independent copies of the network share one set of
NeuronGroups (block-diagonal synapses), and the T trials run as ⌈T/batch⌉ chunks of that
network (the last one padded with silent trials so a standalone program keeps its
shape). Chunks can be spread over worker processes (``workers > 1``). That pays only
when there are several chunks, each running for longer than a worker's start-up: a
spawned worker imports neuroam and Brian2 (≈ 3–5 s), builds its network (numpy ≈ 1 s;
cython: cached code; standalone: ≈ 2 s of code generation against the shared compiled
project) and then runs its chunks. On a machine with N idle cores, use up to N workers
for studies of ≥ 2·N chunks of ≳ 5 s each; on shared or 2-core machines keep 1.

Initial membrane potentials of the cued (visible) population are drawn per trial,
uniformly in [V_reset, V_th), from the recall seed (so results do not depend on the batch
size or the number of workers); memory and inhibitory neurons start at rest (E_L), so the
memory whose overlap with the cue is largest reaches threshold first.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Iterator

import numpy as np

from ..errors import ValueRangeError
from ..results import Extra, RecallResult, Status
from .backends import BACKENDS, ChunkInput, check_size, default_batch, run_chunks
from .netlist import Netlist
from .readout import SampleGrid, decode, ragged, settle, windowed_counts

__all__ = ["Simulation", "simulate", "to_result"]


@dataclasses.dataclass(frozen=True)
class Simulation:
    """Spikes of every population for T trials.

    ``spikes[pop] = (trial (n,), neuron (n,), time (n,) s)``, neuron indices within one
    trial's population. ``timing`` holds build/run seconds and chunk counts.
    """

    spikes: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]
    n_trials: int
    timing: dict[str, float]


def _initial_potentials(netlist: Netlist, T: int, seed: int) -> dict[str, np.ndarray]:
    out = {}
    for k, pop in enumerate(netlist.populations):
        if not pop.cued:
            out[pop.name] = np.full((T, pop.size), float(pop.neuron["E_L"]))
            continue
        rng = np.random.default_rng([seed, 7919, k])
        lo, hi = float(pop.neuron["V_reset"]), float(pop.neuron["V_th"])
        out[pop.name] = lo + (hi - lo) * rng.random((T, pop.size))
    return out


def _noise(netlist: Netlist, trials: range, seed: int) -> dict[str, np.ndarray]:
    """population -> ``(steps, len(trials), size)`` float32 N(0, 1) noise, one stream per
    trial (the same whatever the chunking)."""
    from .build import noise_steps

    n = noise_steps(netlist.network)
    out = {}
    for k, pop in enumerate(netlist.populations):
        arr = np.empty((n, len(trials), pop.size), dtype=np.float32)
        for j, t in enumerate(trials):
            rng = np.random.default_rng([seed, 104729, k, t])
            arr[:, j, :] = rng.standard_normal((n, pop.size), dtype=np.float32)
        out[pop.name] = arr
    return out


def _pad(a: np.ndarray, pad: int, fill: float = 0.0, axis: int = 0) -> np.ndarray:
    if not pad:
        return a
    shape = list(a.shape)
    shape[axis] = pad
    return np.concatenate([a, np.full(shape, fill, dtype=a.dtype)], axis=axis)


def _chunks(netlist: Netlist, cues, batch: int, seed: int, noise: bool) -> Iterator[ChunkInput]:
    """The chunks of ``batch`` trials, made one at a time (noise is per chunk in memory)."""
    drive = netlist.network["cue_strength"] * np.asarray(cues.states, dtype=np.float64)
    clamp = None if cues.clamp is None else drive * np.asarray(cues.clamp, dtype=np.float64)
    if netlist.population(netlist.visible).pairs:  # ON neurons get +cue, OFF neurons −cue
        drive = np.concatenate([drive, -drive], axis=1)
        clamp = None if clamp is None else np.concatenate([clamp, -clamp], axis=1)
    v0 = _initial_potentials(netlist, cues.n_trials, seed)
    T = cues.n_trials
    for start in range(0, T, batch):
        stop = min(start + batch, T)
        pad = batch - (stop - start)
        v = {name: _pad(a[start:stop], pad, float(netlist.population(name).neuron["V_reset"]))
             for name, a in v0.items()}
        eta = None
        if noise:
            eta = {name: _pad(a, pad, axis=1)
                   for name, a in _noise(netlist, range(start, stop), seed).items()}
        yield ChunkInput(_pad(drive[start:stop], pad),
                         None if clamp is None else _pad(clamp[start:stop], pad), v, eta,
                         stop - start)


def _run_parallel(netlist, chunks, backend, batch, noise, workers):
    import concurrent.futures as cf
    import multiprocessing as mp

    groups = [chunks[i::workers] for i in range(workers)]
    with cf.ProcessPoolExecutor(workers, mp_context=mp.get_context("spawn")) as pool:
        futures = [pool.submit(run_chunks, netlist, g, backend, batch, noise) for g in groups]
        parts = [f.result() for f in futures]
    out = [None] * len(chunks)
    for i, part in enumerate(parts):
        for j, res in enumerate(part):
            out[i + j * workers] = res
    return out


def simulate(netlist: Netlist, cues, *, backend: str = "numpy", batch: int | None = None,
             workers: int = 1, seed: int = 0) -> Simulation:
    """Run every cue of ``cues`` (a :class:`~neuroam.cues.CueSet`) through ``netlist``."""
    if backend not in BACKENDS:
        raise ValueRangeError(f"backend {backend!r}", f"one of {sorted(BACKENDS)}",
                              "Pick a Brian2 back-end.")
    if cues.D != netlist.D:
        raise ValueRangeError(f"cues of D={cues.D}", f"D={netlist.D} as in the network",
                              "Make the cues from the stored patterns.")
    be = BACKENDS[backend]
    check_size(netlist, be)
    T = cues.n_trials
    B = default_batch(netlist, be, T) if batch is None else int(min(batch, T))
    if B * netlist.synapses_per_trial > be.max_synapses:
        B = max(1, be.max_synapses // netlist.synapses_per_trial)
    noise = float(netlist.network["noise_sigma"]) > 0
    chunks = _chunks(netlist, cues, B, seed, noise)
    n_chunks = math.ceil(T / B)
    workers = max(1, min(int(workers), n_chunks))
    t0 = time.perf_counter()
    if workers > 1:
        results = _run_parallel(netlist, list(chunks), backend, B, noise, workers)
    else:
        results = run_chunks(netlist, chunks, backend, B, noise)
    wall = time.perf_counter() - t0
    spikes: dict[str, list] = {p.name: [] for p in netlist.populations}
    for c, res in enumerate(results):
        n_real = min(B, T - c * B)
        for pop in netlist.populations:
            t, i = res.spikes[pop.name]
            trial = i // pop.size
            keep = trial < n_real
            spikes[pop.name].append((trial[keep] + c * B, (i % pop.size)[keep], t[keep]))
    merged = {name: tuple(np.concatenate([p[k] for p in parts]) if parts else np.zeros(0)
                          for k in range(3)) for name, parts in spikes.items()}
    timing = {"wall_s": wall, "build_s": float(sum(r.build_s for r in results)),
              "run_s": float(sum(r.run_s for r in results)), "chunks": n_chunks,
              "batch": B, "workers": workers,
              "compiled": float(any(r.compiled for r in results))}
    return Simulation(merged, T, timing)


def to_result(netlist: Netlist, patterns, cues, sim: Simulation, *, readout: str = "sign",
              save_states: bool = True, attrs: dict | None = None) -> RecallResult:
    """Decode a :class:`Simulation` into the common :class:`~neuroam.results.RecallResult`."""
    from brian2 import second

    net = netlist.network
    grid = SampleGrid.from_params(net)
    T, D = sim.n_trials, netlist.D
    trial, neuron, times = sim.spikes[netlist.visible]
    size = netlist.population(netlist.visible).size
    rates, _ = windowed_counts(trial, neuron, times, T, size, grid)
    states = decode(rates, netlist, readout)
    xi = np.asarray(patterns.xi, dtype=np.float32)
    overlaps = np.einsum("tsd,kd->tsk", states, xi) / D
    converged, ctime = settle(states, grid.times, float(net["stable_time"] / second))
    status = np.where(converged, Status.CONVERGED, Status.MAX_STEPS).astype(np.int8)
    st, sn, sc = ragged(trial, neuron, times, T)
    extras = {
        "spike_time": Extra(("spike",), st, "s"),
        "spike_neuron": Extra(("spike",), sn),
        "spike_count": Extra(("trial",), sc),
        "mean_rate": Extra(("trial", "time"), rates.mean(axis=2), "Hz"),
    }
    if "memories" in sim.spikes:
        mt, mn, mc = ragged(*sim.spikes["memories"], T)
        extras["memory_spike_time"] = Extra(("memory_spike",), mt, "s")
        extras["memory_spike_unit"] = Extra(("memory_spike",), mn)
        extras["memory_spike_count"] = Extra(("trial",), mc)
    if "inhibitory" in sim.spikes:
        pop = netlist.population("inhibitory")
        r_inh, _ = windowed_counts(*sim.spikes["inhibitory"], T, pop.size, grid)
        extras["inhibitory_rate"] = Extra(("trial", "time"), r_inh.mean(axis=2), "Hz")
    info = dict(netlist.attrs)
    info.update({f"timing_{k}": v for k, v in sim.timing.items()})
    info.update(attrs or {})
    info.update({"readout": readout, "neurons_per_trial": netlist.neurons_per_trial,
                 "spike_neuron_layout": "unit i: ON neuron i, OFF neuron D + i",
                 "synapses_per_trial": netlist.synapses_per_trial})
    return RecallResult(
        implementation="spiking", times=grid.times, states=states if save_states else None,
        energies=None, overlaps=overlaps, final=states[:, -1, :], status=status,
        converge_time=ctime, cues=cues.states, targets=cues.targets, time_unit="s",
        extras=extras, attrs=info)

