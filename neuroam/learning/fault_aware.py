"""Fault-aware ("hardware-adaptive") training of pairwise weights (He et al. 2025).

The fault map of the chip is known while the weights are learnt: every weight is kept
inside the range its devices can still realise — [−w_max, w_max] when healthy, {0} when
zeroed (the zeroed-weight abstraction), a narrower range or a fixed value when a device
is stuck — and the diagonal is zero. The weights W and a bias b (added in the periphery)
minimise the reconstruction error of a tanh network,

    L(W, b) = ⟨‖tanh(β (W x + b)) − ξ‖²⟩,  x = ξ^μ with a fraction ``flip_rate`` of signs
    flipped (a fresh draw every step; the first copy of each pattern is clean),

by Adam with projection onto the allowed ranges after every step. He et al. train on the
patterns themselves; the flipped copies (our addition) widen the basins the cues start
in. Many fault maps are trained at once (vmapped), one weight matrix per map, each map
with its own pattern set (:func:`fault_aware_batch`: the maps of several runs in one call).
"""

from __future__ import annotations

import dataclasses
import functools

import jax
import jax.numpy as jnp
import numpy as np

from ..errors import LearningRuleError
from .base import check_binary

__all__ = ["FaultAwareWeights", "FaultAwareProblem", "fault_aware", "fault_aware_batch"]


@dataclasses.dataclass(frozen=True)
class FaultAwareWeights:
    """``W`` (..., D, D) with h = W x + b, ``b`` (..., D), final ``loss`` (...,)."""

    W: np.ndarray
    b: np.ndarray
    loss: np.ndarray


