"""Batched solves of the phase dynamics, ODE (noiseless) and SDE (phase noise), through
the shared driver :mod:`neuroam.dynamics.continuous`.

This module supplies what is specific to the oscillators: the problem
(:class:`PhaseProblem`: start, drift dθ/dt, saved read-outs) and the static method
(:class:`PhaseConfig`: solver, controller, noise term). Batching, padding, saving, the
steady-state stop, status and converge times are the driver's. Every number (noise,
detuning, strengths, tolerances) is an array, so changing it never recompiles — the core's
``TRACES`` counter (keys ``"oscillator-ode"``, ``"oscillator-sde"``) proves it. Saved
samples a trial never reached (an early steady-state stop) are NaN.
"""

from __future__ import annotations

import dataclasses
from typing import ClassVar

import diffrax
import equinox as eqx
import jax
import jax.numpy as jnp
import lineax as lx
import numpy as np

from ..dynamics.continuous import integrate, run_spec, step_controller
from ..dynamics.ode import ODE_SOLVERS
from ..dynamics.sde import SDE_SOLVERS
from ..errors import ValueRangeError
from .dynamics import PhaseDynamics, wrap

__all__ = ["PhaseConfig", "PhaseProblem", "PhaseTrajectories", "solve_phases"]


def _rms(v):
    return jnp.sqrt(jnp.mean(v * v))


class PhaseProblem(eqx.Module):
    """The oscillator network as a problem of the batched driver; one trial's state is
    its phases θ ``(N,)`` (rad), its ``args`` the free mask ``(N,)`` (1.0 where an
    oscillator may move, 0.0 where its cue is clamped).

    Attributes:
        dyn: the chip's dynamics (numbers cast to the solve's dtype).
        ov: ``(K, N)`` overlap matrix ξ/N of the stored patterns (read-out).
    """

    dyn: PhaseDynamics
    ov: jax.Array

    def start(self, trial):
        """``(θ0 (N,), free (N,), {})`` from ``{"theta": (N,), "free": (N,)}``."""
        return trial["theta"], trial["free"], {}

    def drift(self, t, theta, free):
        """dθ/dt ``(N,)`` (rad/τ), zero on clamped oscillators."""
        return self.dyn.velocity(t, theta) * free

    @staticmethod
    def rate(theta, dtheta):
        """RMS of dθ/dt (rad/τ): the steady-state measure."""
        return _rms(dtheta)

    def record(self, t, theta, free, save_states: bool) -> dict:
        """Energy ``()``, overlaps Re z ``(K,)``, phase overlaps |z| ``(K,)`` and, with
        ``save_states``, cos θ and the wrapped phases ``(N,)`` (the speed RMS dθ/dt is the
        driver's saved rate)."""
        c, s = jnp.cos(theta), jnp.sin(theta)
        zr, zi = self.ov @ c, self.ov @ s
        out = {"energy": self.dyn.energy(theta, t), "overlap": zr,
               "phase_overlap": jnp.sqrt(zr * zr + zi * zi)}
        if save_states:
            out["state"], out["phase"] = c, wrap(theta)
        return out

    def read(self, theta):
        """The final phases ``(N,)`` (rad, unwrapped)."""
        return theta


@dataclasses.dataclass(frozen=True)
class PhaseConfig:
    """Static (shape-defining) choices; changing them recompiles.

    ``method`` is "ode" (adaptive or fixed-step ODE solvers of ``neuroam.dynamics.ode``)
    or "sde" (the additive-noise solvers of ``neuroam.dynamics.sde``, fixed steps; no
    steady-state stop).
    """

    method: str = "ode"
    solver: str = "tsit5"
    n_save: int = 50
    save_states: bool = True
    max_steps: int = 4096
    adaptive: bool = True
    steady_stop: bool = True

    #: one run per call: the driver skips the run axis
    batches_runs: ClassVar[bool] = False

    def __post_init__(self):
        table = ODE_SOLVERS if self.method == "ode" else SDE_SOLVERS
        if self.method not in ("ode", "sde"):
            raise ValueRangeError(f"method={self.method!r}", "'ode' or 'sde'",
                                  "Use 'sde' for phase noise, 'ode' without.")
        if self.solver not in table:
            raise ValueRangeError(f"solver={self.solver!r} for the {self.method.upper()}",
                                  f"one of {sorted(table)}",
                                  "Tsit5 for the ODE; ShARK (or SRA1, Euler, Heun) for the SDE.")

    # -- the method the batched driver calls (inside the compiled body) -------------
    @property
    def trace_key(self) -> str:
        return f"oscillator-{self.method}"

    def make_solver(self, problem, dtype):
        if self.method == "ode":
            return ODE_SOLVERS[self.solver]()
        return SDE_SOLVERS[self.solver][0]()

    def controller(self, nums):
        return step_controller(self.method == "ode" and self.adaptive, nums)

    def dt0(self, nums):
        return nums.get("dt0") if self.method == "ode" else nums["dt"]

    def terms(self, problem, nums, trial, t0, t1):
        drift = diffrax.ODETerm(problem.drift)
        if self.method == "ode":
            return drift
        theta = trial["theta"]
        # fixed steps only, so the (much cheaper) unsafe path is exact: one draw per step
        bm = diffrax.UnsafeBrownianPath(
            shape=jax.ShapeDtypeStruct(theta.shape, theta.dtype),
            key=jax.random.wrap_key_data(trial["key"]),
            levy_area=diffrax.SpaceTimeLevyArea if SDE_SOLVERS[self.solver][1]
            else diffrax.BrownianIncrement)
        amp = jnp.sqrt(2.0 * nums["noise"]).astype(theta.dtype)
        diffusion = diffrax.ControlTerm(lambda t, y, free: lx.DiagonalLinearOperator(amp * free), bm)
        return diffrax.MultiTerm(drift, diffusion)

    def steady_threshold(self, problem, nums, theta, free):
        """Settled once RMS(dθ/dt) < ``steady_tol`` (rad/τ)."""
        return nums["steady_tol"]


