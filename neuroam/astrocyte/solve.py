"""Batched ODE and SDE solves of the neuron–astrocyte network, through the shared driver
:mod:`neuroam.dynamics.continuous`.

This module supplies what is specific to the network: the problem
(:class:`AstrocyteProblem`: start, drift, noise amplitude, saved read-outs) and the static
method (:class:`SolveConfig`: solver, controller, noise term). Batching (the last batch
padded, so a sweep never recompiles for a ragged batch), saving, the steady-state stop,
status and converge times are the driver's. Numbers (β, τ, c, noise, tolerances, dt, the
start) are traced arrays: changing them reuses the compiled solve (``TRACES`` counts
traces, keys ``"astrocyte-ode"`` and ``"astrocyte-sde"``).

Noise (``temperature > 0``) makes it an SDE, dy = f(y) dt + √(2T/τ_y) dW on every entry
of the populations named in ``noise_on`` (x, S and/or P), integrated with fixed steps (Euler–Maruyama or Heun) on a
``UnsafeBrownianPath``: one fresh Gaussian draw per step and entry instead of a
Brownian tree over N + 2N² entries, valid because fixed steps never revisit a time.
Each trial draws its own path from ``seed``; the same seed gives the same paths.
"""

from __future__ import annotations

import dataclasses
from typing import ClassVar

import diffrax
import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from ..dynamics.common import Trajectories, overlap_matrix, resolve_dtype, save_grid
from ..dynamics.continuous import integrate, run_spec, step_controller
from ..errors import UnsupportedError, ValueRangeError
from .network import INIT_MODES, AstrocyteNetwork, relative_rate
from .params import AstrocyteParams

__all__ = ["SolveConfig", "AstrocyteProblem", "solve_astrocyte", "SOLVERS", "SDE_SOLVERS",
           "NOISE_TARGETS", "SUMMARY_NAMES", "auto_batch_size"]

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

    #: one run per call: the driver skips the run axis
    batches_runs: ClassVar[bool] = False

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

    # -- the method the batched driver calls (inside the compiled body) -------------
    @property
    def trace_key(self) -> str:
        return "astrocyte-sde" if self.noisy else "astrocyte-ode"

    def make_solver(self, problem, dtype):
        return SOLVERS[self.solver]()

    def controller(self, nums):
        return step_controller(self.adaptive, nums)

    def dt0(self, nums):
        return nums["dt0"]

    def terms(self, problem, nums, trial, t0, t1):
        drift = diffrax.ODETerm(problem.drift)
        if not self.noisy:
            return drift
        N, dtype = problem.network.N, trial["cue"].dtype
        shape = (jax.ShapeDtypeStruct((N,), dtype), jax.ShapeDtypeStruct((N, N), dtype),
                 jax.ShapeDtypeStruct((N, N), dtype))  # (x, S, P)
        bm = diffrax.UnsafeBrownianPath(shape=shape, key=jax.random.wrap_key_data(trial["key"]))
        amp = problem.network.noise_amplitude(nums["temperature"], trial["free"], nums["noise_mask"])
        return diffrax.MultiTerm(drift, _DiagonalNoise(amp, bm))

    def steady_threshold(self, problem, nums, y, free):
        """Steady once max_k |dy_k/dt| / (1 + |y_k|) < ``steady_tol`` (1/τ)."""
        return nums["steady_tol"]


def _readouts(net: AstrocyteNetwork, ov, y, save_states: bool):
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
    }
    if save_states:
        out["state"] = h
    return out


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


#: the start of each init mode as a multiple of the cue-consistent (S₀, P₀): "flipped"
#: negates ψ₀, hence g₀ = −c T[ψ₀] (T is linear) and both atanh's (odd); "zero" has none
_INIT_FACTORS = {"cue-consistent": 1.0, "zero": 0.0, "flipped": -1.0}


class AstrocyteProblem(eqx.Module):
    """The neuron–astrocyte network as a problem of the batched driver; one trial's state
    is ``(x (N,), S (N, N), P (N, N))``, its ``args`` the free mask ``(N,)`` of the neurons.

    Attributes:
        network: the bound :class:`AstrocyteNetwork`.
        ov: ``(K, N)`` overlap matrix of the stored patterns (read-out).
        init_factor: ``()`` the start's (S₀, P₀) as a multiple of the cue-consistent one
            (1 cue-consistent, −1 flipped, 0 zero): a number, so changing the start does
            not recompile.
    """

    network: AstrocyteNetwork
    ov: jax.Array
    init_factor: jax.Array

    def start(self, trial):
        """``((x0, S0, P0), free (N,), {"init_clipped": ()})`` from ``{"cue": (N,),
        "free": (N,)}``: the cue written into x (see :meth:`AstrocyteNetwork.init`)."""
        (x0, S0, P0), clipped = self.network.init(trial["cue"], "cue-consistent")
        f = self.init_factor
        return (x0, f * S0, f * P0), trial["free"], {"init_clipped": jnp.abs(f) * clipped}

    def drift(self, t, y, free):
        """d(x, S, P)/dt (1/τ); clamped neurons (``free`` 0) never move."""
        return self.network.vector_field(y, free)

    @staticmethod
    def rate(y, dy):
        """max_k |dy_k/dt| / (1 + |y_k|) over x, S and P (1/τ): the steady-state measure."""
        return relative_rate(y, dy)

    def record(self, t, y, free, save_states: bool) -> dict:
        """Energy, overlaps ``(K,)``, the :data:`SUMMARY_NAMES` ``()`` but the rate (the
        driver saves :meth:`rate`) and, with ``save_states``, the neuron activations h
        ``(N,)``."""
        return _readouts(self.network, self.ov, y, save_states)

    def read(self, y):
        """The final neuron activations h = tanh(βx) ``(N,)``."""
        return self.network.visible(y)


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
    trials = {"cue": np.asarray(states, np.dtype(dtp)),
              "free": np.asarray(1.0 - clamp, np.dtype(dtp))}
    numbers = {"dt0": dt, "rtol": rtol, "atol": atol, "steady_tol": steady_tol}
    if config.noisy:  # no steady state under noise: a path that reaches t1 has converged
        numbers.update(temperature=temperature, noise_mask=mask, horizon=1.0)
    problem = AstrocyteProblem(net, ov, jnp.asarray(_INIT_FACTORS[config.init], dtp))
    # the start is a number of the problem: changing `init` does not recompile the solve
    method = dataclasses.replace(config, init=INIT_MODES[0])
    out = integrate([run_spec(problem, trials, ts=ts, numbers=numbers, method=method, dtype=dtp,
                              batch_size=B, seed=seed if config.noisy else None)])[0]
    saved = out.saved
    traj = Trajectories(times=np.asarray(ts), states=saved.get("state"), energies=saved["energy"],
                        overlaps=saved["overlap"], final=out.final, status=out.status,
                        converge_time=out.converge_time, n_steps=out.n_steps)
    summaries = {name: saved[name] for name in SUMMARY_NAMES if name != "rate"}
    summaries["rate"] = out.rate  # the driver's saved steady-state rate
    summaries["init_clipped"] = out.extras["init_clipped"]
    return traj, summaries
