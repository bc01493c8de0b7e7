"""Pieces shared by the ODE, SDE and discrete dynamics."""

from __future__ import annotations

import collections
import dataclasses
import os

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from ..arrays import device_array
from ..errors import UnsupportedError, ValueRangeError
from ..results import Status

#: How often each solver body was traced (compiled); tests use it to prove that
#: changing numbers (noise, β, tolerances) does not recompile.
TRACES: collections.Counter = collections.Counter()

__all__ = ["TRACES", "Problem", "make_problem", "overlap_matrix", "cast_floats", "resolve_dtype",
           "compiler_options",
           "status_codes", "pad_trials", "save_grid", "is_finite", "require_continuous", "Trajectories"]


def resolve_dtype(name: str):
    """``"float32"`` (default) or ``"float64"``. float64 needs JAX's x64 mode, which an
    implementation's ``recall`` switches on for its own call only
    (``with jax.enable_x64(True):`` does the same around a direct solver call)."""
    if name == "float32":
        return jnp.float32
    if name == "float64":
        if not jax.config.jax_enable_x64:
            raise UnsupportedError(
                "dtype='float64' outside JAX's x64 mode",
                "float64 runs inside `neuroam.recall`, an implementation's recall, or "
                "`with jax.enable_x64(True):`",
                "Recall through neuroam.recall (it scopes x64 to the run) or wrap the "
                "direct solver call in `with jax.enable_x64(True):`.")
        return jnp.float64
    raise ValueRangeError(f"dtype={name!r}", "'float32' or 'float64'", "Pick one of the two.")


def compiler_options(level: int) -> dict:
    """XLA compiler options for a program that compiles best at LLVM optimisation
    ``level`` (``jax.jit(..., compiler_options=...)``), unless the environment already
    chose one: an ``--xla_backend_optimization_level`` in ``XLA_FLAGS`` (read when the
    module defining the program is imported) wins, and then this returns ``{}``."""
    if "xla_backend_optimization_level" in os.environ.get("XLA_FLAGS", ""):
        return {}
    return {"xla_backend_optimization_level": int(level)}


def cast_floats(tree, dtype):
    """Cast every floating-point array leaf of ``tree`` to ``dtype``."""
    def f(a):
        if eqx.is_array(a) and jnp.issubdtype(a.dtype, jnp.floating):
            return device_array(a, dtype)
        return a
    return jax.tree_util.tree_map(f, tree)


def overlap_matrix(patterns, dtype=jnp.float32) -> jax.Array:
    """``(K, D)`` matrix M with overlap = M ĝ (binary: ξ/D; real: rows normalised)."""
    xi = np.asarray(patterns.xi, dtype=np.float64)
    if patterns.is_binary:
        return device_array(xi / xi.shape[1], dtype)
    norms = np.linalg.norm(xi, axis=1, keepdims=True)
    return device_array(xi / np.where(norms > 0, norms, 1.0), dtype)


@eqx.filter_jit
def _vector_field(problem, y, free):
    """:meth:`Problem.vector_field`, traced once per solve: a solver calls it at every stage
    (Tsit5: 7 times per step, plus the steady-state test and the saves), and inside one
    trace a jitted function with the same argument shapes reuses its traced (and batched)
    program instead of tracing the energy's gradient again. XLA inlines it: the compiled
    solve is the same, a first Tsit5 call ~10 % cheaper (benchmarks/bench_first_call.py)."""
    dx = problem.network.vector_field(problem.unravel(y))
    return problem.ravel(dx) * free


