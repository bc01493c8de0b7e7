"""Discrete updates of binary states σ ∈ {−1, +1}ᴰ (tutorial eq. 2.2–2.3).

Asynchronous: one neuron at a time, in a fresh random order each sweep, set to the
sign of the exact energy difference E(σ_i=−1) − E(σ_i=+1) (eq. 2.2, first line): the
energy never increases. Synchronous: every neuron at once to the sign of its input
current −∂E/∂σ_i (eq. 2.3 with autodiff); may end in a 2-cycle (reported as
max-steps). Ties keep the current value. Clamped neurons never change.

Energies are those of the one-layer form in the β → ∞ limit (the neuron energy
vanishes, eq. 3.12), so a bipartite model is first reduced with ``one_layer()``.

Runs are batched like the continuous dynamics (:mod:`neuroam.dynamics.runs`): each
:class:`DiscreteRun` brings its own synapse (bound to its own patterns), cues and seed;
one compiled call vmaps runs and, inside, trials. Trial ``i`` of a run with seed ``s``
updates in the orders drawn from ``jax.random.split(key(s), T)[i]`` folded with the
sweep index, whichever runs share the call. The sweeps are iterated and recorded by
:func:`~neuroam.dynamics.maps.record_map`, the recorder of every iterated map.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from ..errors import UnsupportedError, ValueRangeError
from .common import TRACES, Trajectories, cast_floats, overlap_matrix
from .maps import over_runs_and_trials, record_map
from .runs import RunSpec, key_data, solve_runs

__all__ = ["DiscreteConfig", "DiscreteRun", "solve_discrete", "solve_discrete_batch", "record_map",
           "require_binary"]


@dataclasses.dataclass(frozen=True)
class DiscreteConfig:
    mode: str = "async"
    max_sweeps: int = 50
    save_states: bool = True

    def __post_init__(self):
        if self.mode not in ("async", "sync"):
            raise ValueRangeError(f"mode={self.mode!r}", "'async' or 'sync'",
                                  "Asynchronous updates guarantee energy descent.")
        if self.max_sweeps < 1:
            raise ValueRangeError(f"max_sweeps={self.max_sweeps}", "max_sweeps ≥ 1", "Allow a sweep.")


def _async_sweep(syn, sigma, cache, free, key):
    D = sigma.shape[0]
    order = jax.random.permutation(key, D)

    def body(k, carry):
        sigma, cache, flips = carry
        i = order[k]
        gain = syn.flip_gain(cache, sigma, i)
        new = jnp.where(gain > 0, 1.0, jnp.where(gain < 0, -1.0, sigma[i]))
        new = jnp.where(free[i] > 0, new, sigma[i]).astype(sigma.dtype)
        delta = new - sigma[i]
        cache = syn.update_cache(cache, i, delta)
        return sigma.at[i].set(new), cache, flips + (delta != 0)

    return jax.lax.fori_loop(0, D, body, (sigma, cache, jnp.int32(0)))


def _sync_sweep(syn, sigma, cache, free, key):
    current = -jax.grad(syn.energy)(sigma)
    new = jnp.where(current > 0, 1.0, jnp.where(current < 0, -1.0, sigma)).astype(sigma.dtype)
    new = jnp.where(free > 0, new, sigma)
    return new, syn.init_cache(new), jnp.sum(new != sigma).astype(jnp.int32)


class DiscreteProblem(eqx.Module):
    """The per-run inputs of the discrete body: the one-layer synapse bound to the run's
    patterns and its ``(K, D)`` overlap matrix (both gain a run axis when stacked)."""

    synapse: eqx.Module
    ov: jax.Array


def _body(tree: DiscreteProblem, trials: dict, cfg: DiscreteConfig):
    """``trials``: ``sigma`` ``(R, B, D)`` ±1, ``free`` ``(R, B, D)`` (1 = may flip),
    ``key`` ``(R, B, 2)`` key data. Returns (buf ``{name: (R, B, S, ...)}``, final
    ``(R, B, D)``, status ``(R, B)``, converge sweep ``(R, B)``, sweeps ``(R, B)``)."""
    TRACES["discrete"] += 1
    sweep = _async_sweep if cfg.mode == "async" else _sync_sweep

    def init(run: DiscreteProblem, trial):
        return trial["sigma"], run.synapse.init_cache(trial["sigma"])

    def save(run: DiscreteProblem, trial, state):
        sigma = state[0]
        out = {"energy": run.synapse.energy(sigma), "overlap": run.ov @ sigma}
        if cfg.save_states:
            out["state"] = sigma
        return out

    def step(state, s):
        def one(run: DiscreteProblem, trial, state):
            key = jax.random.fold_in(jax.random.wrap_key_data(trial["key"]), s)
            sigma, cache, changes = sweep(run.synapse, *state, trial["free"], key)
            return (sigma, cache), changes
        return over_runs_and_trials(one)(tree, trials, state)

    state = over_runs_and_trials(init)(tree, trials)
    buf, (sigma, _), status, ctime, n = record_map(
        step, lambda st: over_runs_and_trials(save)(tree, trials, st), state, cfg.max_sweeps,
        trials["sigma"].dtype)
    return buf, sigma, status, ctime, n


_body_jit = eqx.filter_jit(_body)


def require_binary(patterns):
    """Raise :class:`~neuroam.errors.UnsupportedError` unless ``patterns`` are ±1."""
    if not patterns.is_binary:
        raise UnsupportedError("real-valued patterns for discrete updates", "binary ±1 patterns",
                               "Use the 'ideal-ode' dynamics for real-valued patterns.")


@dataclasses.dataclass(frozen=True, eq=False)
class DiscreteRun:
    """One discrete recall run.

    Attributes:
        network: the one-layer network bound to ``patterns`` (``model.one_layer().bind(patterns)``).
        patterns: the stored ±1 :class:`~neuroam.patterns.PatternSet` ``(K, D)``.
        cues: :class:`~neuroam.cues.CueSet` ``(T, D)``; started from their signs.
        seed: update orders are drawn from it, one stream per trial.
        dtype: float dtype of the states and energies; batch_size: trials per call.
        config: the static :class:`DiscreteConfig`.
    """

    network: object
    patterns: object
    cues: object
    seed: int = 0
    dtype: object = jnp.float32
    batch_size: int = 4096
    config: DiscreteConfig = DiscreteConfig()

    def spec(self) -> RunSpec:
        require_binary(self.patterns)
        syn = cast_floats(self.network, self.dtype).one_layer_synapse()
        dt = np.dtype(self.dtype)
        sigma = np.where(np.asarray(self.cues.states) >= 0, 1.0, -1.0).astype(dt)
        clamp = np.zeros(sigma.shape, bool) if self.cues.clamp is None else np.asarray(self.cues.clamp, bool)
        trials = {"sigma": sigma, "free": (1.0 - clamp).astype(dt),
                  "key": key_data(self.seed, self.cues.n_trials)}
        return RunSpec(DiscreteProblem(syn, overlap_matrix(self.patterns, self.dtype)), trials,
                       self.config, self.batch_size)


def solve_discrete_batch(runs: Sequence[DiscreteRun]) -> list[Trajectories]:
    """Discrete updates for every run; time is counted in sweeps (D updates). One
    :class:`~neuroam.dynamics.common.Trajectories` per run, in order."""
    specs = [run.spec() for run in runs]
    trajs = []
    for run, (buf, final, status, ctime, steps) in zip(runs, solve_runs(specs, _body_jit)):
        trajs.append(Trajectories(times=np.arange(run.config.max_sweeps + 1, dtype=np.float64),
                                  states=buf.get("state"), energies=buf["energy"], overlaps=buf["overlap"],
                                  final=final, status=status, converge_time=ctime, n_steps=steps))
    return trajs


def solve_discrete(model, patterns, cues, *, seed: int = 0, dtype=jnp.float32,
                   batch_size: int = 4096, config: DiscreteConfig = DiscreteConfig()) -> Trajectories:
    """Run discrete updates from the sign of every cue; time is counted in sweeps (D updates)."""
    require_binary(patterns)  # before binding: a bound network needs its patterns' kind
    return solve_discrete_batch([DiscreteRun(model.one_layer().bind(patterns), patterns, cues, seed=seed,
                                             dtype=dtype, batch_size=batch_size, config=config)])[0]
