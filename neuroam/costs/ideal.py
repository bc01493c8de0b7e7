"""Cost of ideal recall on a digital processor: FLOPs × energy per FLOP."""

from __future__ import annotations

import numpy as np

from ..cards import load_card
from ..dynamics.erk import UNROLLED
from ..errors import UnsupportedError
from .estimate import CostEstimate
from .flops import EVALS_PER_STEP, flip_flops, vector_field_flops

__all__ = ["ideal_cost", "DEFAULT_PROCESSOR"]

DEFAULT_PROCESSOR = "processor-h100"


def _processor(ref):
    card = load_card(ref or DEFAULT_PROCESSOR, folder="device", kind="processor")
    return card, card.value("peak_flops"), card.value("power"), card.value("utilization")


def ideal_cost(result, network, *, solver: str | None, steady_stop: bool = True,
               processor: str | None = None, discrete: bool = False) -> CostEstimate:
    """Per-recall energy and latency from the mean step count of ``result``.

    Continuous dynamics: steps × (evaluations per step + 1 for the steady-state check)
    × FLOPs per evaluation. Discrete: sweeps × D single-neuron updates. Energy =
    FLOPs × power / (peak × utilization); latency = FLOPs / (peak × utilization),
    i.e. one recall alone on the whole processor.
    """
    if not discrete and solver not in EVALS_PER_STEP:  # unknown to the cost model: no guess
        raise UnsupportedError(f"the solver {solver!r} in the cost model",
                               f"one of {sorted(EVALS_PER_STEP)}",
                               "Add its vector-field evaluations per step to "
                               "neuroam.costs.flops.EVALS_PER_STEP.")
    card, peak, power, util = _processor(processor)
    steps = result.extras.get("n_steps")
    n_steps = float(np.mean(steps.data)) if steps is not None else float(result.n_times)
    if discrete:
        flops = n_steps * network.D * flip_flops(network)
        what = f"{n_steps:.1f} sweeps x {network.D} updates"
    else:
        # the steady-state test reads the drift an unrolled Runge-Kutta step has just
        # evaluated (dynamics/steady.py); the other solvers evaluate it once more
        extra = 1 if steady_stop and solver not in UNROLLED else 0
        evals = EVALS_PER_STEP[solver] + extra
        flops = n_steps * evals * vector_field_flops(network)
        what = f"{n_steps:.1f} steps x {evals} vector-field evaluations"
    rate = peak * util
    latency = flops / rate
    energy = latency * power
    basis = (f"{what}, {flops:.3g} FLOP per recall on {card.name} ({peak:.3g} FLOP/s peak, "
             f"{power:g} W, utilization {util:g}; {card.params['peak_flops'].source})")
    return CostEstimate(energy, latency, {"flops": flops}, basis)