@dataclasses.dataclass(frozen=True)
class PhaseTrajectories:
    """Host arrays: ``times`` (S,), ``phases``/``cos`` (T, S, N) or None, ``energies``
    (T, S), ``overlaps`` Re z (T, S, K), ``phase_overlaps`` |z| (T, S, K), ``speed`` RMS of
    the drift dθ/dt (T, S) in rad/τ, ``final_phase`` (T, N), ``status`` (T,),
    ``converge_time`` (T,), ``n_steps`` (T,)."""

    times: np.ndarray
    phases: np.ndarray | None
    cos: np.ndarray | None
    energies: np.ndarray
    overlaps: np.ndarray
    phase_overlaps: np.ndarray
    speed: np.ndarray
    final_phase: np.ndarray
    status: np.ndarray
    converge_time: np.ndarray
    n_steps: np.ndarray


def solve_phases(dyn: PhaseDynamics, ov: np.ndarray, theta0: np.ndarray, free: np.ndarray, *,
                 ts: jax.Array, dtype, config: PhaseConfig, t_step: float | None = None,
                 rtol: float = 1e-5, atol: float = 1e-7, steady_tol: float = 1e-4,
                 noise: float = 0.0, seed: int = 0, batch_size: int = 1024,
                 n_patterns: int | None = None) -> PhaseTrajectories:
    """Integrate every initial phase vector of ``theta0`` ``(T, N)``.

    Args:
        dyn: the chip's dynamics (cast to ``dtype`` by the caller).
        ov: ``(K, N)`` overlap matrix ξ/N of the *stored* patterns (read-out, no spread).
        free: ``(T, N)`` 1.0 where an oscillator may move, 0.0 where its cue is clamped.
        ts: save times (τ), the last one is the horizon.
        t_step: ODE initial/fixed step, SDE fixed step (τ).
        noise: phase diffusion D (rad²/τ), SDE only; seed: Brownian paths, one per trial
            (``jax.random.split(key(seed), T)``, whatever the batch).
        n_patterns: keep the overlaps of the first ``n_patterns`` rows of ``ov`` (the
            others are zero padding).

    Status and converge time (see :mod:`neuroam.dynamics.continuous`): the ODE converges
    when RMS(dθ/dt) < ``steady_tol`` (the steady-state stop, or at t1). Under noise there
    is no steady state: a finite trajectory that reached t1 counts as converged (as its
    converge time, t1 unless the drift stayed below ``steady_tol`` up to t1); hitting
    max_steps does not. A fixed-step ("sde") solve with ``noise = 0`` reports a steady
    state like the ODE does, from the saved drift: converged when its RMS at t1 is below
    ``steady_tol``, from the first save time it stays below.
    """
    trials = {"theta": np.asarray(theta0, np.dtype(dtype)), "free": np.asarray(free, np.dtype(dtype))}
    if config.method == "ode":
        numbers = {"rtol": rtol, "atol": atol, "steady_tol": steady_tol}
        if t_step is not None:
            numbers["dt0"] = t_step
        seed_ = None
    else:
        numbers = {"dt": t_step, "noise": noise, "steady_tol": steady_tol, "steady_window": 0.0,
                   "horizon": float(noise > 0)}
        config = dataclasses.replace(config, steady_stop=False)
        seed_ = seed
    problem = PhaseProblem(dyn, jnp.asarray(ov, dtype))
    out = integrate([run_spec(problem, trials, ts=ts, numbers=numbers, method=config, dtype=dtype,
                              batch_size=batch_size, seed=seed_)])[0]
    saved = out.saved
    keep = slice(0, ov.shape[0] if n_patterns is None else n_patterns)
    return PhaseTrajectories(times=np.asarray(ts), phases=saved.get("phase"), cos=saved.get("state"),
                             energies=saved["energy"], overlaps=saved["overlap"][..., keep],
                             phase_overlaps=saved["phase_overlap"][..., keep],
                             speed=out.rate, final_phase=out.final,
                             status=out.status, converge_time=out.converge_time,
                             n_steps=out.n_steps)
