"""Batched ODE and SDE solves of the neuron–astrocyte network with Diffrax.

Trials are vmapped inside one compiled solve per batch; the last batch is padded so a
sweep never recompiles for a ragged batch. Numbers (β, τ, c, noise, tolerances, dt) are
traced arrays: changing them reuses the compiled solve (``TRACES`` counts traces).

Noise (``temperature > 0``) makes it an SDE, dy = f(y) dt + √(2T/τ_y) dW on every entry
of the populations named in ``noise_on`` (x, S and/or P), integrated with fixed steps (Euler–Maruyama or Heun) on a
``UnsafeBrownianPath``: one fresh Gaussian draw per step and entry instead of a
Brownian tree over N + 2N² entries, valid because fixed steps never revisit a time.
Each trial draws its own path from ``seed``; the same seed gives the same paths.
"""

from __future__ import annotations

import dataclasses

import diffrax
import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from ..dynamics.common import (TRACES, Trajectories, is_finite, overlap_matrix, pad_trials,
                               resolve_dtype, save_grid, status_codes)
from ..errors import UnsupportedError, ValueRangeError
from .network import INIT_MODES, AstrocyteNetwork
from .params import AstrocyteParams

__all__ = ["SolveConfig", "solve_astrocyte", "SOLVERS", "SDE_SOLVERS", "NOISE_TARGETS",
           "SUMMARY_NAMES", "auto_batch_size"]

SOLVERS = {
    "euler": diffrax.Euler,
    "heun": diffrax.Heun,
    "bosh3": diffrax.Bosh3,
    "tsit5": diffrax.Tsit5,
    "dopri5": diffrax.Dopri5,
}
#: solvers that take the fixed-step noise (additive, Itô = Stratonovich)
SDE_SOLVERS = ("euler", "heun")
#: populations that can receive noise
NOISE_TARGETS = ("neurons", "synapses", "processes")

#: per-trial, per-saved-time read-outs besides states, energy and overlaps:
#: name -> (units, description)
SUMMARY_NAMES = {
    "norm_S": ("1", "RMS synapse state ‖S‖_F / N"),
    "norm_P": ("1", "RMS process state ‖P‖_F / N"),
    "norm_g": ("1", "RMS synapse activation ‖g‖_F / N"),
    "norm_psi": ("1", "RMS process activation ‖ψ‖_F / N"),
    "energy_process": ("1", "process–process energy −(c/2) Σ_μ (ξ^μᵀψξ^μ)²"),
    "energy_dense4": ("1", "the same term on the rank-one ψ = hhᵀ: −(c/2) Σ_μ (ξ^μ·h)⁴"),
    "psi_rank_one": ("1", "cosine between ψ and hhᵀ (±1: ψ is the neurons' outer product)"),
    "drive_alignment": ("1", "cosine between the neuron input g h and the quartic DenseAM "
                             "current Σ_μ ξ^μ (ξ^μ·h)³"),
    "rate": ("1/tau", "steady-state criterion max_k |dy_k/dt| / (1 + |y_k|) over x, S and P"),
}


@dataclasses.dataclass(frozen=True)
class SolveConfig:
    """Static choices (changing them recompiles); numbers are passed separately."""

    solver: str = "tsit5"
    adaptive: bool = True
    n_save: int = 41
    save_states: bool = True
    steady_stop: bool = False
    max_steps: int = 20_000
    init: str = "cue-consistent"
    noisy: bool = False

    def __post_init__(self):
        if self.solver not in SOLVERS:
            raise ValueRangeError(f"solver={self.solver!r}", f"one of {sorted(SOLVERS)}",
                                  "Tsit5 (adaptive) or Euler with dt = 0.05 (the tutorial's).")
        if self.init not in INIT_MODES:
            raise ValueRangeError(f"init={self.init!r}", f"one of {list(INIT_MODES)}",
                                  "Use 'cue-consistent' (the tutorial's start).")
        if self.n_save < 2:
            raise ValueRangeError(f"n_save={self.n_save}", "n_save ≥ 2", "Save at least t0 and t1.")
        if self.max_steps < 1:
            raise ValueRangeError(f"max_steps={self.max_steps}", "max_steps ≥ 1",
                                  "Allow some steps.")
        if self.noisy and (self.adaptive or self.solver not in SDE_SOLVERS):
            raise UnsupportedError(
                f"noise with solver={self.solver!r}, adaptive={self.adaptive}",
                f"a fixed-step solver among {list(SDE_SOLVERS)} (adaptive=False) for the SDE",
                "Set solver = \"euler\" (Euler–Maruyama) or \"heun\" and adaptive = false, "
                "with a step dt (the tutorial's is 0.05 τ).")


