"""The one batched Diffrax driver behind ODE and SDE recall: runs × trials per call.

One compiled body integrates ``R`` runs of ``B`` trials each. Every run brings its own
:class:`ContinuousRun` — the bound network in flattened coordinates
(:class:`~neuroam.dynamics.common.Problem`: vector field, save functions, read-outs),
its save times ``ts`` (τ) and its numbers (tolerances, horizon, noise level) — stacked
along a leading run axis and vmapped; the trials of each run are vmapped inside. What
distinguishes an ODE from an SDE is a small static *method* (``ODEConfig``,
``SDEConfig``) that supplies the solver, the step-size controller, the first step and
the Diffrax terms (drift, or drift + noise). This driver owns everything else, once:

* the :class:`diffrax.SaveAt` (the problem's reductions at ``ts`` + the final state),
* the steady-state :class:`diffrax.Event` (RMS of dy/dt below the method's threshold:
  ``steady_tol`` (1/τ), plus the thermal level of the drift under noise): for the
  unrolled Runge–Kutta solvers on the RMS drift the state carries from the step's last
  stage (:class:`~neuroam.dynamics.steady.DriftWatch`, no extra evaluation), for the
  others on a vector-field evaluation of its own,
* status and converge times per trial (non-finite / converged / max-steps): a noiseless
  trial has converged when its drift fell below ``steady_tol``; a noisy one when its
  drift stayed within its threshold at every save time of the last ``steady_window`` τ
  (the method's ``converged_on = "window"``), converging at the first save time of the
  stretch that held to the end, and
* the host-side batching of runs and trials (:func:`~neuroam.dynamics.runs.solve_runs`).

Numbers are traced: a batch may mix horizons, tolerances and temperatures without
recompiling, and each run keeps exactly its own numbers.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import diffrax
import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from .common import TRACES, Problem, Trajectories, is_finite, make_problem, status_codes
from .erk import UnrolledERK
from .runs import RunSpec, key_data, solve_runs
from .steady import DriftWatch, norm_of_state, watched_term

__all__ = ["ContinuousRun", "continuous_spec", "solve_continuous"]


class ContinuousRun(eqx.Module):
    """The per-run inputs of the driver (every array leaf gains a run axis when stacked).

    Attributes:
        problem: the network bound to this run's patterns, flattened to ``y`` ``(n,)``.
        ts: ``(S,)`` save times in units of τ; ``ts[-1]`` is the horizon t1.
        numbers: name -> scalar array: ``steady_tol`` (1/τ) always, plus what the
            method reads (``rtol``, ``atol``, ``dt0``; ``dt`` (τ), ``temperature``,
            ``multiplicative``, ``steady_window`` (τ)).
    """

    problem: Problem
    ts: jax.Array
    numbers: dict[str, jax.Array]


def _body(tree: ContinuousRun, trials: dict, method) -> tuple:
    """``R`` runs × ``B`` trials: ``trials["cue"]`` ``(R, B, D)``, ``trials["clamp"]``
    ``(R, B, D)`` bool and, for noisy methods, ``trials["key"]`` ``(R, B, 2)`` key data.
    Returns (saved ``{name: (R, B, S, ...)}``, final ``(R, B, D)``, status ``(R, B)``
    int8, converge time ``(R, B)`` τ, accepted steps ``(R, B)``)."""
    TRACES[method.trace_key] += 1

    def one_run(run: ContinuousRun, trials):
        prob, ts, nums = run.problem, run.ts, run.numbers
        t0, t1 = jnp.zeros((), ts.dtype), ts[-1]
        window = method.converged_on == "window"

        def settled(y, free):
            return prob.drift_rms(y, free) < method.steady_threshold(prob, nums, y, free)

        solver = method.make_solver(prob, ts.dtype)
        controller = method.controller(nums)
        event, watch = None, method.steady_stop and isinstance(solver, UnrolledERK)
        if watch:  # the state carries RMS dy/dt from the solver's last stage: a free test
            solver = DriftWatch(solver)
            if isinstance(controller, diffrax.PIDController):
                controller = dataclasses.replace(controller, norm=norm_of_state(controller.norm))
            event = diffrax.Event(
                lambda t, y, args, **kw: y[1] < method.steady_threshold(prob, nums, y[0], args))
        elif method.steady_stop:  # one more vector-field evaluation per step
            event = diffrax.Event(lambda t, y, args, **kw: settled(y, args))
        state = (lambda y: y[0]) if watch else (lambda y: y)

        def save(t, y, free):
            y = state(y)
            out = prob.save(y, method.save_states)
            if window:
                out["settled"] = settled(y, free)
            return out

        saveat = diffrax.SaveAt(subs=[diffrax.SubSaveAt(ts=ts, fn=save), diffrax.SubSaveAt(t1=True)])

        def one_trial(trial):
            y0, free = prob.init(trial["cue"]), prob.free_mask(trial["clamp"])
            if watch:
                y0 = (y0, prob.drift_rms(y0, free))
            terms = method.terms(prob, nums, trial, t0, t1)
            if watch:
                terms = watched_term(terms)
            sol = diffrax.diffeqsolve(terms, solver, t0, t1, method.dt0(nums), y0, args=free,
                                      saveat=saveat, stepsize_controller=controller, event=event,
                                      max_steps=method.max_steps, throw=False,
                                      # recall is never differentiated in reverse: a plain
                                      # loop (and what fixed-step Brownian paths require)
                                      adjoint=diffrax.ForwardMode())
            saved, tf, yf = sol.ys[0], sol.ts[1][-1], state(sol.ys[1])[-1]
            finite = is_finite(yf)
            stopped = jnp.asarray(sol.event_mask) if method.steady_stop else jnp.asarray(False)
            if window:  # settled at every save time of the last window (or stopped there)
                held = saved.pop("settled")
                ok = sol.result == diffrax.RESULTS.successful
                tail = jnp.flip(jnp.cumprod(jnp.flip(held.astype(jnp.int32)))) > 0  # holds from i on
                in_window = ts >= t1 - nums["steady_window"]
                reached = (ok & jnp.all(tail | ~in_window)) | stopped
                first = ts[jnp.argmax(tail)]
                ctime = jnp.where(stopped, tf, first)
            else:
                reached = settled(yf, free) | stopped
                ctime = tf
            reached = reached & finite
            ctime = jnp.where(reached, ctime, jnp.nan)
            saved = jax.tree_util.tree_map(lambda a: jnp.where(jnp.isinf(a), jnp.nan, a), saved)
            return saved, prob.visible(yf), status_codes(finite, reached), ctime, sol.stats["num_steps"]

        return jax.vmap(one_trial)(trials)

    return eqx.filter_vmap(one_run)(tree, trials)


_body_jit = eqx.filter_jit(_body)


def continuous_spec(network, patterns, cues, *, ts: jax.Array, numbers: dict[str, float], method,
                    dtype, batch_size: int, seed: int | None = None) -> RunSpec:
    """A :class:`~neuroam.dynamics.runs.RunSpec` for one run of :func:`solve_continuous`.

    Args:
        network: the bound network; patterns: its :class:`~neuroam.patterns.PatternSet`
            ``(K, D)``; cues: the :class:`~neuroam.cues.CueSet` ``(T, D)``.
        ts: ``(S,)`` save times (τ), ``ts[-1]`` the horizon.
        numbers: the run's scalars (see :class:`ContinuousRun`), cast to ``dtype``.
        method: the static ODE/SDE config. seed: per-trial PRNG keys for noisy methods.
    """
    prob = make_problem(network, patterns, dtype)
    states = np.asarray(cues.states, dtype=np.dtype(dtype))
    clamp = np.zeros(states.shape, bool) if cues.clamp is None else np.asarray(cues.clamp, bool)
    trials = {"cue": states, "clamp": clamp}
    if seed is not None:
        trials["key"] = key_data(seed, cues.n_trials)
    nums = {name: jnp.asarray(value, dtype) for name, value in numbers.items()}
    return RunSpec(ContinuousRun(prob, jnp.asarray(ts, dtype), nums), trials, method, batch_size)


def solve_continuous(specs: Sequence[RunSpec]) -> list[Trajectories]:
    """One :class:`~neuroam.dynamics.common.Trajectories` per spec, in order; specs that
    share a compiled shape run as one call (see :func:`~neuroam.dynamics.runs.solve_runs`)."""
    outs: list[Any] = solve_runs(specs, _body_jit)
    trajs = []
    for spec, (saved, final, status, ctime, steps) in zip(specs, outs):
        trajs.append(Trajectories(times=np.asarray(spec.tree.ts), states=saved.get("state"),
                                  energies=saved["energy"], overlaps=saved["overlap"], final=final,
                                  status=status, converge_time=ctime, n_steps=steps))
    return trajs
