"""Batched Diffrax solves of the phase dynamics: ODE (noiseless) and SDE (phase noise).

Trials are vmapped in fixed-size batches (the last one padded, so no retrace). Static
choices live in :class:`PhaseConfig`; every number (noise, detuning, strengths,
tolerances) is an array argument, so changing it never recompiles — the core's
``TRACES`` counter (keys ``"oscillator-ode"``, ``"oscillator-sde"``) proves it.
Saved samples a trial never reached (an early steady-state stop) are NaN.
"""

from __future__ import annotations

import dataclasses

import diffrax
import equinox as eqx
import jax
import jax.numpy as jnp
import lineax as lx
import numpy as np

from ..dynamics.common import TRACES, is_finite, pad_trials, status_codes
from ..dynamics.ode import ODE_SOLVERS
from ..dynamics.sde import SDE_SOLVERS
from ..errors import ValueRangeError
from ..results import Status
from .dynamics import PhaseDynamics, wrap

__all__ = ["PhaseConfig", "PhaseTrajectories", "solve_phases"]


@dataclasses.dataclass(frozen=True)
class PhaseConfig:
    """Static (shape-defining) choices; changing them recompiles.

    ``method`` is "ode" (adaptive or fixed-step ODE solvers of ``neuroam.dynamics.ode``)
    or "sde" (the additive-noise solvers of ``neuroam.dynamics.sde``).
    """

    method: str = "ode"
    solver: str = "tsit5"
    n_save: int = 50
    save_states: bool = True
    max_steps: int = 4096
    adaptive: bool = True
    steady_stop: bool = True

    def __post_init__(self):
        table = ODE_SOLVERS if self.method == "ode" else SDE_SOLVERS
        if self.method not in ("ode", "sde"):
            raise ValueRangeError(f"method={self.method!r}", "'ode' or 'sde'",
                                  "Use 'sde' for phase noise, 'ode' without.")
        if self.solver not in table:
            raise ValueRangeError(f"solver={self.solver!r} for the {self.method.upper()}",
                                  f"one of {sorted(table)}",
                                  "Tsit5 for the ODE; ShARK (or SRA1, Euler, Heun) for the SDE.")


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


def _save_fn(dyn: PhaseDynamics, ov: jax.Array, save_states: bool):
    def fn(t, th, args):
        c, s = jnp.cos(th), jnp.sin(th)
        zr, zi = ov @ c, ov @ s
        out = {"energy": dyn.energy(th, t), "overlap": zr,
               "phase_overlap": jnp.sqrt(zr * zr + zi * zi),
               "speed": _rms(dyn.velocity(t, th) * args)}
        if save_states:
            out["state"], out["phase"] = c, wrap(th)
        return out
    return fn


def _rms(v):
    return jnp.sqrt(jnp.mean(v * v))


def _finish(sol, ok):
    saved, (tf, yf) = sol.ys[0], (sol.ts[1][-1], sol.ys[1][-1])
    finite = is_finite(yf)
    ok = ok & finite
    ctime = jnp.where(ok, tf, jnp.nan)
    saved = jax.tree_util.tree_map(lambda a: jnp.where(jnp.isinf(a), jnp.nan, a), saved)
    return saved, yf, status_codes(finite, ok), ctime, sol.stats["num_steps"]


def _ode_batch(dyn, ov, th0, free, ts, dt0, rtol, atol, steady_tol, cfg: PhaseConfig):
    TRACES["oscillator-ode"] += 1
    solver = ODE_SOLVERS[cfg.solver]()
    term = diffrax.ODETerm(lambda t, y, args: dyn.velocity(t, y) * args)
    saveat = diffrax.SaveAt(subs=[diffrax.SubSaveAt(ts=ts, fn=_save_fn(dyn, ov, cfg.save_states)),
                                  diffrax.SubSaveAt(t1=True)])
    event = None
    if cfg.steady_stop:
        event = diffrax.Event(lambda t, y, args, **kw: _rms(dyn.velocity(t, y) * args) < steady_tol)
    controller = (diffrax.PIDController(rtol=rtol, atol=atol) if cfg.adaptive
                  else diffrax.ConstantStepSize())

    def one(y0, fr):
        sol = diffrax.diffeqsolve(term, solver, jnp.zeros((), ts.dtype), ts[-1], dt0, y0, args=fr,
                                  saveat=saveat, stepsize_controller=controller, event=event,
                                  max_steps=cfg.max_steps, throw=False)
        yf = sol.ys[1][-1]
        reached = _rms(dyn.velocity(sol.ts[1][-1], yf) * fr) < steady_tol
        if cfg.steady_stop:
            reached = reached | jnp.asarray(sol.event_mask)
        return _finish(sol, reached)

    return jax.vmap(one)(th0, free)


