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
in. Many fault maps are trained at once (vmapped), one weight matrix per map.
"""

from __future__ import annotations

import dataclasses
import functools

import jax
import jax.numpy as jnp
import numpy as np

from ..errors import LearningRuleError
from .base import RULES, check_binary

__all__ = ["FaultAwareWeights", "fault_aware"]


@dataclasses.dataclass(frozen=True)
class FaultAwareWeights:
    """``W`` (..., D, D) with h = W x + b, ``b`` (..., D), final ``loss`` (...,)."""

    W: np.ndarray
    b: np.ndarray
    loss: np.ndarray


@functools.partial(jax.jit, static_argnames=("steps", "copies", "use_bias"))
def _train(xi, lo, hi, key, lr, gain, flip_rate, *, steps, copies, use_bias):
    K, D = xi.shape
    target = jnp.tile(xi, (copies, 1))
    clean = (jnp.arange(copies * K) < K)[:, None]

    def loss_fn(params, x):
        W, b = params
        h = x @ W.T + (b if use_bias else 0.0)
        return jnp.mean((jnp.tanh(gain * h) - target) ** 2)

    def step(carry, k):
        params, m, v, t = carry
        flips = jax.random.bernoulli(jax.random.fold_in(key, k), flip_rate, target.shape)
        x = jnp.where(flips & ~clean, -target, target)
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


@functools.partial(jax.jit, static_argnames=("steps", "copies", "use_bias"))
def _train_many(xi, lo, hi, keys, lr, gain, flip_rate, *, steps, copies, use_bias):
    """:func:`_train` for a batch of bounds ``(n, D, D)``; compiled once per shape."""
    return jax.vmap(lambda l, h, k: _train(xi, l, h, k, lr, gain, flip_rate, steps=steps,
                                           copies=copies, use_bias=use_bias))(lo, hi, keys)


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
    xi = check_binary(patterns, "fault-aware")
    K, D = xi.shape
    lo = -w_max * np.ones((D, D)) if lower is None else np.asarray(lower, np.float64)
    hi = w_max * np.ones((D, D)) if upper is None else np.asarray(upper, np.float64)
    lo, hi = np.broadcast_arrays(lo, hi)
    if mask is not None:
        mask = np.asarray(mask, bool)
        if mask.shape[-2:] != (D, D):
            raise LearningRuleError(f"a fault mask of shape {mask.shape}",
                                    f"shape (D, D) = ({D}, {D}) or (n, {D}, {D})",
                                    "Give one boolean per weight (True = faulty).")
        lo, hi, mask = np.broadcast_arrays(lo, hi, mask)
        lo, hi = np.where(mask, 0.0, lo), np.where(mask, 0.0, hi)
    if np.any(lo > hi):
        raise LearningRuleError("lower bounds above upper bounds", "lower ≤ upper per weight",
                                "Check the bounds.")
    eye = np.eye(D, dtype=bool)
    lo, hi = np.where(eye, 0.0, lo), np.where(eye, 0.0, hi)
    batch = lo.shape[:-2]
    lo2, hi2 = lo.reshape(-1, D, D), hi.reshape(-1, D, D)
    g = float(gain)
    keys = jax.random.split(jax.random.key(seed), lo2.shape[0])
    W, b, loss = _train_many(jnp.asarray(xi, jnp.float32), jnp.asarray(lo2, jnp.float32),
                             jnp.asarray(hi2, jnp.float32), keys, lr, g, flip_rate,
                             steps=int(steps), copies=int(copies), use_bias=bool(bias))
    return FaultAwareWeights(W=np.asarray(W, np.float64).reshape(*batch, D, D),
                             b=np.asarray(b, np.float64).reshape(*batch, D),
                             loss=np.asarray(loss, np.float64).reshape(batch))


def _rule(patterns, *, mask=None, **kwargs) -> np.ndarray:
    """``learn("fault-aware", patterns, mask=...)``: W only (no bias), one mask."""
    if mask is not None and np.ndim(mask) != 2:
        raise LearningRuleError(f"a mask of shape {np.shape(mask)} for learn()",
                                "one (D, D) mask", "Call fault_aware() for several masks.")
    return fault_aware(patterns, mask=mask, bias=False, **kwargs).W


RULES["fault-aware"] = _rule
