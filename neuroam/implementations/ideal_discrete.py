from __future__ import annotations

import time
from typing import Literal

from pydantic import Field

from ..dynamics.discrete import DiscreteConfig, solve_discrete
from ..costs import ideal_cost
from ._assemble import to_result, with_cost
from .base import Implementation, SettingsBase
from .registry import register

__all__ = ["IdealDiscrete"]


class DiscreteSettings(SettingsBase):
    """Settings of ``ideal-discrete``. Time is counted in sweeps (D single-neuron updates)."""

    mode: Literal["async", "sync"] = "async"
    max_sweeps: int = Field(50, ge=1)
    save_states: bool = True
    batch_size: int = Field(4096, ge=1)
    processor: str | None = Field(None, description="processor card for the energy/latency "
                                  "estimate (default processor-h100)", json_schema_extra={"card": "device"})


@register
class IdealDiscrete(Implementation):
    """Binary σ ∈ {±1}: asynchronous exact-energy or synchronous sign updates (eq. 2.2–2.3)."""

    name = "ideal-discrete"
    description = "Discrete asynchronous/synchronous updates of binary neurons"
    time_unit = "sweep"
    Settings = DiscreteSettings

    def recall(self, model, patterns, cues, settings, *, seed=0):
        s = settings
        cues.check_against(patterns)
        t0 = time.perf_counter()
        traj = solve_discrete(model, patterns, cues, seed=seed, batch_size=s.batch_size,
                              config=DiscreteConfig(mode=s.mode, max_sweeps=s.max_sweeps,
                                                    save_states=s.save_states))
        attrs = {"model": model.one_layer().describe(), "mode": s.mode, "seed": seed,
                 "wall_time_s": time.perf_counter() - t0}
        result = to_result(self.name, traj, cues, time_unit="sweep", attrs=attrs)
        cost = ideal_cost(result, model.one_layer().bind(patterns), solver=None, discrete=True,
                          processor=s.processor)
        return with_cost(result, cost)
