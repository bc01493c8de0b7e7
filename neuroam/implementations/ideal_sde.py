from __future__ import annotations

import time
from typing import Literal

from pydantic import Field

from ..dynamics.sde import SDE_SOLVERS, SDEConfig, solve_sde
from ..costs import ideal_cost
from ._assemble import to_result, with_cost
from .base import Implementation, SettingsBase
from .registry import register

__all__ = ["IdealSDE"]


class SDESettings(SettingsBase):
    """Settings of ``ideal-sde``. Times are in units of τ."""

    temperature: float = Field(0.01, ge=0, description="additive noise: √(2T/τ) dW")
    multiplicative: float = Field(0.0, ge=0, description="extra noise m·|x| dW (Euler/Heun only)")
    solver: Literal[tuple(SDE_SOLVERS)] = "shark"  # type: ignore[valid-type]
    t1: float = Field(50.0, gt=0)
    dt: float = Field(0.05, gt=0, description="fixed step (τ)")
    n_save: int = Field(50, ge=2)
    save_times: list[float] | None = Field(None, description="explicit save times (τ) in [0, t1]; t1 is appended")
    save_states: bool = True
    steady_stop: bool = Field(False, description="stop once the drift alone is below steady_tol")
    steady_tol: float = Field(1e-4, gt=0)
    max_steps: int = Field(100_000, ge=1)
    dtype: Literal["float32", "float64"] = "float32"
    batch_size: int = Field(1024, ge=1)
    processor: str | None = Field(None, description="processor card for the energy/latency "
                                  "estimate (default processor-h100)", json_schema_extra={"card": "device"})


@register
class IdealSDE(Implementation):
    """dx = −(1/τ)∂E/∂x̂ dt + noise, Diffrax SDE solvers, one Brownian path per trial."""

    name = "ideal-sde"
    description = "Ideal noisy energy descent (Diffrax SDE: ShARK, SRA1, Euler–Maruyama, Heun)"
    Settings = SDESettings

    def recall(self, model, patterns, cues, settings, *, seed=0):
        s = settings
        cues.check_against(patterns)
        cfg = SDEConfig(solver=s.solver, n_save=s.n_save, save_states=s.save_states,
                        max_steps=s.max_steps, steady_stop=s.steady_stop,
                        multiplicative=s.multiplicative > 0)
        t0 = time.perf_counter()
        network = model.bind(patterns)
        traj = solve_sde(network, patterns, cues, temperature=s.temperature,
                         multiplicative=s.multiplicative, t1=s.t1, dt=s.dt, steady_tol=s.steady_tol,
                         seed=seed, dtype=s.dtype, batch_size=s.batch_size, save_times=s.save_times, config=cfg)
        attrs = {"model": model.describe(), "solver": s.solver, "temperature": s.temperature,
                 "seed": seed, "wall_time_s": time.perf_counter() - t0}
        result = to_result(self.name, traj, cues, attrs=attrs)
        cost = ideal_cost(result, network, solver=s.solver, steady_stop=s.steady_stop,
                          processor=s.processor)
        return with_cost(result, cost)
