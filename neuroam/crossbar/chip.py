"""From a model, its patterns and the crossbar settings to programmed chips.

This is the part of a crossbar run before any recall: load the cards, decide what is
stored (:mod:`.plan`), draw the faults of every chip, train fault-aware weights when
asked, and program the arrays. ``neuroam export-netlist`` uses it too, so that a netlist
shows exactly the chip a run recalled on (same seed, same draw). :func:`program_models`
does the same for the runs of a batch: each run's own generator draws its faults and
devices, and the fault-aware training of all runs is one compiled call.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from ..dynamics.runs import padded_runs
from ..learning.fault_aware import FaultAwareProblem, FaultAwareWeights, fault_aware_batch
from .array import Faults, FaultSpec, ProgrammedArray, draw_faults, program_array
from .circuit import Circuit, load_circuit
from .device import DeviceModel, load_device
from .mapping import weight_bounds
from .plan import Plan, make_plan
from .tiling import TileLayout, make_layout

__all__ = ["Chip", "program_model", "program_models"]


@dataclasses.dataclass(frozen=True)
class Chip:
    """Programmed chips of one run.

    Attributes:
        plan: what is stored and what the periphery computes.
        array: the programmed tiles of every draw.
        bias: ``(draw, n_out)`` periphery bias (digital).
        weights: ``(draw, D, D)`` trained weights (fault-aware), else None.
    """

    plan: Plan
    device: DeviceModel
    circuit: Circuit
    array: ProgrammedArray
    bias: np.ndarray
    weights: np.ndarray | None


@dataclasses.dataclass(frozen=True)
class _Draft:
    """A run's chips before programming: cards, plan, faults and its RNG (already used for
    the faults, next for the devices), and the training problem of fault-aware weights."""

    s: object  # CrossbarSettings
    plan: Plan
    device: DeviceModel
    circuit: Circuit
    layout: TileLayout
    levels: int
    write_verify: int
    faults: Faults
    rng: np.random.Generator
    problem: FaultAwareProblem | None


def _draft(model, patterns, s, seed: int, cards: dict) -> _Draft:
    """``cards``: the device and circuit cards loaded so far in this call, by name."""
    if (s.device, s.circuit) not in cards:
        cards[s.device, s.circuit] = load_device(s.device), load_circuit(s.circuit)
    device, circuit = cards[s.device, s.circuit]
    levels = device.levels if s.levels is None else device.check_levels(s.levels)
    wv = device.write_verify_iterations if s.write_verify is None else s.write_verify
    plan = make_plan(model, patterns, s.rule, s.dynamics, s.zero_diagonal)
    n_out = patterns.D if plan.form == "weights" else patterns.K
    layout = make_layout(patterns.D, n_out, circuit)
    rng = np.random.default_rng([int(seed), 0xC0FFEE])
    stuck_on = device.stuck_on_fraction if s.stuck_on_fraction is None else s.stuck_on_fraction
    spec = FaultSpec(rate=s.fault_rate, kind=s.fault_kind, model=s.fault_model,
                     stuck_on=stuck_on, cluster_size=s.cluster_size)
    faults = draw_faults(layout, s.n_draws, spec, rng)
    problem = None
    if plan.M is None:  # fault-aware: one weight matrix per draw, trained knowing its faults
        lo = hi = mask = None
        if s.fault_kind == "zero":
            mask = np.swapaxes(faults.zero, -1, -2)
        else:
            lo, hi = (np.swapaxes(a, -1, -2) for a in weight_bounds(
                faults.stuck, layout, device.g_min, device.g_max, 1.0))
        problem = FaultAwareProblem(patterns, mask=mask, lower=lo, upper=hi,
                                    flip_rate=s.train_flip_rate, seed=int(seed))
    return _Draft(s, plan, device, circuit, layout, levels, wv, faults, rng, problem)


def _finish(dr: _Draft, fa: FaultAwareWeights | None) -> Chip:
    s, plan, n = dr.s, dr.plan, dr.s.n_draws
    M, bias, w_max, W = plan.M, np.broadcast_to(plan.bias, (n, plan.bias.shape[-1])), None, None
    if fa is not None:
        W, bias, w_max = fa.W, fa.b, 1.0
        M = np.swapaxes(W, -1, -2)
    arr = program_array(M, dr.layout, dr.device, dr.circuit, dr.faults, dr.rng, w_max=w_max,
                        levels=dr.levels, write_verify=dr.write_verify,
                        drift_time=s.drift_time, compensation=s.drift_compensation,
                        ir_mode=s.ir_drop, known_faults=s.rule == "fault-aware")
    return Chip(plan=plan, device=dr.device, circuit=dr.circuit, array=arr,
                bias=np.asarray(bias), weights=W)


def program_models(runs, *, pad: bool = False,
                   runs_per_step: int | None = None) -> list[Chip]:
    """Program the chips of several runs; the fault-aware weights of all of them are
    trained in one compiled call per ``train_steps`` value
    (:func:`~neuroam.learning.fault_aware.fault_aware_batch`).

    Args:
        runs: ``(model, patterns, settings, seed)`` tuples, as for :func:`program_model`.
        pad: pad the training batch to a power of two of runs (copies, dropped), so that
            batches of different sizes share compiled shapes.
        runs_per_step: train the maps of this many runs at a time (vmapped), one group
            after the other, skipping groups of padding; default: all at once.

    Each run draws its faults and devices from its own generator seeded by its seed, and
    trains with its own keys: its chips are those :func:`program_model` gives it alone.
    """
    cards: dict = {}
    drafts = [_draft(m, p, s, seed, cards) for m, p, s, seed in runs]
    trained: dict[int, FaultAwareWeights] = {}
    groups: dict[tuple[int, int], list[int]] = {}
    for i, dr in enumerate(drafts):
        if dr.problem is not None:
            groups.setdefault((int(dr.s.train_steps), dr.s.n_draws), []).append(i)
    for (steps, n), idx in groups.items():
        fas = fault_aware_batch([drafts[i].problem for i in idx], steps=steps,
                                pad_to=padded_runs(len(idx)) * n if pad else None,
                                maps_per_step=runs_per_step and runs_per_step * n)
        trained.update(zip(idx, fas))
    return [_finish(dr, trained.get(i)) for i, dr in enumerate(drafts)]


def program_model(model, patterns, s, *, seed: int) -> Chip:
    """Program ``patterns`` stored by ``model`` as the crossbar settings ``s`` ask.

    ``s`` is a :class:`~neuroam.implementations.crossbar.CrossbarSettings` (or anything
    with the same attributes); ``seed`` fixes faults, devices and training.
    """
    return program_models([(model, patterns, s, seed)])[0]
