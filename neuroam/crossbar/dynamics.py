"""Recall with the crossbar product in the loop, vmapped over fault draws and trials.

Two stored forms:

- ``weights``: M = Wᵀ is programmed; the field of the visible neurons is h = W g + b
  (one forward read, b added in the periphery).
- ``bipartite``: M = ξᵀ is programmed; a forward read gives the memory currents
  s = ξ g + b_h, the periphery applies the model's memory-layer activation
  f = ∇𝓛_h(s) (the separation function: softmax, power, ...), and a transposed read gives
  the visible field h = ξᵀ f.

Three update schemes: ``sync`` (σ ← sign h for all neurons; ties keep the value),
``async`` (one neuron at a time in a fresh random order, each from its own read) and
``ode`` (Euler steps of τ dx/dt = h(g(x)) − x with g the model's visible activation).
Time is counted in sweeps (sync/async) or τ (ode). Clamped neurons never change.
"""

from __future__ import annotations

import dataclasses

import equinox as eqx
import jax
import jax.numpy as jnp

from ..dynamics.common import TRACES
from ..results import Status
from . import read as rd

__all__ = ["LoopConfig", "Stored", "run_recall", "DYNAMICS"]

DYNAMICS = ("sync", "async", "ode")


@dataclasses.dataclass(frozen=True)
class LoopConfig:
    form: str = "weights"  # or "bipartite"
    dynamics: str = "sync"
    max_steps: int = 100
    save_states: bool = True


class Stored(eqx.Module):
    """What the periphery needs besides the arrays. Leaves with a leading draw axis:
    ``bias`` (draw, n_out) and the energy synapse ``energy_syn`` (draw-batched)."""

    bias: jax.Array
    energy_syn: eqx.Module
    hidden: eqx.Module | None  # memory-layer Lagrangian (bipartite)
    visible: eqx.Module  # visible Lagrangian (ode)
    tau: jax.Array
    dt: jax.Array
    steady_tol: jax.Array


def _sign_update(h, sigma, free):
    new = jnp.where(h > 0, 1.0, jnp.where(h < 0, -1.0, sigma)).astype(sigma.dtype)
    return jnp.where(free > 0, new, sigma)


def _field(cfg, d, p, st, bias, g, key):
    k1, k2 = jax.random.split(key)
    binary = cfg.dynamics != "ode"  # sign states: every input is ±1
    if cfg.form == "weights":
        return rd.forward(d, p, g, k1, binary=binary) + bias
    s = rd.forward(d, p, g, k1, binary=binary) + bias
    return rd.transposed(d, p, st.hidden.activation(s), k2)


def _field_one(cfg, d, p, st, bias, g, i, key):
    k1, k2 = jax.random.split(key)
    if cfg.form == "weights":
        return rd.forward_one(d, p, g, i, k1, binary=True) + bias[i]
    s = rd.forward(d, p, g, k1, binary=True) + bias
    return rd.transposed_one(d, p, st.hidden.activation(s), i, k2)


def _step(cfg, d, p, st, bias, x, free, key):
    """One sweep/step: returns (new internal state, visible activation, still moving)."""
    if cfg.dynamics == "sync":
        new = _sign_update(_field(cfg, d, p, st, bias, x, key), x, free)
        return new, new, jnp.any(new != x)
    if cfg.dynamics == "async":
        D = x.shape[0]
        korder, kread = jax.random.split(key)
        order = jax.random.permutation(korder, D)

        def body(k, sigma):
            i = order[k]
            h = _field_one(cfg, d, p, st, bias, sigma, i, jax.random.fold_in(kread, k))
            return sigma.at[i].set(_sign_update(h, sigma[i], free[i]))

        new = jax.lax.fori_loop(0, D, body, x)
        return new, new, jnp.any(new != x)
    g = st.visible.activation(x)
    dx = (_field(cfg, d, p, st, bias, g, key) - x) / st.tau * free
    new = x + st.dt * dx
    return new, st.visible.activation(new), jnp.sqrt(jnp.mean(dx * dx)) >= st.steady_tol


def _one_trial(cfg, d, p, st, bias, syn, ov, x0, free, key):
    S = cfg.max_steps + 1
    g0 = x0 if cfg.dynamics != "ode" else st.visible.activation(x0)
    nan = jnp.asarray(jnp.nan, x0.dtype)
    buf = {"energy": jnp.full((S,), nan), "overlap": jnp.full((S, ov.shape[0]), nan)}
    if cfg.save_states:
        buf["state"] = jnp.full((S, x0.shape[0]), nan)

    def record(buf, s, g):
        out = {"energy": buf["energy"].at[s].set(syn.energy(g)),
               "overlap": buf["overlap"].at[s].set(ov @ g)}
        if cfg.save_states:
            out["state"] = buf["state"].at[s].set(g)
        return out

    def cond(c):
        s, _, _, _, moving = c
        return (s < cfg.max_steps) & moving

    def body(c):
        s, x, _, buf, _ = c
        x, g, moving = _step(cfg, d, p, st, bias, x, free, jax.random.fold_in(key, s))
        return s + 1, x, g, record(buf, s + 1, g), moving

    init = (jnp.int32(0), x0, g0, record(buf, 0, g0), jnp.asarray(True))
    s, x, g, buf, moving = jax.lax.while_loop(cond, body, init)
    finite = jnp.all(jnp.isfinite(g))
    converged = ~moving & finite
    status = jnp.where(~finite, Status.NON_FINITE,
                       jnp.where(converged, Status.CONVERGED, Status.MAX_STEPS)).astype(jnp.int8)
    last = (s - 1) if cfg.dynamics != "ode" else s
    t = last.astype(x0.dtype) * (st.dt if cfg.dynamics == "ode" else 1.0)
    return buf, g, status, jnp.where(converged, t, jnp.nan), s


def _recall(cfg, draws, per, st, ov, x0, free, keys):
    """Batched over draws (leading axis of draws, st.bias, st.energy_syn, keys) and trials."""
    TRACES["crossbar"] += 1

    def per_draw(d, bias, syn, kd):
        trial = lambda x, f, k: _one_trial(cfg, d, per, st, bias, syn, ov, x, f, k)  # noqa: E731
        return jax.vmap(trial)(x0, free, kd)

    return jax.vmap(per_draw)(draws, st.bias, st.energy_syn, keys)


_recall_jit = eqx.filter_jit(_recall)


def run_recall(cfg: LoopConfig, draws, per, stored: Stored, ov, x0, free, keys):
    """Outputs with leading axes (draw, trial): buffers, final, status, converge time, steps."""
    return _recall_jit(cfg, draws, per, stored, ov, x0, free, keys)
