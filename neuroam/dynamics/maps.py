"""The one recorder of iterated maps: discrete sign sweeps and the fixed-point map.

A map is applied to a whole batch of trials at once (every state leaf has the leading
batch axes, e.g. ``(R, B)`` runs × trials) inside one ``while_loop`` whose step index
``s`` is shared by the batch. A trial stops on its own — when a step changed nothing,
its state went non-finite, or after ``max_iters`` steps — and is then frozen (its state
is no longer replaced) while the others go on. The loop is written at the batch level,
not as a per-trial loop under ``vmap``: a vmapped ``while_loop`` re-selects every carried
array of every trial at every step (the saved trajectories included, ``O(S)`` per step),
whereas here a step writes one row ``s`` of the save buffers.

Inside one loop step the state is saved first and stepped second, so a saved reduction
(the energy's scores ξĝ) and the step that reads the same products run on the same
state in one body, where XLA computes them once.
"""

from __future__ import annotations

from collections.abc import Callable

import equinox as eqx
import jax
import jax.numpy as jnp

from .common import status_codes

__all__ = ["record_map", "over_runs_and_trials"]


def over_runs_and_trials(fn: Callable) -> Callable:
    """``fn(run, trial, *rest)`` of one trial mapped over ``(R, B)``: the per-run pytree
    ``run`` has a leading run axis on its array leaves, ``trial`` and ``rest`` leading
    ``(R, B)`` axes; the outputs gain ``(R, B)`` axes."""
    def one_run(run, trials, *rest):
        return jax.vmap(lambda trial, *r: fn(run, trial, *r))(trials, *rest)

    return eqx.filter_vmap(one_run)


def _where(mask, new, old):
    """``new`` where the batch ``mask`` holds, else ``old`` (leaves of equal shapes)."""
    def pick(a, b):
        m = mask.reshape(mask.shape + (1,) * (a.ndim - mask.ndim))
        return jnp.where(m, a, b)
    return jax.tree_util.tree_map(pick, new, old)


def record_map(step: Callable, save: Callable, state, max_iters: int, dtype, *,
               finite: Callable | None = None):
    """Iterate ``state, changes = step(state, s)`` on a batch of trials, each until a step
    changes nothing (``changes == 0``), its state is not finite (``finite``), or
    ``max_iters`` steps; record ``save(state)`` before the first and after every step.

    Args:
        step: ``(state, s) -> (state, changes)``; ``s`` is the int32 step index, the
            same for every trial still running; ``changes`` (int, shape ``batch``) counts
            what the step changed.
        save: ``state -> {name: array batch + rest}``.
        state: the initial batch state (a pytree; every leaf has the axes ``batch``).
        max_iters: most steps per trial (≥ 1). dtype: float dtype of the buffers' NaN
            fill and of the converge iterations.
        finite: ``state -> bool batch``; None: every state is finite.

    Returns ``(buf, state, status, converge_iter, n_iters)``: ``buf[name]`` is
    ``batch + (max_iters + 1,) + rest`` with NaN after each trial's last step; status
    :class:`~neuroam.results.Status` per trial (non-finite, converged when a step changed
    nothing, else max-steps); a converged trial converged at iteration ``n_iters − 1``
    (its quiet last step only confirms it), NaN otherwise.
    """
    batch = jax.eval_shape(lambda st: step(st, jnp.int32(0))[1], state).shape
    nb = len(batch)
    first = jax.eval_shape(save, state)
    nan = jnp.asarray(jnp.nan, dtype)
    buf = {k: jnp.full(a.shape[:nb] + (max_iters + 1,) + a.shape[nb:], nan, a.dtype)
           for k, a in first.items()}

    def put(buf, s, mask, rec):
        out = {}
        for k, b in buf.items():
            row = jax.lax.dynamic_index_in_dim(b, s, axis=nb, keepdims=False)
            out[k] = jax.lax.dynamic_update_index_in_dim(b, _where(mask, rec[k], row), s, axis=nb)
        return out

    ok0 = jnp.ones(batch, bool) if finite is None else finite(state)

    def cond(c):
        s, _, _, changes, ok, _ = c
        return (s < max_iters) & jnp.any((changes > 0) & ok)

    def body(c):
        s, state, buf, changes, ok, n = c
        running = (changes > 0) & ok
        # a trial's row n holds its state after n steps: written at the step index n
        buf = put(buf, s, n == s, save(state))
        new, ch = step(state, s)
        state = _where(running, new, state)
        changes = jnp.where(running, ch, changes)
        if finite is not None:
            ok = jnp.where(running, finite(new), ok)
        return s + 1, state, buf, changes, ok, n + running.astype(jnp.int32)

    init = (jnp.int32(0), state, buf, jnp.ones(batch, jnp.int32), ok0, jnp.zeros(batch, jnp.int32))
    s, state, buf, changes, ok, n = jax.lax.while_loop(cond, body, init)
    buf = put(buf, s, n == s, save(state))  # the trials that ran until the loop ended
    converged = ok & (changes == 0)
    ctime = jnp.where(converged, (n - 1).astype(dtype), nan)
    return buf, state, status_codes(ok, converged), ctime, n
