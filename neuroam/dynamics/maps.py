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

from ..results import Status
from .common import status_codes

__all__ = ["record_map", "over_runs_and_trials"]


def over_runs_and_trials(fn: Callable) -> Callable:
    """``fn(run, trial, *rest)`` of one trial mapped over ``(R, B)``: the per-run pytree
    ``run`` has a leading run axis on its array leaves, ``trial`` and ``rest`` leading
    ``(R, B)`` axes; the outputs gain ``(R, B)`` axes.

    A single run (R = 1) is indexed instead of vmapped: a vmap over a run axis of size one
    turns every K×D product into a batched product that XLA on a CPU runs markedly slower
    (the fixed-point benchmark's loop: about 0.62 s instead of 0.45 s)."""
    def one_run(run, trials, *rest):
        return jax.vmap(lambda trial, *r: fn(run, trial, *r))(trials, *rest)

    def mapped(run, trials, *rest):
        if jax.tree_util.tree_leaves(trials)[0].shape[0] == 1:
            first = lambda a: a[0] if eqx.is_array(a) else a  # noqa: E731
            out = one_run(*jax.tree_util.tree_map(first, (run, trials, *rest)))
            return jax.tree_util.tree_map(lambda a: a[None], out)
        return eqx.filter_vmap(one_run)(run, trials, *rest)

    return mapped


def _where(mask, new, old):
    """``new`` where the batch ``mask`` holds, else ``old`` (leaves of equal shapes)."""
    def pick(a, b):
        m = mask.reshape(mask.shape + (1,) * (a.ndim - mask.ndim))
        return jnp.where(m, a, b)
    return jax.tree_util.tree_map(pick, new, old)


def record_map(step: Callable, save: Callable, state, max_iters: int, dtype, *,
               finite: Callable | None = None, rows: int | None = None, resume=None,
               active=None):
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
        rows: save rows this call holds (default ``max_iters + 1``); a call that starts
            at iteration ``s0`` records iterations ``s0 … s0 + rows − 1`` and stops after
            ``s0 + rows − 1`` steps at the latest (``status`` MAX_STEPS: still running).
        resume: None, or ``(s0, status, n_iters)`` of an earlier call on the same trials
            (``state`` its final state): go on from iteration ``s0`` (int32 scalar), whose
            row this call records.
        active: None, or a bool ``batch`` array: trials that take no step at all where
            False (padding), reported CONVERGED at iteration 0 with their row 0 saved.

    A step that changes nothing is not applied: it confirms that the trial has stopped,
    and the trial's state (and last saved row) is the one before it.

    Returns ``(buf, state, status, converge_iter, n_iters)``: ``buf[name]`` is
    ``batch + (rows,) + rest``, row ``k`` the state after ``k`` applied steps and NaN
    after each trial's final state (a call that another call continues leaves the row of
    its last iteration to that call); status :class:`~neuroam.results.Status` per trial
    (non-finite, converged when a step changed nothing, else max-steps); ``n_iters``
    counts the steps evaluated (the confirming one included), and a converged trial
    converged at iteration ``n_iters − 1``, NaN otherwise.
    """
    batch = jax.eval_shape(lambda st: step(st, jnp.int32(0))[1], state).shape
    nb = len(batch)
    rows = max_iters + 1 if rows is None else int(rows)
    first = jax.eval_shape(save, state)
    nan = jnp.asarray(jnp.nan, dtype)
    buf = {k: jnp.full(a.shape[:nb] + (rows,) + a.shape[nb:], nan, a.dtype)
           for k, a in first.items()}

    def put(buf, row, mask, rec):
        out = {}
        for k, b in buf.items():
            old = jax.lax.dynamic_index_in_dim(b, row, axis=nb, keepdims=False)
            out[k] = jax.lax.dynamic_update_index_in_dim(b, _where(mask, rec[k], old), row, axis=nb)
        return out

    ok0 = jnp.ones(batch, bool) if finite is None else finite(state)
    if resume is None:
        s0, changes0, n0 = jnp.int32(0), jnp.ones(batch, jnp.int32), jnp.zeros(batch, jnp.int32)
    else:
        s0, status0, evals0 = resume
        s0 = jnp.asarray(s0, jnp.int32)
        n0 = jnp.asarray(evals0, jnp.int32) - (status0 == Status.CONVERGED).astype(jnp.int32)
        changes0 = (status0 == Status.MAX_STEPS).astype(jnp.int32)
        ok0 = ok0 & (status0 != Status.NON_FINITE)
    if active is not None:
        changes0 = jnp.where(active, changes0, 0)
    end = jnp.minimum(s0 + rows - 1, max_iters)

    def cond(c):
        s, _, _, changes, ok, _ = c
        return (s < end) & jnp.any((changes > 0) & ok)

    def body(c):
        s, state, buf, changes, ok, n = c
        running = (changes > 0) & ok
        # row n of a trial holds its state after n applied steps, written at step index n
        buf = put(buf, s - s0, n == s, save(state))
        new, ch = step(state, s)
        moved = running & (ch > 0)  # a step that changed nothing only confirms: not applied
        state = _where(moved, new, state)
        changes = jnp.where(running, ch, changes)
        if finite is not None:
            ok = jnp.where(moved, finite(new), ok)
        return s + 1, state, buf, changes, ok, n + moved.astype(jnp.int32)

    s, state, buf, changes, ok, n = jax.lax.while_loop(cond, body, (s0, state, buf, changes0, ok0, n0))
    running = (changes > 0) & ok
    # rows not yet written: trials that moved in the last step, unless a further call
    # (started at iteration s) goes on with them and writes that row first
    need = (n == s) & ~(running & (s < max_iters))
    buf = jax.lax.cond(jnp.any(need), lambda b: put(b, s - s0, need, save(state)), lambda b: b, buf)
    converged = ok & (changes == 0)
    ctime = jnp.where(converged, n.astype(dtype), nan)
    return buf, state, status_codes(ok, converged), ctime, n + converged.astype(jnp.int32)
