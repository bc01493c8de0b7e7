"""From a model, its patterns and the crossbar settings to programmed chips.

This is the part of a crossbar run before any recall: load the cards, decide what is
stored (:mod:`.plan`), draw the faults of every chip, train fault-aware weights when
asked, and program the arrays. ``neuroam export-netlist`` uses it too, so that a netlist
shows exactly the chip a run recalled on (same seed, same draw).
"""

from __future__ import annotations

import dataclasses

import numpy as np

from ..learning import fault_aware
from .array import FaultSpec, ProgrammedArray, draw_faults, program_array
from .circuit import Circuit, load_circuit
from .device import Device, load_device
from .mapping import weight_bounds
from .plan import Plan, make_plan
from .tiling import make_layout

__all__ = ["Chip", "program_model"]


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
    device: Device
    circuit: Circuit
    array: ProgrammedArray
    bias: np.ndarray
    weights: np.ndarray | None


def program_model(model, patterns, s, *, seed: int) -> Chip:
    """Program ``patterns`` stored by ``model`` as the crossbar settings ``s`` ask.

    ``s`` is a :class:`~neuroam.implementations.crossbar.CrossbarSettings` (or anything
    with the same attributes); ``seed`` fixes faults, devices and training.
    """
    device, circuit = load_device(s.device), load_circuit(s.circuit)
    levels = device.levels if s.levels is None else device.check_levels(s.levels)
    wv = device.write_verify_iterations if s.write_verify is None else s.write_verify
    plan = make_plan(model, patterns, s.rule, s.dynamics)
    n_out = patterns.D if plan.form == "weights" else patterns.K
    layout = make_layout(patterns.D, n_out, circuit)
    rng = np.random.default_rng([int(seed), 0xC0FFEE])
    stuck_on = device.stuck_on_fraction if s.stuck_on_fraction is None else s.stuck_on_fraction
    spec = FaultSpec(rate=s.fault_rate, kind=s.fault_kind, model=s.fault_model,
                     stuck_on=stuck_on, cluster_size=s.cluster_size)
    faults = draw_faults(layout, s.n_draws, spec, rng)
    M, bias, w_max, W = plan.M, np.broadcast_to(plan.bias, (s.n_draws, n_out)), None, None
    if M is None:  # fault-aware: one weight matrix per draw, trained knowing its faults
        lo = hi = mask = None
        if s.fault_kind == "zero":
            mask = np.swapaxes(faults.zero, -1, -2)
        else:
            lo, hi = (np.swapaxes(a, -1, -2) for a in weight_bounds(
                faults.stuck, layout, device.g_min, device.g_max, 1.0))
        fa = fault_aware(patterns, mask=mask, lower=lo, upper=hi, steps=s.train_steps,
                         flip_rate=s.train_flip_rate, seed=int(seed))
        W, bias, w_max = fa.W, fa.b, 1.0
        M = np.swapaxes(W, -1, -2)
    arr = program_array(M, layout, device, circuit, faults, rng, w_max=w_max, levels=levels,
                        write_verify=wv, drift_time=s.drift_time,
                        compensation=s.drift_compensation, ir_mode=s.ir_drop,
                        known_faults=s.rule == "fault-aware")
    return Chip(plan=plan, device=device, circuit=circuit, array=arr, bias=np.asarray(bias),
                weights=W)
