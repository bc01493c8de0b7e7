from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from pydantic import Field

from ..costs import ideal_cost
from ..dynamics.discrete import DiscreteConfig, DiscreteRun, require_binary, solve_discrete_batch
from ..results import RecallResult
from ._assemble import recall_jobs, trajectory_bytes
from .base import Implementation, RecallJob, SettingsBase

__all__ = ["IdealDiscrete"]


class DiscreteSettings(SettingsBase):
    """Settings of ``ideal-discrete``. Time is counted in sweeps (D single-neuron updates)."""

    mode: Literal["async", "sync"] = "async"
    max_sweeps: int = Field(50, ge=1)
    save_states: bool = True
    batch_size: int = Field(4096, ge=1, description="trials per compiled batch (per run)")
    processor: str | None = Field(None, description="processor card for the energy/latency "
                                  "estimate (default processor-h100)", json_schema_extra={"card": "device", "kind": "processor"})


class IdealDiscrete(Implementation):
    """Binary σ ∈ {±1}: asynchronous exact-energy or synchronous sign updates (eq. 2.2–2.3).

    Batches: jobs differ only in their seeds (patterns, cues and update orders); every
    setting shapes the compiled sweep loop, so none is batchable."""

    name = "ideal-discrete"
    role = "reference"
    description = "Discrete asynchronous/synchronous updates of binary neurons"
    time_unit = "sweep"
    Settings = DiscreteSettings
    thread_safe = True

    def recall(self, model, patterns, cues, settings, *, seed=0) -> RecallResult:
        return self.recall_batch([RecallJob(model, patterns, cues, settings, seed)])[0]

    def recall_batch(self, jobs: Sequence[RecallJob]) -> list[RecallResult]:
        def bind(job):
            require_binary(job.patterns)  # refuse real patterns before binding
            return job.model.one_layer().bind(job.patterns)

        def solve(js, networks):
            return solve_discrete_batch([
                DiscreteRun(net, j.patterns, j.cues, seed=j.seed, batch_size=j.settings.batch_size,
                            config=DiscreteConfig(mode=j.settings.mode, max_sweeps=j.settings.max_sweeps,
                                                  save_states=j.settings.save_states))
                for j, net in zip(js, networks)])

        return recall_jobs(
            self, jobs, bind=bind, solve=solve,
            attrs=lambda job: {"model": job.model.one_layer().describe(), "mode": job.settings.mode,
                               "seed": job.seed},
            cost=lambda result, network, s: ideal_cost(result, network, solver=None, discrete=True,
                                                       processor=s.processor))

    def result_bytes(self, settings, n_trials: int, D: int, K: int) -> int:
        return trajectory_bytes(n_trials, D, K, settings.max_sweeps + 1, settings.save_states)
