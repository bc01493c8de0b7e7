"""Recall with the crossbar product in the loop, vmapped over fault draws and trials.

The draw axis may hold the chips of several runs (a batch): everything a run owns —
arrays, bias, synapses, patterns, cues, keys — has one entry per draw. Draws are vmapped
all together, or in groups (``LoopConfig.draws_per_step``: one run's chips on CPUs) that
one compiled call runs one after the other, each until its own slowest trial stops.

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
from ..errors import ShapeError
from ..results import Status
from . import read as rd

__all__ = ["LoopConfig", "Stored", "run_recall", "DYNAMICS"]

DYNAMICS = ("sync", "async", "ode")


@dataclasses.dataclass(frozen=True)
class LoopConfig:
    """Static loop configuration. ``draws_per_step``: draws recalled together (vmapped) in
    one step of a sequential map over the draw axis (0: all draws at once). A vmapped loop
    runs until its slowest trial stops, so smaller groups waste less work on CPUs; one
    group of everything suits accelerators."""

    form: str = "weights"  # or "bipartite"
    dynamics: str = "sync"
    max_steps: int = 100
    save_states: bool = True
    draws_per_step: int = 0


class Stored(eqx.Module):
    """What the periphery needs besides the arrays, one entry per draw (chip; in a batch,
    the chips of every run side by side) on every leaf: ``bias`` (draw, n_out), the
    energy synapse ``energy_syn``, the Lagrangians ``hidden`` and ``visible``, ``tau``
    (τ), ``dt`` (τ) and ``steady_tol`` (1/τ), each (draw,)."""

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


def _lockstep(cfg, per, draws, st, ov, x0, free, keys, active):
    """Every lane (draw × trial) of a group in one loop with one step counter.

    Leaves of ``draws``, ``st`` and ``ov`` have a leading draw axis m; ``x0``, ``free``
    ``(m, T, D)``, ``keys`` ``(m, T)``, ``active`` ``(m,)``. Each lane steps until it stops
    moving (or ``max_steps``), exactly as if it looped alone — its step ``s`` draws from
    ``fold_in(key, s)`` — but the buffers are written at the shared counter, a slice per
    step instead of a scatter into every lane's own buffer, and the loop ends when no lane
    moves.
    """
    S = cfg.max_steps + 1
    ode = cfg.dynamics == "ode"
    lanes = jax.vmap(jax.vmap(lambda d, sd, x, f, k: _step(cfg, d, per, sd, sd.bias, x, f, k),
                              in_axes=(None, None, 0, 0, 0)))
    visible = jax.vmap(jax.vmap(lambda sd, x: sd.visible.activation(x), in_axes=(None, 0)))

    def save(g):  # (m, T, ...) records of the visible states g (m, T, D)
        out = {"energy": jax.vmap(lambda sd, gd: jax.vmap(sd.energy_syn.energy)(gd))(st, g),
               "overlap": jnp.einsum("mkd,mtd->mtk", ov, g)}
        if cfg.save_states:
            out["state"] = g
        return out

    g0 = visible(st, x0) if ode else x0
    first = save(g0)
    nan = jnp.asarray(jnp.nan, x0.dtype)
    buf = {k: jnp.full((*a.shape[:2], S, *a.shape[2:]), nan).at[:, :, 0].set(a)
           for k, a in first.items()}
    moving0 = jnp.broadcast_to(active[:, None], x0.shape[:2])  # inactive: no step at all

    def cond(c):
        s, _, _, _, moving, _ = c
        return (s < cfg.max_steps) & jnp.any(moving)

    def body(c):
        s, x, g, buf, moving, steps = c
        fold = jax.vmap(jax.vmap(lambda k: jax.random.fold_in(k, s)))(keys)
        nx, ng, still = lanes(draws, st, x, free, fold)
        keep = moving[..., None]
        x, g = jnp.where(keep, nx, x), jnp.where(keep, ng, g)
        rec = save(g)
        buf = {k: jax.lax.dynamic_update_index_in_dim(
            buf[k], jnp.where(moving.reshape(*moving.shape, *([1] * (rec[k].ndim - 2))),
                              rec[k], nan), s + 1, axis=2) for k in buf}
        return s + 1, x, g, buf, moving & still, steps + moving

    init = (jnp.int32(0), x0, g0, buf, moving0, jnp.zeros(x0.shape[:2], jnp.int32))
    _, x, g, buf, moving, steps = jax.lax.while_loop(cond, body, init)
    finite = jnp.all(jnp.isfinite(g), axis=-1)
    converged = ~moving & finite
    status = jnp.where(~finite, Status.NON_FINITE,
                       jnp.where(converged, Status.CONVERGED, Status.MAX_STEPS)).astype(jnp.int8)
    last = steps if ode else steps - 1
    t = last.astype(x0.dtype) * (st.dt[:, None] if ode else 1.0)
    return buf, g, status, jnp.where(converged, t, jnp.nan), steps


def _recall(cfg, draws, per, st, ov, x0, free, keys, active):
    """Batched over draws (leading axis N of every leaf of draws, st, ov, x0, free, keys,
    active) and trials (second axis of x0, free, keys)."""
    TRACES["crossbar"] += 1
    args = (draws, st, ov, x0, free, keys, active)
    N = active.shape[0]
    m = cfg.draws_per_step or N
    if m == N:
        return _lockstep(cfg, per, *args)
    # a sequential map over groups of m draws, each group in lockstep
    groups = jax.tree_util.tree_map(lambda a: a.reshape(N // m, m, *a.shape[1:]), args)
    out = jax.lax.map(lambda g: _lockstep(cfg, per, *g), groups)
    return jax.tree_util.tree_map(lambda a: a.reshape(N, *a.shape[2:]), out)


#: XLA compiles the recall loop with LLVM's level-1 optimisation: on the bipartite
#: exponential DenseAM of fault_tolerance.toml (CPU) that cut compiling from 5.1 s to
#: ~2.5 s with no slower recall (2.3-2.9 s per 48-run batch at either level; level 0 was
#: 2.5x slower to run)
COMPILER_OPTIONS = {"xla_backend_optimization_level": 1}

_recall_jit = eqx.filter_jit(_recall, compiler_options=COMPILER_OPTIONS)


def run_recall(cfg: LoopConfig, draws, per, stored: Stored, ov, x0, free, keys, active=None):
    """Recall every cue on every draw, in one compiled call.

    Args:
        cfg: static loop configuration (``draws_per_step`` must divide N).
        draws: :class:`~neuroam.crossbar.read.DrawArrays` with a leading draw axis N.
        per: the shared :class:`~neuroam.crossbar.read.Periphery`.
        stored: :class:`Stored`, every leaf with leading axis N.
        ov: ``(N, K, D)`` overlap matrices (the patterns of each draw's run).
        x0, free: ``(N, T, D)`` initial states and 1 − clamp of every cue.
        keys: ``(N, T)`` read-noise keys.
        active: ``(N,)`` bool, False on padding draws, which take no step (default: all).

    Returns:
        Outputs with leading axes (draw, trial): buffers, final, status, converge time, steps.
    """
    N = x0.shape[0]
    if cfg.draws_per_step and N % cfg.draws_per_step:
        raise ShapeError(f"{N} draws for groups of draws_per_step = {cfg.draws_per_step}",
                         "a multiple of draws_per_step", "Pad the draw axis.")
    active = jnp.ones(N, bool) if active is None else jnp.asarray(active, bool)
    return _recall_jit(cfg, draws, per, stored, ov, x0, free, keys, active)
