"""Fixed-point recall: iterate the model's update map to its attractor, no trajectory.

Every layer obeys τ_ℓ dx_ℓ/dt = I_ℓ − x_ℓ (:class:`~neuroam.models.Network`); an Euler
step of dt = τ_ℓ sets the layer to its input current, x_ℓ ← I_ℓ = −∂E_syn/∂x̂_ℓ (by
autodiff, from the model's energy). The map applies that step layer by layer, hidden
layers first and the visible layer last, each from the newest activations of the others
(Gauss–Seidel order):

* one-layer form: x ← I(x̂), exactly Euler with dt = τ. For the LSE energy this is the
  modern-Hopfield update x ← ξᵀ softmax(β(ξx − ½‖ξ‖²)) (Ramsauer et al. 2021).
* bipartite form: h ← ξ ĝ + b, then v ← ξᵀ f(h); for LSE again the modern-Hopfield
  update. (Updating both layers at once from the old state, the Jacobi order, only
  repeats every visible state twice here: the hidden layer starts at its steady state.)

Fixed points of the map are the steady states of the ODE (x_ℓ = I_ℓ for every layer),
so in a basin the map ends where ``ideal-ode`` ends — but the iterates are *not* the ODE
trajectory, and time is counted in iterations of the map, not in τ.

Energy. The energy never increases along the iterates when each layer update minimises
the energy over that layer with the others held: the layer's own energy (the Legendre
transform of a convex Lagrangian) is convex in its activation, so this holds when the
synapse energy is concave in the updated layer's activation — linear for the bipartite
synapse (every bipartite model: exact block-coordinate descent), concave for the
one-layer LSE and exponential energies (a log-sum-exp of affine scores; the update is
then a CCCP step, Yuille & Rangarajan 2003), for polynomial F(z) = zⁿ/n with even n or
rectified, and for the pattern form of the classical Hopfield energy. It is **not**
guaranteed for one-layer odd n without rectification, for learned weights W that are
not positive semi-definite (Hebbian and Storkey rules have zero diagonals), or for the
log-sum-ReLU energy; there the map may also end in a 2-cycle (reported as max-steps).

Stopping. An iteration that moves no visible internal state by ``tol`` or more (max
|Δx_v| < tol) is not applied: the trial stops, its final state is the last iterate, and
its converge time is the number of iterations applied (the result's ``n_steps`` counts
the map's evaluations, the confirming one included). Only the visible layer is tested:
after each iteration the hidden layers are functions of the previous visible state, and
their values scale with D. A non-finite iterate stops the trial as non-finite. Clamped
visible neurons never move. Runs × trials are batched like the other dynamics
(:mod:`neuroam.dynamics.runs`); iterations are recorded by
:func:`~neuroam.dynamics.maps.record_map`, ``chunk`` iterations per compiled call.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import ClassVar

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from ..arrays import device_array
from ..errors import ValueRangeError
from ..results import Status
from .common import (TRACES, Problem, Trajectories, is_finite, make_problem, require_continuous,
                     compiler_options, resolve_dtype)
from .maps import over_runs_and_trials, record_map
from .runs import RunSpec, solve_runs

__all__ = ["FixedPointConfig", "FixedPointRun", "solve_fixed_point", "solve_fixed_point_batch",
           "update_map"]


@dataclasses.dataclass(frozen=True)
class FixedPointConfig:
    """Static (shape-defining) choices; changing them recompiles. ``tol`` lives in
    :class:`FixedPointRun`."""

    max_iters: int = 100
    save_states: bool = True
    #: iterations per compiled call: the save buffers hold ``chunk + 1`` rows, and runs
    #: with trials still moving after them go on in further calls of the same program
    #: (results do not depend on it; it bounds the memory of mostly-NaN rows)
    chunk: int = 16

    trace_key: ClassVar[str] = "fixed-point"

    def __post_init__(self):
        if int(self.max_iters) < 1:
            raise ValueRangeError(f"max_iters={self.max_iters}", "max_iters ≥ 1",
                                  "Allow at least one iteration of the map.")
        if int(self.chunk) < 1:
            raise ValueRangeError(f"chunk={self.chunk}", "chunk ≥ 1", "Allow one iteration per call.")

    @property
    def rows(self) -> int:
        """Save rows of one compiled call."""
        return min(int(self.chunk), int(self.max_iters)) + 1


def _current(network, gs: dict, name: str) -> jax.Array:
    """I_ℓ = −∂E_syn/∂x̂_ℓ of layer ``name`` with every other activation held."""
    return -jax.grad(lambda g: network.synapse_energy({**gs, name: g}))(gs[name])


def update_map(problem: Problem, y: jax.Array, free: jax.Array) -> jax.Array:
    """One iteration of the map on the flattened state ``y`` ``(n,)``: every layer set to
    its input current (Euler, dt = τ), hidden layers first, the visible layer last, each
    from the newest activations; entries with ``free == 0`` (clamped) keep their value."""
    net = problem.network
    xs, fr = problem.unravel(y), problem.unravel(free)
    for name in (*net.hidden, net.visible):
        cur = _current(net, net.activations(xs), name)
        xs = {**xs, name: jnp.where(fr[name] > 0, cur.astype(y.dtype), xs[name])}
    return problem.ravel(xs)


class FixedPointTree(eqx.Module):
    """Per-run inputs of the body: the flattened network and its ``tol`` (a traced
    scalar, so runs with different tolerances share one compiled call)."""

    problem: Problem
    tol: jax.Array


def _body(tree: FixedPointTree, trials: dict, cfg: FixedPointConfig):
    """One call of at most ``cfg.chunk`` iterations. ``trials``: ``cue`` ``(R, B, D)``,
    ``clamp`` ``(R, B, D)`` bool, and where the previous call left each trial: ``y``
    ``(R, B, n)`` (ignored in the first call), ``status`` ``(R, B)``, ``n`` ``(R, B)``
    map evaluations so far, ``s0`` ``(R, B)`` the first iteration of this call (equal
    everywhere; 0: start from the cues). Returns (buf ``{name: (R, B, rows, ...)}``,
    state ``(R, B, n)``, final visible ``(R, B, D)``, status ``(R, B)``, converge
    iteration ``(R, B)``, iterations ``(R, B)``)."""
    TRACES[cfg.trace_key] += 1
    each = over_runs_and_trials
    s0 = trials["s0"].reshape(-1)[0]
    free = each(lambda run, trial: run.problem.free_mask(trial["clamp"]))(tree, trials)
    y0 = jax.lax.cond(s0 == 0,
                      lambda: each(lambda run, trial: run.problem.init(trial["cue"]))(tree, trials),
                      lambda: trials["y"])

    def one_step(run: FixedPointTree, trial, y, fr):
        prob = run.problem
        new = update_map(prob, y, fr)
        vis = prob.network.visible
        # NaN (a non-finite state) counts as moved: the step is applied and the trial stops
        still = jnp.max(jnp.abs(prob.unravel(new)[vis] - prob.unravel(y)[vis])) < run.tol
        return new, (~still).astype(jnp.int32)

    def step(y, s):
        return each(one_step)(tree, trials, y, free)

    def save(y):
        out = each(lambda run, trial, y: run.problem.save(y, cfg.save_states))(tree, trials, y)
        return {k: jnp.where(jnp.isinf(a), jnp.nan, a) for k, a in out.items()}

    def finite(y):
        return each(lambda run, trial, y: is_finite(y))(tree, trials, y)

    buf, y, status, ctime, n = record_map(step, save, y0, cfg.max_iters, y0.dtype, finite=finite,
                                          rows=cfg.rows, resume=(s0, trials["status"], trials["n"]))
    final = each(lambda run, trial, y: run.problem.visible(y))(tree, trials, y)
    return buf, y, final, status, ctime, n


#: LLVM's level-1 optimisation for the loop: on the benchmark (LSE, D = 1024, K = 256, 1024
#: trials) compiling took 2.2 s instead of 2.8 s and the warm call ran as fast (0.51 s at
#: either level; the time is in the two K×D products per iteration)
#: (an optimisation level in XLA_FLAGS wins: the test suite compiles everything at 0)
COMPILER_OPTIONS = compiler_options(1)

_body_jit = eqx.filter_jit(_body, compiler_options=COMPILER_OPTIONS)


@dataclasses.dataclass(frozen=True, eq=False)
class FixedPointRun:
    """One fixed-point recall run: a bound network, its patterns and cues, and ``tol``.

    Attributes:
        network: a bound :class:`~neuroam.models.Network` (continuous activations).
        patterns: the stored :class:`~neuroam.patterns.PatternSet` ``(K, D)`` (for overlaps).
        cues: :class:`~neuroam.cues.CueSet` ``(T, D)``; clamped entries never move.
        tol: a trial stops when no visible internal state moves by ``tol`` or more in one
            iteration (state units).
        dtype: "float32" or "float64". batch_size: trials per compiled batch.
        config: the static :class:`FixedPointConfig`.
    """

    network: object
    patterns: object
    cues: object
    tol: float = 1e-5
    dtype: str = "float32"
    batch_size: int = 1024
    config: FixedPointConfig = FixedPointConfig()

    def spec(self) -> RunSpec:
        require_continuous(self.network, "fixed-point recall")
        if not (np.isfinite(self.tol) and self.tol > 0):
            raise ValueRangeError(f"tol={self.tol}", "tol > 0 (state units)",
                                  "Pass a positive tolerance, e.g. 1e-5.")
        dt = resolve_dtype(self.dtype)
        states = np.asarray(self.cues.states, dtype=np.dtype(dt))
        clamp = np.zeros(states.shape, bool) if self.cues.clamp is None else np.asarray(self.cues.clamp, bool)
        prob = make_problem(self.network, self.patterns, dt)
        T = states.shape[0]
        trials = {"cue": states, "clamp": clamp, "y": np.zeros((T, prob.n), states.dtype),
                  "status": np.full(T, Status.MAX_STEPS, np.int8), "n": np.zeros(T, np.int32),
                  "s0": np.zeros(T, np.int32)}
        return RunSpec(FixedPointTree(prob, device_array(self.tol, dt)), trials, self.config,
                       self.batch_size)


def solve_fixed_point_batch(runs: Sequence[FixedPointRun]) -> list[Trajectories]:
    """Iterate every run's cues to a fixed point (or ``max_iters``); one
    :class:`~neuroam.dynamics.common.Trajectories` per run, in order. Runs of one
    compiled shape share one batched call per chunk of iterations. Every iterate is
    saved; time counts iterations ``0 … S − 1``, where ``S − 1`` is the most iterations
    any trial of the run applied (later rows would be NaN for every trial)."""
    specs = [run.spec() for run in runs]
    outs = [list(o) for o in solve_runs(specs, _body_jit)]
    pieces = [[o[0]] for o in outs]
    s0 = [0] * len(runs)  # the first iteration of each run's next call
    while True:
        for i, run in enumerate(runs):
            s0[i] += run.config.rows - 1
        todo = [i for i, (run, o) in enumerate(zip(runs, outs))
                if s0[i] < run.config.max_iters and np.any(o[3] == Status.MAX_STEPS)]
        if not todo:
            break
        more = [dataclasses.replace(specs[i], trials={
            **specs[i].trials, "y": outs[i][1], "status": outs[i][3], "n": outs[i][5],
            "s0": np.full(specs[i].n_trials, s0[i], np.int32)}) for i in todo]
        for i, o in zip(todo, solve_runs(more, _body_jit)):
            # the last row of the previous call is the first of this one (written here)
            pieces[i][-1] = {k: a[:, :-1] for k, a in pieces[i][-1].items()}
            pieces[i].append(o[0])
            outs[i] = list(o)
    trajs = []
    for piece, (_, _, final, status, ctime, n) in zip(pieces, outs):
        S = int(np.max(n - (status == Status.CONVERGED))) + 1  # the last row any trial holds
        buf = {k: (piece[0][k] if len(piece) == 1 else np.concatenate([p[k] for p in piece], axis=1))[:, :S]
               for k in piece[0]}
        trajs.append(Trajectories(times=np.arange(S, dtype=np.float64), states=buf.get("state"),
                                  energies=buf["energy"], overlaps=buf["overlap"], final=final,
                                  status=status, converge_time=ctime, n_steps=n))
    return trajs


def solve_fixed_point(network, patterns, cues, *, tol: float = 1e-5, dtype: str = "float32",
                      batch_size: int = 1024, config: FixedPointConfig = FixedPointConfig()) -> Trajectories:
    """Iterate the update map from every cue of ``cues``; the arguments are those of
    :class:`FixedPointRun`."""
    return solve_fixed_point_batch([FixedPointRun(network, patterns, cues, tol=tol, dtype=dtype,
                                                  batch_size=batch_size, config=config)])[0]
