"""Continuous-time recall: τ dx/dt = −∂E/∂x̂ solved with adaptive Diffrax solvers.

:class:`ODEConfig` is the static method the batched driver
(:mod:`neuroam.dynamics.continuous`) integrates with: the solver, the PID (or constant)
step-size controller and the drift-only term. :func:`solve_ode_batch` solves many
runs (:class:`ODERun`: network, patterns, cues and numbers each) in as few compiled
calls as their shapes allow; :func:`solve_ode` is the one-run case.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import ClassVar

import diffrax
import numpy as np

from ..errors import ValueRangeError
from . import erk
from .common import Trajectories, require_continuous, resolve_dtype, save_grid
from .continuous import continuous_spec, solve_continuous, step_controller
from .etd import ETD2

__all__ = ["ODEConfig", "ODERun", "solve_ode", "solve_ode_batch", "ODE_SOLVERS"]

#: name -> solver class. Tsit5, Dopri5 and Bosh3 are Diffrax's tableaus with their
#: stages unrolled (:mod:`neuroam.dynamics.erk`): same method, less per-step overhead.
ODE_SOLVERS = {
    "etd2": ETD2,
    "tsit5": erk.Tsit5,
    "dopri5": erk.Dopri5,
    "dopri8": diffrax.Dopri8,
    "bosh3": erk.Bosh3,
    "heun": diffrax.Heun,
    "euler": diffrax.Euler,
}


@dataclasses.dataclass(frozen=True)
class ODEConfig:
    """Static (shape-defining) choices; changing them recompiles. Numbers live in :class:`ODERun`."""

    solver: str = "tsit5"
    n_save: int = 50
    save_states: bool = True
    max_steps: int = 4096
    adaptive: bool = True
    steady_stop: bool = True

    #: a trial converges when its drift falls below steady_tol (steady_window 0: at t1)
    trace_key: ClassVar[str] = "ode"
    #: runs are batched together (recall_batch): a lone run takes the same vmapped kernels
    batches_runs: ClassVar[bool] = True

    def __post_init__(self):
        if self.solver not in ODE_SOLVERS:
            raise ValueRangeError(f"solver={self.solver!r}", f"one of {sorted(ODE_SOLVERS)}",
                                  "Tsit5 with a PID controller is the usual choice.")
        if self.n_save < 2:
            raise ValueRangeError(f"n_save={self.n_save}", "n_save ≥ 2", "Save at least t0 and t1.")
        if self.max_steps < 1:
            raise ValueRangeError(f"max_steps={self.max_steps}", "max_steps ≥ 1", "Allow some steps.")

    # -- the method the batched driver calls (inside the compiled body) -------------
    def make_solver(self, problem, dtype):
        if self.solver == "etd2":
            return ETD2(problem.tau(dtype))
        return ODE_SOLVERS[self.solver]()

    def controller(self, nums):
        return step_controller(self.adaptive, nums)

    def dt0(self, nums):
        return nums.get("dt0")

    def terms(self, problem, nums, trial, t0, t1):
        return diffrax.ODETerm(lambda t, y, args: problem.vector_field(y, args))

    def steady_threshold(self, problem, nums, y, free):
        """Steady once RMS(dy/dt) < ``steady_tol`` (1/τ)."""
        return nums["steady_tol"]


@dataclasses.dataclass(frozen=True, eq=False)
class ODERun:
    """One ODE recall run: a bound network, its patterns and cues, and its numbers.

    Attributes:
        network: a bound :class:`~neuroam.models.Network` (continuous activations).
        patterns: the stored :class:`~neuroam.patterns.PatternSet` ``(K, D)`` (for overlaps).
        cues: :class:`~neuroam.cues.CueSet` ``(T, D)``; clamped entries never move.
        t1: time horizon in units of τ.
        rtol, atol: PID controller tolerances (adaptive solvers).
        dt0: initial (or fixed) step in units of τ; None lets Diffrax choose.
        steady_tol: stop when the RMS of dx/dt falls below this (units 1/τ). A trial has
            converged when it stopped there, or, without ``steady_stop``, when its drift
            is below it at t1; its converge time is the stop time, or the first save time
            from which the drift stayed below (:mod:`neuroam.dynamics.continuous`).
        save_times: optional increasing save times in [0, t1] (τ); the last one is the
            horizon. Default: ``config.n_save`` evenly spaced times on [0, t1].
        dtype: "float32" or "float64".
        batch_size: trials per compiled batch (the last batch is padded, no retrace).
        config: the static :class:`ODEConfig`.
    """

    network: object
    patterns: object
    cues: object
    t1: float = 50.0
    rtol: float = 1e-4
    atol: float = 1e-6
    dt0: float | None = None
    steady_tol: float = 1e-3
    save_times: Sequence[float] | None = None
    dtype: str = "float32"
    batch_size: int = 1024
    config: ODEConfig = ODEConfig()

    def spec(self):
        require_continuous(self.network, "ODE recall")
        for name in ("t1", "rtol", "atol", "steady_tol"):
            v = getattr(self, name)
            if not (np.isfinite(v) and v > 0):
                raise ValueRangeError(f"{name}={v}", f"{name} > 0", f"Pass a positive {name}.")
        if self.dt0 is not None and not (np.isfinite(self.dt0) and self.dt0 > 0):
            raise ValueRangeError(f"dt0={self.dt0}", "dt0 > 0 or None", "Pass a positive dt0.")
        if not self.config.adaptive and self.dt0 is None:
            raise ValueRangeError("adaptive=False without dt0", "a fixed step dt0 > 0",
                                  "Give dt0 for fixed-step integration.")
        dt = resolve_dtype(self.dtype)
        ts = save_grid(self.t1, self.config.n_save, self.save_times, dt)
        config = dataclasses.replace(self.config, n_save=int(ts.shape[0]))
        numbers = {"rtol": self.rtol, "atol": self.atol, "steady_tol": self.steady_tol}
        if self.dt0 is not None:
            numbers["dt0"] = self.dt0
        return continuous_spec(self.network, self.patterns, self.cues, ts=ts, numbers=numbers,
                               method=config, dtype=dt, batch_size=self.batch_size)


def solve_ode_batch(runs: Sequence[ODERun]) -> list[Trajectories]:
    """Integrate every run's cues to a steady state (or its ``t1``); one
    :class:`~neuroam.dynamics.common.Trajectories` per run, in order. Runs of one
    compiled shape (same model, sizes, dtype and config) share one batched call."""
    return solve_continuous([run.spec() for run in runs])


def solve_ode(network, patterns, cues, *, t1: float = 50.0, rtol: float = 1e-4, atol: float = 1e-6,
              dt0: float | None = None, steady_tol: float = 1e-3, dtype: str = "float32",
              batch_size: int = 1024, save_times=None, config: ODEConfig = ODEConfig()) -> Trajectories:
    """Integrate every cue of ``cues`` to a steady state (or ``t1``) in batches; the
    arguments are those of :class:`ODERun`."""
    return solve_ode_batch([ODERun(network, patterns, cues, t1=t1, rtol=rtol, atol=atol, dt0=dt0,
                                   steady_tol=steady_tol, save_times=save_times, dtype=dtype,
                                   batch_size=batch_size, config=config)])[0]
