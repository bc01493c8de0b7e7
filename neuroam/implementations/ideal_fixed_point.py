from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from pydantic import Field

from ..costs import ideal_cost
from ..dynamics.fixed_point import FixedPointConfig, FixedPointRun, solve_fixed_point_batch
from ..results import RecallResult
from ._assemble import recall_jobs, trajectory_bytes
from .base import Implementation, RecallJob, SettingsBase

__all__ = ["IdealFixedPoint"]


class FixedPointSettings(SettingsBase):
    """Settings of ``ideal-fixed-point``. Time is counted in iterations of the update map
    (not in τ)."""

    tol: float = Field(1e-5, gt=0, description="a trial stops when one iteration moves no visible "
                       "neuron's internal state by this much or more (state units)")
    max_iters: int = Field(100, ge=1, description="most iterations of the update map per trial")
    save_states: bool = Field(True, description="keep full visible states at every iteration "
                              "(else energies and overlaps only)")
    dtype: Literal["float32", "float64"] = "float32"
    batch_size: int = Field(1024, ge=1, description="trials per compiled batch (per run)")
    processor: str | None = Field(None, description="processor card for the energy/latency "
                                  "estimate (default processor-h100)", json_schema_extra={"card": "device", "kind": "processor"})


class IdealFixedPoint(Implementation):
    """The attractor without the trajectory: iterate the model's update map — every layer
    set to its input current (Euler with dt = τ, layer by layer: hidden layers, then the
    visible one) — until one iteration moves no visible neuron by ``tol``
    (:mod:`neuroam.dynamics.fixed_point`). For the LSE energy this is the modern-Hopfield
    update. Its fixed points are the ODE's steady states; its iterates are not the ODE's
    trajectory: times and converge times count iterations.

    Batches: jobs may differ in ``tol`` (a traced number) and in their seeds (patterns and
    cues); ``max_iters``, ``save_states`` and ``dtype`` shape the compiled loop."""

    name = "ideal-fixed-point"
    role = "reference"
    reference_rank = 1
    description = ("Attractor of the ideal energy model by iterating its update map (Euler dt = τ "
                   "per layer, the modern-Hopfield update for LSE); not the ODE trajectory")
    time_unit = "iteration"
    Settings = FixedPointSettings
    batchable = frozenset({"tol"})
    thread_safe = True

    def recall(self, model, patterns, cues, settings, *, seed=0) -> RecallResult:
        return self.recall_batch([RecallJob(model, patterns, cues, settings, seed)])[0]

    def recall_batch(self, jobs: Sequence[RecallJob]) -> list[RecallResult]:
        def solve(js, networks):
            return solve_fixed_point_batch([
                FixedPointRun(net, j.patterns, j.cues, tol=j.settings.tol, dtype=j.settings.dtype,
                              batch_size=j.settings.batch_size,
                              config=FixedPointConfig(max_iters=j.settings.max_iters,
                                                      save_states=j.settings.save_states))
                for j, net in zip(js, networks)])

        return recall_jobs(
            self, jobs, bind=lambda job: job.model.bind(job.patterns), solve=solve,
            attrs=lambda job: {"model": job.model.describe(), "solver": "fixed-point",
                               "tol": job.settings.tol},
            cost=lambda result, network, s: ideal_cost(result, network, solver="fixed-point",
                                                       steady_stop=False, processor=s.processor))

    def result_bytes(self, settings, n_trials: int, D: int, K: int) -> int:
        return trajectory_bytes(n_trials, D, K, settings.max_iters + 1, settings.save_states,
                                settings.dtype)
