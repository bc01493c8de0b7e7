from __future__ import annotations

from typing import Literal

from pydantic import Field

from ..dynamics.ode import ODE_SOLVERS, ODEConfig, ODERun, solve_ode_batch
from ._assemble import IdealContinuous
from .base import SettingsBase

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
    batch_size: int = Field(1024, ge=1, description="trials per compiled batch (per run)")
    processor: str | None = Field(None, description="processor card for the energy/latency "
                                  "estimate (default processor-h100)", json_schema_extra={"card": "device", "kind": "processor"})


class IdealODE(IdealContinuous):
    """τ dx/dt = −∂E/∂x̂ with an adaptive Diffrax solver, vmapped over runs and trials.

    Batches: jobs may differ in ``t1``, ``rtol``, ``atol``, ``dt0`` and ``steady_tol``
    (traced numbers); jobs whose ``dt0`` is None and jobs with a number, or whose save
    grids differ in length, run as separate compiled calls."""

    name = "ideal-ode"
    description = "Ideal continuous-time energy descent (Diffrax ODE)"
    Settings = ODESettings
    role = "reference"
    reference_rank = 2
    batchable = frozenset({"t1", "rtol", "atol", "dt0", "steady_tol"})

    def solve_runs(self, runs):
        return solve_ode_batch(runs)

    def make_run(self, job, network) -> ODERun:
        s = job.settings
        cfg = ODEConfig(solver=s.solver, n_save=s.n_save, save_states=s.save_states,
                        max_steps=s.max_steps, adaptive=s.adaptive, steady_stop=s.steady_stop)
        return ODERun(network, job.patterns, job.cues, t1=s.t1, rtol=s.rtol, atol=s.atol, dt0=s.dt0,
                      steady_tol=s.steady_tol, save_times=s.save_times, dtype=s.dtype,
                      batch_size=s.batch_size, config=cfg)