class Problem(eqx.Module):
    """One network in flattened coordinates y = ravel(x), with clamping and read-outs.

    The solvers see a single vector ``y`` of shape ``(n,)`` per trial; ``unravel``
    restores the per-layer dict.

    Overlaps are ``ov_scale ⊙ (ξ g)`` (divided by ‖g‖ for real-valued patterns), with ξ
    the stored patterns. When a synapse of the network multiplies the visible activations
    by exactly these patterns (its :meth:`~neuroam.models.synapses.Hypersynapse.pattern_matrix`),
    ``ov`` is ``None`` and ``ov_synapse`` names that synapse: the saved energy and the
    overlaps then take the same product ξ g, which XLA computes once.
    """

    network: eqx.Module
    ov: jax.Array | None  # (K, D) stored patterns, or None: the synapse ``ov_synapse`` holds them
    ov_scale: jax.Array  # (K,) 1/D (binary patterns) or 1/‖ξ^μ‖ (real-valued)
    binary: bool = eqx.field(static=True)
    layout: tuple[tuple[str, int], ...] = eqx.field(static=True)  # (layer, size) in ravel order
    D: int = eqx.field(static=True)
    n: int = eqx.field(static=True)
    ov_synapse: int | None = eqx.field(static=True, default=None)

    def unravel(self, y):
        out, start = {}, 0
        for name, size in self.layout:
            out[name] = y[start:start + size]
            start += size
        return out

    def ravel(self, xs):
        return jnp.concatenate([xs[name] for name, _ in self.layout])

    def vector_field(self, y, free):
        """dy/dt with clamped visible entries held fixed (``free`` = 1 − clamp, (n,))."""
        return _vector_field(self, y, free)

    def visible(self, y):
        xs = self.unravel(y)
        vis = self.network.visible
        return self.network.layers[vis].lagrangian.activation(xs[vis])

    def energy(self, y):
        return self.network.energy(self.unravel(y))

    def overlap_patterns(self) -> jax.Array:
        """The ``(K, D)`` stored patterns ξ the overlaps are taken with."""
        if self.ov_synapse is None:
            return self.ov
        return self.network.synapses[self.ov_synapse].pattern_matrix()

    def overlaps(self, g):
        o = (self.overlap_patterns() @ g) * self.ov_scale
        if not self.binary:
            o = o / jnp.maximum(jnp.linalg.norm(g), 1e-12)
        return o

    def save(self, y, save_states: bool) -> dict:
        """Reductions saved along a trajectory: energy ``()``, overlaps ``(K,)`` and, with
        ``save_states``, the visible activations ``(D,)``."""
        g = self.visible(y)
        out = {"energy": self.energy(y), "overlap": self.overlaps(g)}
        if save_states:
            out["state"] = g
        return out

    def drift_rms(self, y, free):
        """RMS of dy/dt over the ``(n,)`` entries (units 1/τ): the steady-state measure."""
        v = self.vector_field(y, free)
        return jnp.sqrt(jnp.mean(v * v))

    # -- the problem protocol of the batched driver (neuroam.dynamics.continuous) -----
    def start(self, trial: dict):
        """``(y0 (n,), free (n,), {})`` for one trial's ``{"cue": (D,), "clamp": (D,)}``."""
        return self.init(trial["cue"]), self.free_mask(trial["clamp"]), {}

    def drift(self, t, y, free):
        """dy/dt ``(n,)`` (1/τ); autonomous, so ``t`` is unused."""
        return self.vector_field(y, free)

    @staticmethod
    def rate(y, dy):
        """The steady-state measure: RMS of dy/dt over the ``(n,)`` entries (1/τ)."""
        return jnp.sqrt(jnp.mean(dy * dy))

    def record(self, t, y, free, save_states: bool) -> dict:
        """The reductions of :meth:`save` at one save time."""
        return self.save(y, save_states)

    def read(self, y):
        """The final read-out: the visible activations ``(D,)``."""
        return self.visible(y)

    def tau(self, dtype) -> jax.Array:
        """``(n,)`` time constant of every entry of ``y`` (model time units)."""
        return jnp.concatenate([jnp.full((size,), self.network.layers[name].tau, dtype)
                                for name, size in self.layout])

    def init(self, cue):
        return self.ravel(self.network.init_state(cue))

    def free_mask(self, clamp):
        """(n,) 1.0 where the entry may move: hidden layers always, visible unless clamped."""
        dtype = self.ov_scale.dtype
        parts = {name: jnp.ones((size,), dtype) for name, size in self.layout}
        parts[self.network.visible] = 1.0 - clamp.astype(dtype)
        return self.ravel(parts)