def _readouts(net: AstrocyteNetwork, ov, y, free, save_states: bool):
    x, S, P = y
    b = net.beta
    h, g, psi = jnp.tanh(b * x), jnp.tanh(b * S), jnp.tanh(b * P)
    N = net.N
    scores = net.xi @ h
    quartic = net.xi.T @ (scores**3)
    drive = g @ h
    hh = jnp.outer(h, h)
    tiny = jnp.asarray(1e-30, x.dtype)
    out = {
        "energy": net.energy(y),
        "overlap": ov @ h,
        "norm_S": jnp.linalg.norm(S) / N,
        "norm_P": jnp.linalg.norm(P) / N,
        "norm_g": jnp.linalg.norm(g) / N,
        "norm_psi": jnp.linalg.norm(psi) / N,
        "energy_process": net.process_energy(psi),
        "energy_dense4": -0.5 * net.scale * jnp.sum(scores**4),
        "psi_rank_one": jnp.sum(psi * hh)
        / jnp.maximum(jnp.linalg.norm(psi) * jnp.sum(h * h), tiny),
        "drive_alignment": jnp.vdot(drive, quartic)
        / jnp.maximum(jnp.linalg.norm(drive) * jnp.linalg.norm(quartic), tiny),
        "rate": net.relative_rate(y, free),
    }
    if save_states:
        out["state"] = h
    return out


def _finite(state):
    return jnp.all(jnp.stack([is_finite(v) for v in state]))


class _DiagonalNoise(diffrax.AbstractTerm):
    """Additive diagonal noise on a pytree state: amplitude ⊙ dW, leaf by leaf."""

    amplitude: tuple
    control: diffrax.AbstractPath

    def vf(self, t, y, args):
        return self.amplitude

    def contr(self, t0, t1, **kwargs):
        return self.control.evaluate(t0, t1, **kwargs)

    def prod(self, vf, control):
        return jax.tree_util.tree_map(lambda a, w: a * w, vf, control)


@eqx.filter_jit
def _init_batch(net: AstrocyteNetwork, cue, mode: str):
    return jax.vmap(lambda c: net.init(c, mode))(cue)


def _solve_batch(net, ov, y0, free, keys, ts, dt0, rtol, atol, steady_tol, temperature,
                 noise_mask, cfg: SolveConfig):
    TRACES["astrocyte-sde" if cfg.noisy else "astrocyte-ode"] += 1
    solver = SOLVERS[cfg.solver]()
    t1 = ts[-1]
    t0 = jnp.zeros((), t1.dtype)
    drift = diffrax.ODETerm(lambda t, y, args: net.vector_field(y, args))
    saveat = diffrax.SaveAt(subs=[
        diffrax.SubSaveAt(ts=ts, fn=lambda t, y, args: _readouts(net, ov, y, args,
                                                                  cfg.save_states)),
        diffrax.SubSaveAt(t1=True)])
    event = None
    if cfg.steady_stop:
        event = diffrax.Event(lambda t, y, args, **kw: net.relative_rate(y, args) < steady_tol)
    if cfg.adaptive:
        controller = diffrax.PIDController(rtol=rtol, atol=atol)
    else:
        controller = diffrax.ConstantStepSize()

    def one(y0, free_i, key):
        if cfg.noisy:
            shape = jax.tree_util.tree_map(lambda a: jax.ShapeDtypeStruct(a.shape, a.dtype), y0)
            bm = diffrax.UnsafeBrownianPath(shape=shape, key=key)
            terms = diffrax.MultiTerm(drift, _DiagonalNoise(
                net.noise_amplitude(temperature, free_i, noise_mask), bm))
        else:
            terms = drift
        sol = diffrax.diffeqsolve(terms, solver, t0, t1, dt0, y0, args=free_i, saveat=saveat,
                                  stepsize_controller=controller, event=event,
                                  max_steps=cfg.max_steps, throw=False,
                                  adjoint=diffrax.ForwardMode() if cfg.noisy
                                  else diffrax.RecursiveCheckpointAdjoint())
        saved = sol.ys[0]
        tf = sol.ts[1][-1]
        yf = jax.tree_util.tree_map(lambda a: a[-1], sol.ys[1])
        finite = _finite(yf)
        if cfg.noisy:
            # no steady state under noise: a finite path that reached t1 (or the drift-only
            # steady criterion) counts as converged; running out of steps does not
            reached = ((sol.result == diffrax.RESULTS.successful)
                       | (sol.result == diffrax.RESULTS.event_occurred)) & finite
        else:
            reached = (net.relative_rate(yf, free_i) < steady_tol) & finite
            if cfg.steady_stop:
                reached = (reached | jnp.asarray(sol.event_mask)) & finite
        saved = jax.tree_util.tree_map(lambda a: jnp.where(jnp.isinf(a), jnp.nan, a), saved)
        # steady from the first save after which the criterion holds (NaN saves, unwritten
        # after an early stop, count as steady), and no later than the stop time
        ok = ~(saved["rate"] >= steady_tol)
        after = jnp.flip(jnp.cumprod(jnp.flip(ok).astype(jnp.int32))).astype(bool)
        first = jnp.where(jnp.any(after), ts[jnp.argmax(after)], tf)
        ctime = jnp.where(reached, jnp.minimum(first, tf), jnp.nan)
        return (saved, net.visible(yf), status_codes(finite, reached), ctime,
                sol.stats["num_steps"])

    return jax.vmap(one)(y0, free, keys)


