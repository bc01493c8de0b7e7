"""Continuous-time recall: τ dx/dt = −∂E/∂x̂ solved with adaptive Diffrax solvers."""

from __future__ import annotations

import dataclasses

import diffrax
import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from ..errors import ValueRangeError
from .etd import ETD2
from .common import TRACES, is_finite, save_grid, Trajectories, make_problem, pad_trials, require_continuous, resolve_dtype, status_codes

__all__ = ["ODEConfig", "solve_ode", "ODE_SOLVERS"]

ODE_SOLVERS = {
    "etd2": ETD2,
    "tsit5": diffrax.Tsit5,
    "dopri5": diffrax.Dopri5,
    "dopri8": diffrax.Dopri8,
    "bosh3": diffrax.Bosh3,
    "heun": diffrax.Heun,
    "euler": diffrax.Euler,
}


@dataclasses.dataclass(frozen=True)
class ODEConfig:
    """Static (shape-defining) choices; changing them recompiles. Numbers live in ``ODENumbers``."""

    solver: str = "tsit5"
    n_save: int = 50
    save_states: bool = True
    max_steps: int = 4096
    adaptive: bool = True
    steady_stop: bool = True

    def __post_init__(self):
        if self.solver not in ODE_SOLVERS:
            raise ValueRangeError(f"solver={self.solver!r}", f"one of {sorted(ODE_SOLVERS)}",
                                  "Tsit5 with a PID controller is the usual choice.")
        if self.n_save < 2:
            raise ValueRangeError(f"n_save={self.n_save}", "n_save ≥ 2", "Save at least t0 and t1.")
        if self.max_steps < 1:
            raise ValueRangeError(f"max_steps={self.max_steps}", "max_steps ≥ 1", "Allow some steps.")


def _solve_batch(problem, y0, free, ts, dt0, rtol, atol, steady_tol, cfg: ODEConfig):
    TRACES["ode"] += 1
    if cfg.solver == "etd2":
        solver = ETD2(jnp.concatenate([jnp.full((size,), problem.network.layers[name].tau, y0.dtype)
                                       for name, size in problem.layout]))
    else:
        solver = ODE_SOLVERS[cfg.solver]()
    term = diffrax.ODETerm(lambda t, y, args: problem.vector_field(y, args))
    t1 = ts[-1]

    saveat = problem.saveat(ts, cfg.save_states)

    def steady(t, y, args, **kwargs):
        v = problem.vector_field(y, args)
        return jnp.sqrt(jnp.mean(v * v)) < steady_tol

    event = diffrax.Event(steady) if cfg.steady_stop else None
    if cfg.adaptive:
        controller = diffrax.PIDController(rtol=rtol, atol=atol)
    else:
        controller = diffrax.ConstantStepSize()

    def one(y0_i, free_i):
        sol = diffrax.diffeqsolve(term, solver, jnp.zeros((), t1.dtype), t1, dt0, y0_i, args=free_i, saveat=saveat,
                                  stepsize_controller=controller, event=event,
                                  max_steps=cfg.max_steps, throw=False)
        saved, (tf, yf) = sol.ys[0], (sol.ts[1][-1], sol.ys[1][-1])
        vf = problem.vector_field(yf, free_i)
        finite = is_finite(yf)
        reached = jnp.sqrt(jnp.mean(vf * vf)) < steady_tol
        if cfg.steady_stop:
            reached = reached | jnp.asarray(sol.event_mask)
        reached = reached & finite
        ctime = jnp.where(reached & finite, tf, jnp.nan)
        saved = jax.tree_util.tree_map(lambda a: jnp.where(jnp.isinf(a), jnp.nan, a), saved)
        return saved, problem.visible(yf), status_codes(finite, reached), ctime, sol.stats["num_steps"]

    return ts, jax.vmap(one)(y0, free)


_solve_batch_jit = eqx.filter_jit(_solve_batch)


def solve_ode(network, patterns, cues, *, t1: float = 50.0, rtol: float = 1e-4, atol: float = 1e-6,
              dt0: float | None = None, steady_tol: float = 1e-3, dtype: str = "float32",
              batch_size: int = 1024, save_times=None, config: ODEConfig = ODEConfig()) -> Trajectories:
    """Integrate every cue of ``cues`` to a steady state (or ``t1``) in batches.

    Args:
        network: a bound :class:`~neuroam.models.Network` (continuous activations).
        patterns: the stored :class:`~neuroam.patterns.PatternSet` (for overlaps).
        cues: :class:`~neuroam.cues.CueSet`; clamped entries never move.
        t1: time horizon in units of τ.
        rtol, atol: PID controller tolerances (adaptive solvers).
        dt0: initial (or fixed) step in units of τ; None lets Diffrax choose.
        steady_tol: stop when the RMS of dx/dt falls below this (units 1/τ).
        dtype: "float32" or "float64".
        batch_size: trials per compiled batch (the last batch is padded, no retrace).
        save_times: optional increasing save times in [0, t1] (τ); the last one is the
            horizon. Default: ``config.n_save`` evenly spaced times on [0, t1].
    """
    require_continuous(network, "ODE recall")
    for name, v in {"t1": t1, "rtol": rtol, "atol": atol, "steady_tol": steady_tol}.items():
        if not (np.isfinite(v) and v > 0):
            raise ValueRangeError(f"{name}={v}", f"{name} > 0", f"Pass a positive {name}.")
    if not config.adaptive and dt0 is None:
        raise ValueRangeError("adaptive=False without dt0", "a fixed step dt0 > 0",
                              "Give dt0 for fixed-step integration.")
    dt = resolve_dtype(dtype)
    ts = save_grid(t1, config.n_save, save_times, dt)
    config = dataclasses.replace(config, n_save=int(ts.shape[0]))
    prob = make_problem(network, patterns, dt)
    return _run_batches(prob, cues, batch_size, dt, lambda y0, free: _solve_batch_jit(
        prob, y0, free, ts, None if dt0 is None else jnp.asarray(dt0, dt),
        jnp.asarray(rtol, dt), jnp.asarray(atol, dt), jnp.asarray(steady_tol, dt), config))


@eqx.filter_jit
def _init_batch(prob, cues, clamp):
    return jax.vmap(prob.init)(cues), jax.vmap(prob.free_mask)(clamp)


def _run_batches(prob, cues, batch_size, dt, solve) -> Trajectories:
    T = cues.n_trials
    B = max(1, min(batch_size, T))
    states = np.asarray(cues.states)
    clamp = np.zeros_like(states, dtype=bool) if cues.clamp is None else np.asarray(cues.clamp)
    parts = []
    for s in range(0, T, B):
        cue_b = pad_trials(states[s:s + B], B)
        clamp_b = pad_trials(clamp[s:s + B], B)
        y0, free = _init_batch(prob, jnp.asarray(cue_b, dt), jnp.asarray(clamp_b))
        ts, out = solve(y0, free)
        n = min(B, T - s)
        parts.append(jax.tree_util.tree_map(lambda a: np.asarray(a)[:n], out))
    saved, final, status, ctime, steps = (
        jax.tree_util.tree_map(lambda *a: np.concatenate(a, axis=0), *[p[i] for p in parts])
        for i in range(5))
    return Trajectories(times=np.asarray(ts), states=saved.get("state"), energies=saved["energy"],
                        overlaps=saved["overlap"], final=final, status=status,
                        converge_time=ctime, n_steps=steps)
