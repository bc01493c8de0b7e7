from __future__ import annotations

from typing import Literal

from pydantic import Field

from ..dynamics.sde import SDE_SOLVERS, SDEConfig, SDERun, solve_sde_batch
from ._assemble import IdealContinuous
from .base import SettingsBase

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
    steady_stop: bool = Field(False, description="stop a trial at the first step where it is settled")
    steady_tol: float = Field(1e-3, gt=0, description="drift (1/τ) allowed above twice its thermal "
                              "level √T/τ for a trial to count as settled")
    steady_window: float = Field(2.0, gt=0, description="a converged trial is settled at every save "
                                 "time of its last steady_window τ")
    max_steps: int = Field(100_000, ge=1)
    dtype: Literal["float32", "float64"] = "float32"
    batch_size: int = Field(1024, ge=1, description="trials per compiled batch (per run)")
    processor: str | None = Field(None, description="processor card for the energy/latency "
                                  "estimate (default processor-h100)", json_schema_extra={"card": "device", "kind": "processor"})


class IdealSDE(IdealContinuous):
    """dx = −(1/τ)∂E/∂x̂ dt + noise, Diffrax SDE solvers, one Brownian path per trial.

    Batches: jobs may differ in ``temperature``, ``multiplicative``, ``t1``, ``dt``,
    ``steady_tol`` and ``steady_window`` (traced numbers) and in their seeds; each job keeps the Brownian
    paths of its own seed. Jobs with multiplicative noise on and off (m > 0 and m = 0),
    or whose save grids differ in length, run as separate compiled calls."""

    name = "ideal-sde"
    role = "reference"
    description = "Ideal noisy energy descent (Diffrax SDE: ShARK, SRA1, Euler–Maruyama, Heun)"
    Settings = SDESettings
    batchable = frozenset({"temperature", "multiplicative", "t1", "dt", "steady_tol", "steady_window"})

    def solve_runs(self, runs):
        return solve_sde_batch(runs)

    def make_run(self, job, network) -> SDERun:
        s = job.settings
        cfg = SDEConfig(solver=s.solver, n_save=s.n_save, save_states=s.save_states,
                        max_steps=s.max_steps, steady_stop=s.steady_stop,
                        multiplicative=s.multiplicative > 0)
        return SDERun(network, job.patterns, job.cues, temperature=s.temperature,
                      multiplicative=s.multiplicative, t1=s.t1, dt=s.dt, steady_tol=s.steady_tol,
                      steady_window=s.steady_window, seed=job.seed, save_times=s.save_times, dtype=s.dtype,
                      batch_size=s.batch_size,
                      config=cfg)

    def job_attrs(self, job):
        return {**super().job_attrs(job), "temperature": job.settings.temperature, "seed": job.seed}