def _sde_batch(dyn, ov, th0, free, keys, ts, dt, noise, cfg: PhaseConfig):
    TRACES["oscillator-sde"] += 1
    cls, levy, _ = SDE_SOLVERS[cfg.solver]
    solver = cls()
    amp = jnp.sqrt(2.0 * noise).astype(th0.dtype)
    saveat = diffrax.SaveAt(subs=[diffrax.SubSaveAt(ts=ts, fn=_save_fn(dyn, ov, cfg.save_states)),
                                  diffrax.SubSaveAt(t1=True)])
    t0, t1 = jnp.zeros((), ts.dtype), ts[-1]

    def one(y0, fr, key):
        # Fixed steps only, so the (much cheaper) unsafe path is exact: one draw per step.
        bm = diffrax.UnsafeBrownianPath(
            shape=jax.ShapeDtypeStruct(y0.shape, y0.dtype), key=key,
            levy_area=diffrax.SpaceTimeLevyArea if levy else diffrax.BrownianIncrement)
        drift = diffrax.ODETerm(lambda t, y, args: dyn.velocity(t, y) * args)
        diffusion = diffrax.ControlTerm(lambda t, y, args: lx.DiagonalLinearOperator(amp * args), bm)
        sol = diffrax.diffeqsolve(diffrax.MultiTerm(drift, diffusion), solver, t0, t1, dt, y0,
                                  args=fr, saveat=saveat, max_steps=cfg.max_steps, throw=False,
                                  adjoint=diffrax.ForwardMode())
        # Under noise there is no steady state: a finite trajectory that reached t1 counts
        # as converged (as in the ideal SDE); hitting max_steps does not.
        return _finish(sol, sol.result == diffrax.RESULTS.successful)

    return jax.vmap(one)(th0, free, keys)


def _noiseless_fixed_step(ts, speed, status, steady_tol):
    """Fixed-step solve without noise: converged when the last saved drift is below
    ``steady_tol``; converge time = first saved time from which it stays below."""
    below = np.asarray(speed) < steady_tol
    status = np.asarray(status).copy()
    ok = (status == Status.CONVERGED) & below[:, -1]
    status[(status == Status.CONVERGED) & ~ok] = Status.MAX_STEPS
    ctime = np.full(status.shape, np.nan)
    for i in np.nonzero(ok)[0]:
        above = np.nonzero(~below[i])[0]
        ctime[i] = ts[0 if above.size == 0 else above[-1] + 1]
    return status, ctime


_ode_jit = eqx.filter_jit(_ode_batch)
_sde_jit = eqx.filter_jit(_sde_batch)


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
        noise: phase diffusion D (rad²/τ), SDE only; seed: Brownian paths, one per trial.
        n_patterns: keep the overlaps of the first ``n_patterns`` rows of ``ov`` (the
            others are zero padding).

    A fixed-step ("sde") solve with ``noise = 0`` reports a steady state like the ODE
    does, from the saved drift: converged when its RMS at t1 is below ``steady_tol``.
    """
    T = theta0.shape[0]
    B = max(1, min(batch_size, T))
    ov_j = jnp.asarray(ov, dtype)
    keys = jax.random.split(jax.random.key(int(seed)), T)
    parts = []
    for s in range(0, T, B):
        th = jnp.asarray(pad_trials(theta0[s:s + B], B), dtype)
        fr = jnp.asarray(pad_trials(free[s:s + B], B), dtype)
        if config.method == "ode":
            out = _ode_jit(dyn, ov_j, th, fr, ts, None if t_step is None else jnp.asarray(t_step, dtype),
                           jnp.asarray(rtol, dtype), jnp.asarray(atol, dtype),
                           jnp.asarray(steady_tol, dtype), config)
        else:
            idx = np.minimum(np.arange(s, s + B), T - 1)
            out = _sde_jit(dyn, ov_j, th, fr, keys[idx], ts, jnp.asarray(t_step, dtype),
                           jnp.asarray(noise, dtype), config)
        n = min(B, T - s)
        parts.append(jax.tree_util.tree_map(lambda a: np.asarray(a)[:n], out))
    saved, final, status, ctime, steps = (
        jax.tree_util.tree_map(lambda *a: np.concatenate(a, axis=0), *[p[i] for p in parts])
        for i in range(5))
    if config.method == "sde" and noise == 0:
        status, ctime = _noiseless_fixed_step(np.asarray(ts), saved["speed"], status, steady_tol)
    keep = slice(0, ov.shape[0] if n_patterns is None else n_patterns)
    return PhaseTrajectories(times=np.asarray(ts), phases=saved.get("phase"), cos=saved.get("state"),
                             energies=saved["energy"], overlaps=saved["overlap"][..., keep],
                             phase_overlaps=saved["phase_overlap"][..., keep],
                             speed=saved["speed"], final_phase=final,
                             status=status, converge_time=ctime, n_steps=steps)