_solve_batch_jit = eqx.filter_jit(_solve_batch)


def auto_batch_size(N: int, n_trials: int, *, budget_bytes: float = 8e6,
                    itemsize: int = 4) -> int:
    """Trials per compiled batch so that one copy of the batch's state (N + 2N² numbers
    per trial) stays near ``budget_bytes``.

    The vector field streams the whole batch through memory several times per
    evaluation; on CPU, batches that fall out of cache cost up to 3× more per trial
    (measured at N = 1000: 4.9 ms per trial with 2 trials per batch, 16 ms with 10).
    Pass ``batch_size`` explicitly on accelerators, where large batches pay.
    """
    per_trial = (N + 2 * N * N) * itemsize
    return int(max(1, min(n_trials, budget_bytes // per_trial)))


def solve_astrocyte(params: AstrocyteParams, patterns, cues, *, t1: float | None = None,
                    dt: float | None = None, rtol: float = 1e-4, atol: float = 1e-6,
                    steady_tol: float = 1e-3, temperature: float | None = None,
                    noise_on=NOISE_TARGETS, seed: int = 0,
                    dtype: str = "float32", batch_size: int | None = None, save_times=None,
                    config: SolveConfig = SolveConfig()) -> tuple[Trajectories, dict]:
    """Recall every cue of ``cues`` with the neuron–astrocyte network storing ``patterns``.

    Args:
        params: gains, time constants, coupling exponent and noise (:class:`AstrocyteParams`).
        patterns: binary :class:`~neuroam.patterns.PatternSet` ``(K, N)``.
        cues: :class:`~neuroam.cues.CueSet` ``(T, N)``; the cue is written into x;
            clamped neurons never move.
        t1: horizon (τ); default ``params.t1``.
        dt: fixed step, or the first step of an adaptive solver (τ); default ``params.dt``.
        rtol, atol: PID tolerances (adaptive solvers).
        steady_tol: a trial is steady when max_k |dy_k/dt|/(1 + |y_k|) < steady_tol (1/τ).
        temperature: noise T ≥ 0; default ``params.temperature``. T > 0 needs a fixed-step
            ``euler``/``heun`` config (``noisy`` is set from T).
        noise_on: which populations get the noise, among "neurons", "synapses",
            "processes" (default all three). The DenseAM signal reaches a neuron through
            N synaptic entries of size O(1/N) each, so synaptic and process noise
            matter far more than neuron noise (T ≳ 1/(β²N) there already erases recall).
        seed: Brownian paths (one per trial) are drawn from it.
        dtype: "float32" or "float64".
        batch_size: trials per compiled batch; None picks a cache-sized one
            (:func:`auto_batch_size`).
        save_times: optional increasing save times in [0, t1] (τ).

    Returns:
        ``(Trajectories, summaries)``: the common trajectories (states are the neuron
        activations h) and ``summaries``: name -> ``(T, S)`` array for each name in
        :data:`SUMMARY_NAMES`, plus ``"init_clipped"`` ``(T,)``, the fraction of the
        start's atanh arguments that had to be clipped.
    """
    if not patterns.is_binary:
        raise UnsupportedError(f"real-valued patterns {patterns.name!r}", "binary ±1 patterns",
                               "The neuron–astrocyte tensor T is built from ±1 patterns.")
    cues.check_against(patterns)
    t1 = params.t1 if t1 is None else float(t1)
    dt = params.dt if dt is None else float(dt)
    temperature = params.temperature if temperature is None else float(temperature)
    positive = {"t1": t1, "dt": dt, "rtol": rtol, "atol": atol, "steady_tol": steady_tol}
    for name, v in positive.items():
        if not (np.isfinite(v) and v > 0):
            raise ValueRangeError(f"{name}={v}", f"{name} > 0", f"Pass a positive {name}.")
    if not (np.isfinite(temperature) and temperature >= 0):
        raise ValueRangeError(f"temperature={temperature}", "temperature ≥ 0",
                              "Use 0 for no noise.")
    unknown = sorted(set(noise_on) - set(NOISE_TARGETS))
    if unknown:
        raise ValueRangeError(f"noise_on={list(noise_on)}", f"a subset of {list(NOISE_TARGETS)}",
                              "Name the populations that receive noise.")
    mask = [float(p in noise_on) for p in NOISE_TARGETS]
    config = dataclasses.replace(config, noisy=temperature > 0 and any(mask))
    if not config.adaptive and t1 / dt > config.max_steps:
        raise ValueRangeError(f"t1/dt = {t1 / dt:.0f} steps",
                              f"at most max_steps={config.max_steps}",
                              "Raise max_steps, shorten t1 or enlarge dt.")
    dtp = resolve_dtype(dtype)
    ts = save_grid(t1, config.n_save, save_times, dtp)
    config = dataclasses.replace(config, n_save=int(ts.shape[0]))
    net = AstrocyteNetwork(patterns.xi, params, dtp)
    ov = overlap_matrix(patterns, dtp)

    T, N = cues.n_trials, patterns.D
    B = auto_batch_size(N, T, itemsize=jnp.dtype(dtp).itemsize) if batch_size is None \
        else max(1, min(int(batch_size), T))
    states = np.asarray(cues.states)
    clamp = np.zeros_like(states, dtype=bool) if cues.clamp is None else np.asarray(cues.clamp)
    all_keys = jax.random.split(jax.random.key(seed), T)
    numbers = [jnp.asarray(v, dtp) for v in (dt, rtol, atol, steady_tol, temperature, mask)]
    # the start is built outside the compiled solve: changing `init` does not recompile it
    solve_cfg = dataclasses.replace(config, init=INIT_MODES[0])
    parts = []
    for s in range(0, T, B):
        idx = np.minimum(np.arange(s, s + B), T - 1)
        cue_b = jnp.asarray(pad_trials(states[s:s + B], B), dtp)
        free_b = jnp.asarray(1.0 - pad_trials(clamp[s:s + B], B), dtp)
        y0, clipped = _init_batch(net, cue_b, config.init)
        out = (*_solve_batch_jit(net, ov, y0, free_b, all_keys[idx], ts, *numbers, solve_cfg),
               clipped)
        n = min(B, T - s)
        parts.append(jax.tree_util.tree_map(lambda a: np.asarray(a)[:n], out))
    saved, final, status, ctime, steps, clipped = (
        jax.tree_util.tree_map(lambda *a: np.concatenate(a, axis=0), *[p[i] for p in parts])
        for i in range(6))
    traj = Trajectories(times=np.asarray(ts), states=saved.get("state"), energies=saved["energy"],
                        overlaps=saved["overlap"], final=final, status=status,
                        converge_time=ctime, n_steps=steps)
    summaries = {name: saved[name] for name in SUMMARY_NAMES}
    summaries["init_clipped"] = clipped
    return traj, summaries
