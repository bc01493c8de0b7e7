"""Discrete updates of binary states σ ∈ {−1, +1}ᴰ (tutorial eq. 2.2–2.3).

Asynchronous: one neuron at a time, in a fresh random order each sweep, set to the
sign of the exact energy difference E(σ_i=−1) − E(σ_i=+1) (eq. 2.2, first line): the
energy never increases. Synchronous: every neuron at once to the sign of its input
current −∂E/∂σ_i (eq. 2.3 with autodiff); may end in a 2-cycle (reported as
max-steps). Ties keep the current value. Clamped neurons never change.

Energies are those of the one-layer form in the β → ∞ limit (the neuron energy
vanishes, eq. 3.12), so a bipartite model is first reduced with ``one_layer()``.
"""

from __future__ import annotations

import dataclasses

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from ..errors import UnsupportedError, ValueRangeError
from ..results import Status
from .common import TRACES, Trajectories, cast_floats, overlap_matrix, pad_trials

__all__ = ["DiscreteConfig", "solve_discrete"]


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


def _solve_batch(syn, ov, sigma0, free, keys, cfg: DiscreteConfig):
    TRACES["discrete"] += 1
    sweep = _async_sweep if cfg.mode == "async" else _sync_sweep
    S = cfg.max_sweeps + 1

    def record(buf, s, sigma):
        out = {"energy": buf["energy"].at[s].set(syn.energy(sigma)),
               "overlap": buf["overlap"].at[s].set(ov @ sigma)}
        if cfg.save_states:
            out["state"] = buf["state"].at[s].set(sigma)
        return out

    def one(sigma, free_i, key):
        K, D = ov.shape
        nan = jnp.asarray(jnp.nan, sigma.dtype)
        buf = {"energy": jnp.full((S,), nan), "overlap": jnp.full((S, K), nan)}
        if cfg.save_states:
            buf["state"] = jnp.full((S, D), nan)
        buf = record(buf, 0, sigma)

        def cond(c):
            s, _, _, _, flips = c
            return (s < cfg.max_sweeps) & (flips > 0)

        def body(c):
            s, sigma, cache, buf, _ = c
            sigma, cache, flips = sweep(syn, sigma, cache, free_i, jax.random.fold_in(key, s))
            return s + 1, sigma, cache, record(buf, s + 1, sigma), flips

        init = (jnp.int32(0), sigma, syn.init_cache(sigma), buf, jnp.int32(1))
        s, sigma, _, buf, flips = jax.lax.while_loop(cond, body, init)
        converged = flips == 0
        status = jnp.where(converged, Status.CONVERGED, Status.MAX_STEPS).astype(jnp.int8)
        # the last sweep changed nothing: convergence was reached one sweep earlier
        ctime = jnp.where(converged, (s - 1).astype(sigma.dtype), jnp.nan)
        return buf, sigma, status, ctime, s

    return jax.vmap(one)(sigma0, free, keys)


_solve_batch_jit = eqx.filter_jit(_solve_batch)


def solve_discrete(model, patterns, cues, *, seed: int = 0, dtype=jnp.float32,
                   batch_size: int = 4096, config: DiscreteConfig = DiscreteConfig()) -> Trajectories:
    """Run discrete updates from the sign of every cue; time is counted in sweeps (D updates)."""
    if not patterns.is_binary:
        raise UnsupportedError("real-valued patterns for discrete updates",
                               "binary ±1 patterns", "Use the 'ideal-ode' dynamics for real-valued patterns.")
    net = cast_floats(model.one_layer().bind(patterns), dtype)
    syn = net.one_layer_synapse()
    ov = overlap_matrix(patterns, dtype)
    states = np.where(np.asarray(cues.states) >= 0, 1.0, -1.0).astype(np.float32)
    clamp = np.zeros_like(states, bool) if cues.clamp is None else np.asarray(cues.clamp)
    T = cues.n_trials
    B = max(1, min(batch_size, T))
    keys = jax.random.split(jax.random.key(seed), T)
    parts = []
    for s in range(0, T, B):
        idx = np.minimum(np.arange(s, s + B), T - 1)
        out = _solve_batch_jit(syn, ov, jnp.asarray(pad_trials(states[s:s + B], B), dtype),
                               jnp.asarray(1.0 - pad_trials(clamp[s:s + B], B), dtype), keys[idx], config)
        n = min(B, T - s)
        parts.append(jax.tree_util.tree_map(lambda a: np.asarray(a)[:n], out))
    buf, final, status, ctime, steps = (
        jax.tree_util.tree_map(lambda *a: np.concatenate(a, axis=0), *[p[i] for p in parts])
        for i in range(5))
    times = np.arange(config.max_sweeps + 1, dtype=np.float64)
    return Trajectories(times=times, states=buf.get("state"), energies=buf["energy"],
                        overlaps=buf["overlap"], final=final, status=status,
                        converge_time=ctime, n_steps=steps)
