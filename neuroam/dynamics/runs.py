"""Host-side batching of runs × trials, shared by every batched solver body.

A *run* is one recall: its own network (bound to its own patterns), its own numbers
(tolerances, horizon, noise) and its own ``T`` cues. A solver body compiled once takes

* ``tree``: the per-run pytree (an :mod:`equinox` module or a tuple of them) with every
  array leaf stacked along a leading run axis ``(R, ...)``; the non-array (static)
  parts are equal across the stacked runs, and
* ``trials``: a dict of per-trial arrays ``(R, B, ...)`` (cues, clamps, PRNG key data),

and returns a pytree of arrays with leading axes ``(R, B, ...)``. :func:`solve_runs`
groups runs that can share one compiled call (equal static config, equal static tree
parts, equal array shapes), pads each group's run count to the next power of two by
repeating its last run (so batches of 3 and 4 runs compile once), cuts the trial axis
into batches of ``B = min(batch_size, T)`` padded by repeating the last trial (so a
smaller last batch does not recompile), and drops every padded output.

Runs never interact inside a body (each is vmapped on its own), so a run's output is
the same whichever runs share its call, up to floating-point round-off of the batched
kernels.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Hashable, Sequence
from typing import Any

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from ..arrays import device_array
from ..errors import ShapeError, ValueRangeError
from .common import pad_trials

__all__ = ["RunSpec", "solve_runs", "stack_runs", "padded_runs", "key_data"]


@dataclasses.dataclass(frozen=True, eq=False)
class RunSpec:
    """One run handed to :func:`solve_runs`.

    Attributes:
        tree: per-run pytree; its array leaves are stacked along the run axis.
        trials: name -> host array ``(T, ...)``, one row per trial (same ``T`` for all).
        config: hashable static choices of the compiled body (solver, sizes, flags).
        batch_size: trials per compiled call (``B = min(batch_size, T)``).
    """

    tree: Any
    trials: dict[str, np.ndarray]
    config: Hashable
    batch_size: int

    def __post_init__(self):
        sizes = {name: np.shape(a)[0] if np.ndim(a) else None for name, a in self.trials.items()}
        if not sizes or len(set(sizes.values())) != 1 or None in sizes.values():
            raise ShapeError(f"per-trial arrays with leading sizes {sizes}",
                             "arrays sharing one leading trial axis", "Give one row per trial.")
        if next(iter(sizes.values())) < 1:
            raise ShapeError("zero trials", "at least one cue", "Give at least one cue.")
        if int(self.batch_size) < 1:
            raise ValueRangeError(f"batch_size={self.batch_size}", "batch_size ≥ 1",
                                  "Allow at least one trial per batch.")

    @property
    def n_trials(self) -> int:
        return int(np.shape(next(iter(self.trials.values())))[0])


def padded_runs(n: int) -> int:
    """Run count a batch of ``n`` runs is padded to: the next power of two."""
    return 1 << max(0, int(n) - 1).bit_length()


def key_data(seed: int, n: int) -> np.ndarray:
    """``(n, ...)`` uint32 key data of ``jax.random.split(jax.random.key(seed), n)``: one
    independent key per trial, rebuilt inside a body with ``jax.random.wrap_key_data``."""
    return np.asarray(jax.random.key_data(jax.random.split(jax.random.key(int(seed)), int(n))))


def _leaf_key(leaf):
    if eqx.is_array(leaf):
        return ("array", tuple(np.shape(leaf)), str(leaf.dtype))
    try:
        hash(leaf)
        return ("static", leaf)
    except TypeError:
        return ("static", repr(leaf))


def _group_key(spec: RunSpec):
    leaves, treedef = jax.tree_util.tree_flatten(spec.tree)
    trials = tuple((k, np.shape(a)[1:], str(np.asarray(a).dtype)) for k, a in sorted(spec.trials.items()))
    try:
        hash(treedef)
    except TypeError:  # a static field that is not hashable: compare by its text
        treedef = str(treedef)
    return (spec.config, int(spec.batch_size), spec.n_trials, treedef,
            tuple(_leaf_key(l) for l in leaves), trials)


def stack_runs(trees: Sequence[Any]) -> Any:
    """Stack the array leaves of equally structured pytrees along a new leading run axis.

    Non-array leaves (static fields, Python numbers) must be equal in every tree; they
    are kept once. Raises :class:`~neuroam.errors.ShapeError` otherwise.
    """
    flat = [jax.tree_util.tree_flatten(t) for t in trees]
    treedef = flat[0][1]
    for leaves, td in flat[1:]:
        if td != treedef:
            raise ShapeError("runs whose networks differ in structure", "runs of one compiled shape",
                             "Batch only runs of the same model, dtype and settings.")
    stacked = []
    for column in zip(*(leaves for leaves, _ in flat)):
        first = column[0]
        if eqx.is_array(first):
            shapes = {np.shape(a) for a in column}
            if len(shapes) != 1:
                raise ShapeError(f"run arrays of shapes {sorted(shapes)}", "equal shapes in every run",
                                 "Batch only runs with equally sized patterns and cues.")
            if jax.dtypes.issubdtype(first.dtype, jax.dtypes.extended):  # typed keys
                stacked.append(jnp.stack(column))
            else:
                stacked.append(device_array(np.stack([np.asarray(a) for a in column])))
        else:
            if any(_leaf_key(a) != _leaf_key(first) for a in column[1:]):
                raise ShapeError("runs whose static parameters differ", "equal static parameters",
                                 "Batch only runs of the same model.")
            stacked.append(first)
    return jax.tree_util.tree_unflatten(treedef, stacked)


def _solve_group(specs: Sequence[RunSpec], solve: Callable) -> list[Any]:
    R = len(specs)
    padded = list(specs) + [specs[-1]] * (padded_runs(R) - R)
    tree = stack_runs([s.tree for s in padded])
    T = specs[0].n_trials
    B = max(1, min(int(specs[0].batch_size), T))
    parts = []
    for start in range(0, T, B):
        n = min(B, T - start)
        trials = {name: device_array(np.stack([pad_trials(np.asarray(s.trials[name][start:start + B]), B)
                                                for s in padded]))
                  for name in specs[0].trials}
        out = solve(tree, trials, specs[0].config)
        parts.append(jax.tree_util.tree_map(lambda a: np.asarray(a)[:R, :n], out))
    joined = parts[0] if len(parts) == 1 else \
        jax.tree_util.tree_map(lambda *a: np.concatenate(a, axis=1), *parts)
    return [jax.tree_util.tree_map(lambda a: a[r], joined) for r in range(R)]


def solve_runs(specs: Sequence[RunSpec], solve: Callable) -> list[Any]:
    """Outputs of ``solve(tree (R, ...), trials (R, B, ...), config)`` for every run, in order.

    Each returned item is the run's own output pytree with a trial axis ``(T, ...)``
    (numpy). Runs that cannot share a compiled call (different config, batch size,
    trial count, static tree parts or shapes) are solved in separate calls.
    """
    if not specs:
        return []
    groups: dict[Any, list[int]] = {}
    for i, spec in enumerate(specs):
        groups.setdefault(_group_key(spec), []).append(i)
    out: list[Any] = [None] * len(specs)
    for members in groups.values():
        for i, res in zip(members, _solve_group([specs[i] for i in members], solve)):
            out[i] = res
    return out
