from __future__ import annotations

import time
from typing import Literal

from pydantic import Field

from ..dynamics.ode import ODE_SOLVERS, ODEConfig, solve_ode
from ..costs import ideal_cost
from ._assemble import to_result, with_cost
from .base import Implementation, SettingsBase
from .registry import register

__all__ = ["IdealODE"]


class ODESettings(SettingsBase):
    """Settings of ``ideal-ode``. Times are in units of τ."""

    t1: float = Field(50.0, gt=0, description="time horizon (τ)")
    n_save: int = Field(50, ge=2, description="saved time points, evenly spaced on [0, t1]")
    save_times: list[float] | None = Field(None, description="explicit save times (τ) in [0, t1]; t1 is appended")
    save_states: bool = Field(True, description="keep full visible states (else reductions only)")
    solver: Literal[tuple(ODE_SOLVERS)] = "tsit5"  # type: ignore[valid-type]
    adaptive: bool = Field(True, description="PID step-size control (else fixed dt0)")
    rtol: float = Field(1e-4, gt=0, lt=1)
    atol: float = Field(1e-6, gt=0)
    dt0: float | None = Field(None, gt=0, description="initial/fixed step (τ); None: automatic")
    steady_tol: float = Field(1e-3, gt=0, description="stop when RMS(dx/dt) < this (1/τ); keep it ≳ 10·rtol")
    steady_stop: bool = True
    max_steps: int = Field(4096, ge=1)
    dtype: Literal["float32", "float64"] = "float32"
    batch_size: int = Field(1024, ge=1, description="trials per compiled batch")
    processor: str | None = Field(None, description="processor card for the energy/latency "
                                  "estimate (default processor-h100)", json_schema_extra={"card": "device"})


@register
class IdealODE(Implementation):
    """τ dx/dt = −∂E/∂x̂ with an adaptive Diffrax solver, vmapped over trials."""

    name = "ideal-ode"
    description = "Ideal continuous-time energy descent (Diffrax ODE)"
    Settings = ODESettings

    def recall(self, model, patterns, cues, settings, *, seed=0):
        s = settings
        cues.check_against(patterns)
        cfg = ODEConfig(solver=s.solver, n_save=s.n_save, save_states=s.save_states,
                        max_steps=s.max_steps, adaptive=s.adaptive, steady_stop=s.steady_stop)
        t0 = time.perf_counter()
        network = model.bind(patterns)
        traj = solve_ode(network, patterns, cues, t1=s.t1, rtol=s.rtol, atol=s.atol,
                         dt0=s.dt0, steady_tol=s.steady_tol, dtype=s.dtype,
                         batch_size=s.batch_size, save_times=s.save_times, config=cfg)
        attrs = {"model": model.describe(), "solver": s.solver, "wall_time_s": time.perf_counter() - t0}
        result = to_result(self.name, traj, cues, attrs=attrs)
        cost = ideal_cost(result, network, solver=s.solver, steady_stop=s.steady_stop,
                          processor=s.processor)
        return with_cost(result, cost)
