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

**When a trial has settled under read noise.** Read noise is redrawn at every read, so
a neuron whose field is within the noise of zero flips at random for ever, and "a sweep
flips nothing" may never hold. A flip is *real* when the field that caused it is
larger than ``noise_margin`` times σ, the standard deviation of that read's noise
(:mod:`.read`: line, output and reference noise and the ADC rounding they dither,
summed over tiles; for the bipartite form σ is the transposed read's alone — the
forward read's noise, passed through the memory activation, is not counted, so the rule
errs on the side of running on); other flips are the noise's. A sync or async sweep without a real flip has *settled* the
trial within the noise: the trial stops there, CONVERGED, and that sweep is not applied
(its flips were noise: the final state is the one before it, as a sweep that flips
nothing confirms a stopped trial); a trial that still flips real neurons after
``max_steps`` sweeps is MAX_STEPS. ``noise_margin = 0`` counts every flip (a flip needs
a non-zero field), the rule of ideal sign dynamics; without noise (σ = 0) every margin
gives it. ODE steps stop while RMS(dx/dt) < ``steady_tol`` (that step is not applied
either). Sweeps are iterated and recorded by :func:`~neuroam.dynamics.maps.record_map`,
the recorder of every iterated map: ``converge_time`` is the sweeps (steps × dt) applied
before the settling sweep, ``n_steps`` the sweeps evaluated.
"""

from __future__ import annotations

import dataclasses

import equinox as eqx
import jax
import jax.numpy as jnp

from ..dynamics.common import TRACES, compiler_options
from ..dynamics.maps import over_runs_and_trials, record_map
from ..errors import ShapeError
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
    (τ), ``dt`` (τ), ``steady_tol`` (1/τ) and ``noise_margin`` (σ of the read noise),
    each (draw,)."""

    bias: jax.Array
    energy_syn: eqx.Module
    hidden: eqx.Module | None  # memory-layer Lagrangian (bipartite)
    visible: eqx.Module  # visible Lagrangian (ode)
    tau: jax.Array
    dt: jax.Array
    steady_tol: jax.Array
    noise_margin: jax.Array


def _sign_update(h, sigma, free):
    new = jnp.where(h > 0, 1.0, jnp.where(h < 0, -1.0, sigma)).astype(sigma.dtype)
    return jnp.where(free > 0, new, sigma)


def _field(cfg, d, p, st, g, key):
    """The visible field of a full read and its noise σ (the last read's: see the module)."""
    k1, k2 = jax.random.split(key)
    binary = cfg.dynamics != "ode"  # sign states: every input is ±1
    y, sd = rd.forward(d, p, g, k1, binary=binary)
    if cfg.form == "weights":
        return y + st.bias, sd
    return rd.transposed(d, p, st.hidden.activation(y + st.bias), k2)


def _field_one(cfg, d, p, st, g, i, key):
    k1, k2 = jax.random.split(key)
    if cfg.form == "weights":
        y, sd = rd.forward_one(d, p, g, i, k1, binary=True)
        return y + st.bias[i], sd
    y, _ = rd.forward(d, p, g, k1, binary=True)
    return rd.transposed_one(d, p, st.hidden.activation(y + st.bias), i, k2)


def _real(new, old, h, sd, margin):
    """Flips that the read noise does not explain: |h| above ``margin`` σ."""
    return (new != old) & (jnp.abs(h) > margin * sd)


def _step(cfg, d, p, st, x, free, key):
    """One sweep/step of one trial: (new internal state, changes): flips beyond the noise
    (sync, async), or 1 while RMS(dx/dt) ≥ steady_tol (ode)."""
    if cfg.dynamics == "sync":
        h, sd = _field(cfg, d, p, st, x, key)
        new = _sign_update(h, x, free)
        return new, jnp.sum(_real(new, x, h, sd, st.noise_margin), dtype=jnp.int32)
    if cfg.dynamics == "async":
        D = x.shape[0]
        korder, kread = jax.random.split(key)
        order = jax.random.permutation(korder, D)

        def body(k, carry):
            sigma, n = carry
            i = order[k]
            h, sd = _field_one(cfg, d, p, st, sigma, i, jax.random.fold_in(kread, k))
            new = _sign_update(h, sigma[i], free[i])
            return sigma.at[i].set(new), n + _real(new, sigma[i], h, sd, st.noise_margin)

        return jax.lax.fori_loop(0, D, body, (x, jnp.int32(0)))
    dx = (_field(cfg, d, p, st, st.visible.activation(x), key)[0] - x) / st.tau * free
    moving = jnp.sqrt(jnp.mean(dx * dx)) >= st.steady_tol
    return x + st.dt * dx, moving.astype(jnp.int32)


def _lockstep(cfg, per, draws, st, ov, x0, free, keys, active):
    """Every lane (draw × trial) of a group in one :func:`~neuroam.dynamics.maps.record_map`
    loop with one step counter.

    Leaves of ``draws``, ``st`` and ``ov`` have a leading draw axis m; ``x0``, ``free``
    ``(m, T, D)``, ``keys`` ``(m, T)``, ``active`` ``(m,)``. Each lane steps until a step
    changes nothing (or ``max_steps``), exactly as if it looped alone — its step ``s``
    draws from ``fold_in(key, s)`` — and the loop ends when no lane moves. Inactive draws
    (padding) take no step.
    """
    ode = cfg.dynamics == "ode"
    run = (draws, st, ov)

    def visible(x):
        if not ode:
            return x
        return over_runs_and_trials(lambda r, x: r[1].visible.activation(x))(run, x)

    def save(x):  # (m, T, ...) records of the visible states
        def one(r, g):
            out = {"energy": r[1].energy_syn.energy(g), "overlap": r[2] @ g}
            if cfg.save_states:
                out["state"] = g
            return out
        return over_runs_and_trials(one)(run, visible(x))

    def step(x, s):
        def one(r, trial, x):
            f, k = trial
            return _step(cfg, r[0], per, r[1], x, f, jax.random.fold_in(k, s))
        return over_runs_and_trials(one)(run, (free, keys), x)

    finite = (lambda x: jnp.all(jnp.isfinite(x), axis=-1)) if ode else None
    lanes = jnp.broadcast_to(active[:, None], x0.shape[:2])
    buf, x, status, it, steps = record_map(step, save, x0, cfg.max_steps, x0.dtype,
                                           finite=finite, active=lanes)
    t = it * (st.dt[:, None] if ode else 1.0)
    return buf, visible(x), status, t, steps


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
#: (an optimisation level in XLA_FLAGS wins: the test suite compiles everything at 0)
COMPILER_OPTIONS = compiler_options(1)

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
