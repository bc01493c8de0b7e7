"""The one batched Diffrax driver behind every continuous-time recall: runs × trials per call.

Ideal ODE/SDE recall (:mod:`~neuroam.dynamics.ode`, :mod:`~neuroam.dynamics.sde`), the
oscillator phase dynamics (:mod:`neuroam.oscillator.solve`) and the neuron–astrocyte
network (:mod:`neuroam.astrocyte.solve`) all integrate through :func:`integrate`. One
compiled body integrates ``R`` runs of ``B`` trials each. Every run brings its own
:class:`ContinuousRun` — a *problem*, its save times ``ts`` (τ) and its numbers
(tolerances, horizon, window) — stacked along a leading run axis and vmapped; the trials
of each run are vmapped inside. A method whose runs are batched together
(``batches_runs``: the ideal ODE and SDE) vmaps a lone run too, so that a run alone and
in a batch run the same kernels and agree to round-off; the others (one run per call)
skip the size-1 run axis, the cheaper program to compile.

**The problem** (an :class:`equinox.Module`; its arrays are traced, so changing a number
never recompiles) supplies what is specific to one network:

* ``start(trial) -> (y0, args, extras)``: the initial state (any pytree) of one trial
  from its row of the per-trial inputs (cue, clamp, ...), the ``args`` the vector field
  sees (e.g. the free mask), and a dict of per-trial read-outs of the start (``{}``);
* ``drift(t, y, args)``: dy/dt (units 1/τ), the same pytree as y;
* ``rate(y, dy)``: the scalar steady-state measure (1/τ) from a state and its drift
  (RMS of dy/dt for the ideal and oscillator networks);
* ``record(t, y, args, save_states) -> dict``: the reductions saved at each save time;
* ``read(y)``: the final read-out returned per trial;
* the noise, through the terms its *method* builds (below).

**The method** (a small hashable static config: :class:`~neuroam.dynamics.ode.ODEConfig`,
:class:`~neuroam.dynamics.sde.SDEConfig`, :class:`~neuroam.oscillator.solve.PhaseConfig`,
:class:`~neuroam.astrocyte.solve.SolveConfig`) supplies the solver (``make_solver``), the
step-size controller (``controller``), the first step (``dt0``), the Diffrax terms
(``terms``: drift, or drift + the problem's noise on a Brownian path), the steady-state
threshold (``steady_threshold``, 1/τ), ``steady_stop``, ``max_steps``, ``save_states``,
``batches_runs`` and the ``trace_key`` it counts its compilations under in ``TRACES``.

**This layer owns everything else, once:**

* the :class:`diffrax.SaveAt` (the problem's reductions and its rate at ``ts``, and the
  final state),
* the steady-state :class:`diffrax.Event` (``rate`` below the method's threshold): for
  the unrolled Runge–Kutta solvers on the rate the state carries from the step's last
  stage (:class:`~neuroam.dynamics.steady.DriftWatch`, no extra evaluation), for the
  others on a vector-field evaluation of its own,
* status and converge time per trial (non-finite / converged / max-steps). A trial is
  *settled* at a save time when its rate is below the threshold there. It has
  *converged* when the steady-state Event stopped it, or when it reached t1 and was
  settled at every save time of the last ``steady_window`` τ (number; absent = 0: the
  save at t1 alone) — or, with the number ``horizon`` > 0 (noise without a steady
  state), when it merely reached t1. Its converge time is the stop time when stopped,
  else the first save time of the settled stretch that lasts to the end (the final time
  when the last save is not settled); NaN unless converged,
* the Brownian keys (one per trial: ``jax.random.split(key(seed), T)``, so a trial's
  noise does not depend on its batch), and
* the host-side batching and padding of runs and trials
  (:func:`~neuroam.dynamics.runs.solve_runs`).

Saved samples a trial never reached (an early steady-state stop) are NaN.
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

from ..arrays import device_array
from ..errors import UnsupportedError
from .common import TRACES, Trajectories, is_finite, make_problem, status_codes
from .erk import UnrolledERK
from .runs import RunSpec, key_data, solve_runs
from .steady import DriftWatch, norm_of_state, watched_term

__all__ = ["ContinuousRun", "Solved", "PROBLEM_METHODS", "run_spec", "integrate", "step_controller",
           "continuous_spec", "solve_continuous"]

_SETTLED, _RATE = "__settled", "__rate"

#: diffrax.diffeqsolve is an ``eqx.filter_jit``. Called inside this driver's body (one
#: compiled program already) its own jit only makes ``vmap`` trace it unbatched and then
#: batch the whole traced solve a second time; the function itself is traced batched
#: once, about 10 % off a first call (benchmarks/RESULTS.md, "Test suite CPU",
#: third pass).
_diffeqsolve = getattr(diffrax.diffeqsolve, "__wrapped__", diffrax.diffeqsolve)

#: what a problem of the driver implements (see the module docstring)
PROBLEM_METHODS = ("start", "drift", "rate", "record", "read")


class ContinuousRun(eqx.Module):
    """The per-run inputs of the driver (every array leaf gains a run axis when stacked).

    Attributes:
        problem: the network bound to this run (see the module docstring for what it
            supplies), e.g. :class:`~neuroam.dynamics.common.Problem`.
        ts: ``(S,)`` save times in units of τ; ``ts[-1]`` is the horizon t1.
        numbers: name -> scalar array: ``steady_tol`` (1/τ) always, optionally
            ``steady_window`` (τ) and ``horizon`` (> 0: reaching t1 converges), plus what
            the method reads (``rtol``, ``atol``, ``dt0``; ``dt`` (τ), ``temperature``, ...).
    """

    problem: Any
    ts: jax.Array
    numbers: dict[str, jax.Array]


@dataclasses.dataclass(frozen=True)
class Solved:
    """One run's host arrays: ``saved`` name -> ``(T, S, ...)`` (the problem's
    reductions), ``final`` ``(T, ...)`` (its read-out), ``status`` ``(T,)`` int8,
    ``converge_time`` ``(T,)`` τ (NaN unless converged), ``n_steps`` ``(T,)`` accepted
    steps, ``extras`` name -> ``(T, ...)`` (the problem's read-outs of the start),
    ``rate`` ``(T, S)`` the steady-state rate at each save time (1/τ)."""

    saved: dict[str, np.ndarray]
    final: Any
    status: np.ndarray
    converge_time: np.ndarray
    n_steps: np.ndarray
    extras: dict[str, np.ndarray]
    rate: np.ndarray


def step_controller(adaptive: bool, nums: dict):
    """The step-size controller of a method: PID on the run's ``rtol``/``atol`` numbers
    when ``adaptive``, else constant steps."""
    if adaptive:
        return diffrax.PIDController(rtol=nums["rtol"], atol=nums["atol"])
    return diffrax.ConstantStepSize()


def _finite(tree):
    leaves = jax.tree_util.tree_leaves(tree)
    if len(leaves) == 1:
        return is_finite(leaves[0])
    return jnp.all(jnp.stack([is_finite(a) for a in leaves]))


def _body(tree: ContinuousRun, trials: dict, method) -> tuple:
    """``R`` runs × ``B`` trials: ``trials[name]`` ``(R, B, ...)`` the per-trial inputs
    (``"key"``: key data, for noisy methods). Returns (saved ``{name: (R, B, S, ...)}``,
    final, status ``(R, B)`` int8, converge time ``(R, B)`` τ, accepted steps ``(R, B)``,
    extras ``{name: (R, B, ...)}``, rate ``(R, B, S)`` 1/τ)."""
    TRACES[method.trace_key] += 1

    def one_run(run: ContinuousRun, trials):
        prob, ts, nums = run.problem, run.ts, run.numbers
        t0, t1 = jnp.zeros((), ts.dtype), ts[-1]

        def settled(t, y, args):
            return (prob.rate(y, prob.drift(t, y, args))
                    < method.steady_threshold(prob, nums, y, args))

        solver = method.make_solver(prob, ts.dtype)
        controller = method.controller(nums)
        event, watch = None, method.steady_stop and isinstance(solver, UnrolledERK)
        if watch:  # the state carries the rate from the solver's last stage: a free test
            solver = DriftWatch(solver, prob.rate)
            if isinstance(controller, diffrax.PIDController):
                controller = dataclasses.replace(controller, norm=norm_of_state(controller.norm))
            event = diffrax.Event(
                lambda t, y, args, **kw: y[1] < method.steady_threshold(prob, nums, y[0], args))
        elif method.steady_stop:  # one more vector-field evaluation per step
            event = diffrax.Event(lambda t, y, args, **kw: settled(t, y, args))
        state = (lambda y: y[0]) if watch else (lambda y: y)

        def save(t, y, args):
            y = state(y)
            out = prob.record(t, y, args, method.save_states)
            out[_RATE] = prob.rate(y, prob.drift(t, y, args))
            out[_SETTLED] = out[_RATE] < method.steady_threshold(prob, nums, y, args)
            return out

        saveat = diffrax.SaveAt(subs=[diffrax.SubSaveAt(ts=ts, fn=save), diffrax.SubSaveAt(t1=True)])
        window = nums.get("steady_window", jnp.zeros((), ts.dtype))
        horizon = nums["horizon"] > 0 if "horizon" in nums else jnp.asarray(False)

        def one_trial(trial):
            y0, args, extras = prob.start(trial)
            if watch:
                y0 = (y0, prob.rate(y0, prob.drift(t0, y0, args)))
            terms = method.terms(prob, nums, trial, t0, t1)
            if watch:
                terms = watched_term(terms)
            sol = _diffeqsolve(terms, solver, t0, t1, method.dt0(nums), y0, args=args,
                               saveat=saveat, stepsize_controller=controller, event=event,
                               max_steps=method.max_steps, throw=False,
                               # recall is never differentiated in reverse: a plain
                               # loop (and what fixed-step Brownian paths require)
                               adjoint=diffrax.ForwardMode())
            saved, tf = sol.ys[0], sol.ts[1][-1]
            yf = jax.tree_util.tree_map(lambda a: a[-1], state(sol.ys[1]))
            finite = _finite(yf)
            stopped = jnp.asarray(sol.event_mask) if method.steady_stop else jnp.asarray(False)
            held = saved.pop(_SETTLED)
            ok = sol.result == diffrax.RESULTS.successful
            tail = jnp.flip(jnp.cumprod(jnp.flip(held.astype(jnp.int32)))) > 0  # holds from i on
            in_window = ts >= t1 - window
            reached = ((ok & (horizon | jnp.all(tail | ~in_window))) | stopped) & finite
            first = jnp.where(tail[-1], ts[jnp.argmax(tail)], tf)
            ctime = jnp.where(reached, jnp.where(stopped, tf, first), jnp.nan)
            saved = jax.tree_util.tree_map(lambda a: jnp.where(jnp.isinf(a), jnp.nan, a), saved)
            rate = saved.pop(_RATE)
            return (saved, prob.read(yf), status_codes(finite, reached), ctime,
                    sol.stats["num_steps"], extras, rate)

        return jax.vmap(one_trial)(trials)

    if not method.batches_runs and next(iter(trials.values())).shape[0] == 1:
        # a lone run of a method that is never batched: no run axis to vmap (a size-1
        # axis vmapped around the solver's loop costs 15-30 % more compile time)
        lone = jax.tree_util.tree_map(lambda a: a[0] if eqx.is_array(a) else a, (tree, trials))
        return jax.tree_util.tree_map(lambda a: a[None], one_run(*lone))
    return eqx.filter_vmap(one_run)(tree, trials)


_body_jit = eqx.filter_jit(_body)


def run_spec(problem, trials: dict[str, np.ndarray], *, ts: jax.Array, numbers: dict[str, float],
             method, dtype, batch_size: int, seed: int | None = None) -> RunSpec:
    """A :class:`~neuroam.dynamics.runs.RunSpec` for one run of :func:`integrate`.

    Args:
        problem: the bound problem (see the module docstring), its floats in ``dtype``.
        trials: name -> host array ``(T, ...)``, the per-trial inputs ``problem.start`` reads.
        ts: ``(S,)`` save times (τ), ``ts[-1]`` the horizon.
        numbers: the run's scalars (see :class:`ContinuousRun`), cast to ``dtype``.
        method: the static config (solver, controller, terms, threshold).
        batch_size: trials per compiled call (the last batch is padded, no retrace).
        seed: per-trial PRNG keys ``trials["key"]`` for noisy methods.
    """
    missing = [name for name in PROBLEM_METHODS if not callable(getattr(problem, name, None))]
    if missing:
        raise UnsupportedError(
            f"a problem of type {type(problem).__name__} without {', '.join(missing)}",
            f"a problem with the methods {', '.join(PROBLEM_METHODS)}",
            "Implement them (see neuroam.dynamics.continuous; neuroam.dynamics.common.Problem "
            "is the ideal network's).")
    trials = dict(trials)
    if seed is not None:
        trials["key"] = key_data(seed, len(next(iter(trials.values()))))
    nums = {name: device_array(value, dtype) for name, value in numbers.items()}
    return RunSpec(ContinuousRun(problem, device_array(ts, dtype), nums), trials, method, batch_size)


def integrate(specs: Sequence[RunSpec]) -> list[Solved]:
    """One :class:`Solved` per spec, in order; specs that share a compiled shape run as
    one call (see :func:`~neuroam.dynamics.runs.solve_runs`)."""
    outs: list[Any] = solve_runs(specs, _body_jit)
    return [Solved(*out) for out in outs]


def continuous_spec(network, patterns, cues, *, ts: jax.Array, numbers: dict[str, float], method,
                    dtype, batch_size: int, seed: int | None = None) -> RunSpec:
    """A :class:`~neuroam.dynamics.runs.RunSpec` for one ideal-network run of
    :func:`solve_continuous`.

    Args:
        network: the bound network; patterns: its :class:`~neuroam.patterns.PatternSet`
            ``(K, D)``; cues: the :class:`~neuroam.cues.CueSet` ``(T, D)``.
        ts, numbers, method, dtype, batch_size, seed: as in :func:`run_spec`.
    """
    prob = make_problem(network, patterns, dtype)
    states = np.asarray(cues.states, dtype=np.dtype(dtype))
    clamp = np.zeros(states.shape, bool) if cues.clamp is None else np.asarray(cues.clamp, bool)
    return run_spec(prob, {"cue": states, "clamp": clamp}, ts=ts, numbers=numbers, method=method,
                    dtype=dtype, batch_size=batch_size, seed=seed)


def solve_continuous(specs: Sequence[RunSpec]) -> list[Trajectories]:
    """One :class:`~neuroam.dynamics.common.Trajectories` per ideal-network spec, in order."""
    return [Trajectories(times=np.asarray(spec.tree.ts), states=out.saved.get("state"),
                         energies=out.saved["energy"], overlaps=out.saved["overlap"],
                         final=out.final, status=out.status, converge_time=out.converge_time,
                         n_steps=out.n_steps)
            for spec, out in zip(specs, integrate(specs))]