def make_problem(network, patterns, dtype) -> Problem:
    if network.D != patterns.D:
        raise ValueRangeError(f"a network with D={network.D}", f"D={patterns.D} as in the patterns",
                              "Bind the model to the same patterns you recall.")
    network = cast_floats(network, dtype)
    layout = tuple((name, layer.size) for name, layer in network.layers.items())
    xi = np.asarray(patterns.xi, dtype=np.float64)
    if patterns.is_binary:
        scale = np.full(xi.shape[0], 1.0 / xi.shape[1])
    else:
        norms = np.linalg.norm(xi, axis=1)
        scale = 1.0 / np.where(norms > 0, norms, 1.0)
    ov, ov_synapse = device_array(xi, dtype), None
    for i, syn in enumerate(network.synapses):
        m = syn.pattern_matrix()
        if m is not None and np.shape(m) == xi.shape and np.array_equal(np.asarray(m), np.asarray(ov)):
            ov, ov_synapse = None, i
            break
    return Problem(network, ov, device_array(scale, dtype), patterns.is_binary, layout,
                   network.D, sum(size for _, size in layout), ov_synapse)


def require_continuous(network, what: str):
    if not network.continuous:
        raise UnsupportedError(
            f"a network with a discontinuous (sign) activation for {what}",
            "continuous activations (tanh, softmax, identity, ...)",
            "Use a finite gain (tanh) for ODE/SDE recall, or the 'ideal-discrete' dynamics.")


def save_grid(t1: float, n_save: int, save_times, dtype) -> jax.Array:
    """Save times: ``n_save`` evenly spaced on [0, t1], or the validated ``save_times``."""
    if save_times is None:
        return device_array(np.linspace(0.0, t1, n_save), dtype)
    ts = np.asarray(save_times, dtype=np.float64).reshape(-1)
    if ts.size < 1 or not np.all(np.isfinite(ts)) or ts[0] < 0 or np.any(np.diff(ts) <= 0) \
            or ts[-1] > t1 * (1 + 1e-12):
        raise ValueRangeError(f"save_times={ts.tolist()[:6]}{'...' if ts.size > 6 else ''}",
                              f"strictly increasing times in [0, t1={t1}]",
                              "Give sorted save times no later than t1.")
    if ts[-1] < t1:
        ts = np.append(ts, t1)
    return device_array(ts, dtype)


def is_finite(y):
    """True when every entry is finite and below √(max float): beyond it the state has diverged.
    (One reduction: the max of |y| is NaN when an entry is, and NaN < bound is False.)"""
    bound = jnp.sqrt(jnp.finfo(y.dtype).max)
    return jnp.max(jnp.abs(y)) < bound


def status_codes(finite, converged):
    """int8 status per trial from 'all finite' and 'steady state reached' flags."""
    return jnp.where(~finite, Status.NON_FINITE, jnp.where(converged, Status.CONVERGED,
                                                           Status.MAX_STEPS)).astype(jnp.int8)


def pad_trials(arr: np.ndarray, size: int) -> np.ndarray:
    """Pad the leading (trial) axis to ``size`` by repeating the last row (fixed shapes: no retrace)."""
    if arr.shape[0] == size:
        return arr
    reps = np.repeat(arr[-1:], size - arr.shape[0], axis=0)
    return np.concatenate([arr, reps], axis=0)


@dataclasses.dataclass(frozen=True)
class Trajectories:
    """Host-side arrays a dynamics returns; see :class:`~neuroam.results.RecallResult`."""

    times: np.ndarray
    states: np.ndarray | None
    energies: np.ndarray
    overlaps: np.ndarray
    final: np.ndarray
    status: np.ndarray
    converge_time: np.ndarray
    n_steps: np.ndarray | None = None