def _flips(key, shape, rate):
    """Bernoulli(``rate``) flips of ``shape`` (R, D), two per 32-bit random word: each
    entry compares 16 random bits with round(rate·65536) (``rate`` to 1/65536). Half the
    threefry words of ``jax.random.bernoulli``, which spends one word per entry — the
    random bits were half of the training's time on a CPU."""
    R, D = shape
    words = jax.random.bits(key, (R, (D + 1) // 2), jnp.uint32)
    u = jnp.concatenate([words & 0xFFFF, words >> 16], axis=1)[:, :D]
    return u < jnp.round(rate * 65536.0).astype(jnp.uint32)


@functools.partial(jax.jit, static_argnames=("steps", "copies", "use_bias"))
def _train(xi, lo, hi, key, lr, gain, flip_rate, *, steps, copies, use_bias):
    K, D = xi.shape
    target = jnp.tile(xi, (copies, 1))

    def loss_fn(params, x):
        W, b = params
        h = x @ W.T + (b if use_bias else 0.0)
        return jnp.mean((jnp.tanh(gain * h) - target) ** 2)

    def step(carry, k):
        params, m, v, t = carry
        # the first copy of each pattern is clean; the others get fresh flips every step
        flips = _flips(jax.random.fold_in(key, k), ((copies - 1) * K, D), flip_rate)
        x = jnp.concatenate([target[:K], jnp.where(flips, -target[K:], target[K:])])
        loss, grads = jax.value_and_grad(loss_fn)(params, x)
        t = t + 1
        m = jax.tree_util.tree_map(lambda a, g: 0.9 * a + 0.1 * g, m, grads)
        v = jax.tree_util.tree_map(lambda a, g: 0.999 * a + 0.001 * g * g, v, grads)
        mh = jax.tree_util.tree_map(lambda a: a / (1 - 0.9 ** t), m)
        vh = jax.tree_util.tree_map(lambda a: a / (1 - 0.999 ** t), v)
        W, b = jax.tree_util.tree_map(lambda p, a, c: p - lr * a / (jnp.sqrt(c) + 1e-8),
                                      params, mh, vh)
        return ((jnp.clip(W, lo, hi), b), m, v, t), loss

    W0 = jnp.clip(jnp.zeros((D, D), xi.dtype), lo, hi)
    params = (W0, jnp.zeros((D,), xi.dtype))
    zeros = jax.tree_util.tree_map(jnp.zeros_like, params)
    (params, _, _, _), losses = jax.lax.scan(step, (params, zeros, zeros, 0.0),
                                             jnp.arange(steps))
    return params[0], params[1], losses[-1]


@functools.partial(jax.jit, static_argnames=("steps", "copies", "use_bias", "group"))
def _train_many(xi, lo, hi, keys, flip_rate, active, lr, gain, *, steps, copies, use_bias,
                group):
    """:func:`_train` for a batch of M maps: one pattern set ``xi`` (M, K, D), bounds
    ``lo``, ``hi`` (M, D, D), key, ``flip_rate`` and ``active`` (M,) per map. Groups of
    ``group`` maps are vmapped, the groups run one after the other; a group with no
    active map is skipped (zeros). Compiled once per shape and group size."""
    def train(args):
        return jax.vmap(lambda x, l, h, k, f: _train(x, l, h, k, lr, gain, f, steps=steps,
                                                     copies=copies, use_bias=use_bias))(*args)

    M, K, D = xi.shape
    args = (xi, lo, hi, keys, flip_rate)
    if group >= M:
        return train(args)

    def skip(_):
        return (jnp.zeros((group, D, D), xi.dtype), jnp.zeros((group, D), xi.dtype),
                jnp.zeros((group,), xi.dtype))

    split = jax.tree_util.tree_map(lambda a: a.reshape(M // group, group, *a.shape[1:]),
                                   (args, active))
    out = jax.lax.map(lambda g: jax.lax.cond(jnp.any(g[1]), train, skip, g[0]), split)
    return jax.tree_util.tree_map(lambda a: a.reshape(M, *a.shape[2:]), out)


@dataclasses.dataclass(frozen=True)
class FaultAwareProblem:
    """One :func:`fault_aware` call's inputs, for :func:`fault_aware_batch`.

    ``patterns`` (K, D) binary; ``mask``, ``lower``, ``upper`` as in :func:`fault_aware`
    (``(D, D)`` or ``(..., D, D)``); ``flip_rate`` of the noisy copies; ``seed`` of the flips.
    """

    patterns: object
    mask: np.ndarray | None = None
    lower: np.ndarray | None = None
    upper: np.ndarray | None = None
    w_max: float = 1.0
    flip_rate: float = 0.1
    seed: int = 0


def _bounds(pr: FaultAwareProblem, D: int) -> tuple[np.ndarray, np.ndarray]:
    """Per-weight bounds ``(..., D, D)`` of one problem: mask, stuck bounds, zero diagonal."""
    w = pr.w_max
    lo = -w * np.ones((D, D)) if pr.lower is None else np.asarray(pr.lower, np.float64)
    hi = w * np.ones((D, D)) if pr.upper is None else np.asarray(pr.upper, np.float64)
    lo, hi = np.broadcast_arrays(lo, hi)
    if pr.mask is not None:
        mask = np.asarray(pr.mask, bool)
        if mask.shape[-2:] != (D, D):
            raise LearningRuleError(f"a fault mask of shape {mask.shape}",
                                    f"shape (D, D) = ({D}, {D}) or (n, {D}, {D})",
                                    "Give one boolean per weight (True = faulty).")
        lo, hi, mask = np.broadcast_arrays(lo, hi, mask)
        lo, hi = np.where(mask, 0.0, lo), np.where(mask, 0.0, hi)
    if lo.shape[-2:] != (D, D):
        raise LearningRuleError(f"weight bounds of shape {lo.shape}",
                                f"shape (D, D) = ({D}, {D}) or (n, {D}, {D})",
                                "Give one lower and one upper bound per weight.")
    if np.any(lo > hi):
        raise LearningRuleError("lower bounds above upper bounds", "lower ≤ upper per weight",
                                "Check the bounds.")
    eye = np.eye(D, dtype=bool)
    return np.where(eye, 0.0, lo), np.where(eye, 0.0, hi)


def fault_aware_batch(problems, *, steps: int = 400, lr: float = 0.05, gain: float = 1.0,
                      copies: int = 8, bias: bool = True, pad_to: int | None = None,
                      maps_per_step: int | None = None) -> list[FaultAwareWeights]:
    """Train the maps of several :class:`FaultAwareProblem` in ONE compiled call.

    Every problem keeps its own keys (``jax.random.split(key(seed), n_maps)``), so its
    weights are those :func:`fault_aware` gives it alone. The patterns of all problems
    share one shape (K, D).

    Args:
        problems: the problems, each with one or more maps.
        steps, lr, gain, copies, bias: as in :func:`fault_aware`, shared by all problems.
        pad_to: pad the map axis to at least this many maps (copies of the last map,
            dropped) so that batches of different sizes share one compiled shape.
        maps_per_step: vmap this many maps at a time, one group after the other (the map
            axis is padded to a multiple; groups of padding only are skipped). Default:
            all maps in one vmap. Training costs the same per map either way on a CPU.

    Returns:
        One :class:`FaultAwareWeights` per problem, in order.
    """
    problems = list(problems)
    if not problems:
        return []
    xis = [check_binary(pr.patterns, "fault-aware") for pr in problems]
    K, D = xis[0].shape
    if any(x.shape != (K, D) for x in xis):
        raise LearningRuleError(f"pattern sets of shapes {sorted({x.shape for x in xis})}",
                                "one (K, D) shape for every problem of a batch",
                                "Train pattern sets of different shapes in separate calls.")
    lo, hi, xi, keys, flip, batches = [], [], [], [], [], []
    for pr, x in zip(problems, xis):
        l, h = _bounds(pr, D)
        batches.append(l.shape[:-2])
        l, h = l.reshape(-1, D, D), h.reshape(-1, D, D)
        m = l.shape[0]
        lo.append(l), hi.append(h), xi.append(np.broadcast_to(x, (m, K, D)))
        keys.append(jax.random.split(jax.random.key(int(pr.seed)), m))
        flip.append(np.full(m, float(pr.flip_rate)))
    n = sum(len(f) for f in flip)
    M = max(n, pad_to or 0)
    group = M if not maps_per_step else int(maps_per_step)
    M = -(-M // group) * group
    cat = lambda arrs: np.concatenate(arrs + [arrs[-1][-1:]] * (M - n))  # noqa: E731
    W, b, loss = _train_many(jnp.asarray(cat(xi), jnp.float32), jnp.asarray(cat(lo), jnp.float32),
                             jnp.asarray(cat(hi), jnp.float32),
                             jnp.concatenate(keys + [keys[-1][-1:]] * (M - n)), cat(flip),
                             np.arange(M) < n, lr, float(gain), steps=int(steps),
                             copies=int(copies), use_bias=bool(bias), group=group)
    W, b, loss = (np.asarray(a, np.float64) for a in (W, b, loss))
    out, i = [], 0
    for batch in batches:
        m = int(np.prod(batch, dtype=int))
        out.append(FaultAwareWeights(W=W[i:i + m].reshape(*batch, D, D),
                                     b=b[i:i + m].reshape(*batch, D),
                                     loss=loss[i:i + m].reshape(batch)))
        i += m
    return out


def fault_aware(patterns, *, mask=None, lower=None, upper=None, w_max: float = 1.0,
                steps: int = 400, lr: float = 0.05, gain: float = 1.0,
                flip_rate: float = 0.1, copies: int = 8, bias: bool = True,
                seed: int = 0) -> FaultAwareWeights:
    """Learn weights that know the fault map.

    Args:
        patterns: binary :class:`~neuroam.patterns.PatternSet` (K, D).
        mask: ``(D, D)`` or ``(n, D, D)`` bool, True where a weight is faulty and forced to
            zero (W[i, j] couples input j to neuron i).
        lower, upper: optional per-weight bounds of the same shape (stuck devices); they
            override ``mask``'s zero where given.
        w_max: bound of healthy weights, [−w_max, w_max].
        steps, lr: Adam iterations and step size.
        gain: β of the tanh, per weight unit (fields of ±1 states reach D·w_max).
        flip_rate, copies: noisy copies per pattern and step (0 flips: patterns only).
        bias: learn the bias b (else b = 0).
        seed: seed of the flips.

    Returns:
        :class:`FaultAwareWeights` with one matrix per mask.
    """
    pr = FaultAwareProblem(patterns, mask=mask, lower=lower, upper=upper, w_max=w_max,
                           flip_rate=flip_rate, seed=seed)
    return fault_aware_batch([pr], steps=steps, lr=lr, gain=gain, copies=copies, bias=bias)[0]


def fault_aware_rule(patterns, *, mask=None, **kwargs) -> np.ndarray:
    """``learn("fault-aware", patterns, mask=...)``: W only (no bias), one mask."""
    if mask is not None and np.ndim(mask) != 2:
        raise LearningRuleError(f"a mask of shape {np.shape(mask)} for learn()",
                                "one (D, D) mask", "Call fault_aware() for several masks.")
    return fault_aware(patterns, mask=mask, bias=False, **kwargs).W

