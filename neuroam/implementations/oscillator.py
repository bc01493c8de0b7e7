"""``oscillator``: Kuramoto phase oscillators with pairwise and quartic (dense) coupling.

The model is lifted to phase couplings (:func:`neuroam.oscillator.lift`), the chip's
non-idealities come from an oscillator card (``devices/oscillator-*.toml``) with optional
overrides, and the phases evolve by the gradient flow of the oscillator energy (ODE) or
with phase noise (SDE) on Diffrax. Time is in τ = 1/coupling rate of the card
(``attrs["tau_s"]`` seconds).

Read-out (see :mod:`neuroam.oscillator.encoding`): ``states`` and ``final`` are
cos(θ − θ_ref) with the injection frame as reference (θ_ref = 0), which the metrics read
as ±1; ``overlaps`` are Re z_μ; ``energies`` the oscillator energy (coupling + injection).
Extras: ``phase`` (trial, time, neuron) rad, ``phase_overlap`` |z_μ| (trial, time,
pattern), ``final_phase`` (trial, neuron) rad, ``natural_frequency`` (neuron) rad/τ,
``phase_speed`` RMS dθ/dt (trial, time) rad/τ, ``escape_time`` (trial) τ, ``n_steps`` (trial).
From ``phase_overlap`` the run summary gets ``stationary_overlap``, the mean |z_target| over
the last half of the saved times (the order parameter of a noisy run;
:func:`neuroam.metrics.summary.stationary_overlap`).

``method = "sde"`` with zero noise is a fixed-step solve (Euler, Heun, ...); its status and
convergence time come from the saved drift (see :func:`neuroam.oscillator.solve_phases`).
Running every label of a sweep on the same fixed-step solver and the same shapes lets
them share one compilation.

Cost: energy = oscillator power (the card's ``power``) × N × time to phase lock; the lock
time per trial (τ × τ_s) is the earlier of its settle time (the read-out stops changing,
:func:`neuroam.metrics.settle_time`) and ``converge_time``, t1 if neither is defined; see
:func:`neuroam.costs.oscillator.oscillator_cost`. Cards without ``power`` get no estimate.
"""

from __future__ import annotations

import math
import time
from typing import Literal

import numpy as np
from pydantic import Field

from ..costs.oscillator import oscillator_cost
from ..dynamics.common import resolve_dtype, save_grid
from ..dynamics.ode import ODE_SOLVERS
from ..dynamics.sde import SDE_SOLVERS
from ..errors import UnsupportedError, ValueRangeError
from ..oscillator.lift import unsupported
from ..oscillator import (PAIRWISE_RULES, Hardware, PhaseConfig, build_dynamics, cue_phases,
                          escape_times, lift, pattern_bucket, solve_phases, wrap)
from ..results import Extra, RecallResult
from ._assemble import with_cost
from .base import Implementation, SettingsBase

__all__ = ["Oscillator"]

_SOLVERS = tuple(sorted(set(ODE_SOLVERS) | set(SDE_SOLVERS)))


class OscillatorSettings(SettingsBase):
    """Settings of ``oscillator``. Times in τ = 1/coupling rate; strengths in rad/τ."""

    device: str = Field("oscillator-ideal", description="oscillator card: a name in devices/ or "
                        "a path", json_schema_extra={"card": "device", "kind": "oscillator"})
    pairwise: float | None = Field(None, ge=0, description="pairwise strength λ_2; None: the model's")
    quartic: float | None = Field(None, ge=0, description="quartic strength λ_4; None: the model's")
    rule: Literal[PAIRWISE_RULES] = Field("model", description="pairwise coupling rule")  # type: ignore[valid-type]
    injection: float = Field(0.0, ge=0, description="second-harmonic injection K_s (rad/τ)")
    injection_ramp: float = Field(0.0, ge=0, description="linear ramp of K_s from 0 (τ); 0: constant")
    detuning: float | None = Field(None, ge=0, description="natural-frequency std σ_ω (rad/τ); None: card")
    noise: float | None = Field(None, ge=0, description="phase diffusion D (rad²/τ); None: card")
    coupling_spread: float | None = Field(None, ge=0, description="relative coupling spread; None: card")
    misalignment: float | None = Field(None, ge=-math.pi / 2, le=math.pi / 2,
                                       description="coupling phase lag α (rad); None: card")
    squeeze: float = Field(0.3, ge=0, lt=math.pi / 2, description="cue phases δ and π−δ (rad)")
    init_jitter: float = Field(0.0, ge=0, description="std of a random start-up phase error (rad)")
    start: Literal["cue", "target"] = Field("cue", description="cue: recall from the cues; target: "
                                            "start at the cued pattern itself (retention/escape test)")
    pad_patterns: bool = Field(True, description="round K up to a power of two with zero patterns "
                               "(no effect on the dynamics) so that K sweeps share compilations")
    method: Literal["auto", "ode", "sde"] = Field("auto", description="auto: SDE when noise > 0; "
                                                  "'sde' with noise 0 is a fixed-step solve")
    solver: Literal[_SOLVERS] | None = Field(  # type: ignore[valid-type]
        None, description="ODE: tsit5 (default), dopri5, ...; SDE/fixed step: shark (default), sra1, euler, heun")
    t1: float = Field(50.0, gt=0, description="time horizon (τ)")
    dt: float | None = Field(None, gt=0, description="SDE step / ODE initial step (τ); SDE default 0.05")
    n_save: int = Field(50, ge=2)
    save_times: list[float] | None = Field(None, description="explicit save times (τ) in [0, t1]")
    save_states: bool = True
    adaptive: bool = Field(True, description="ODE: PID step-size control (else fixed dt)")
    rtol: float = Field(1e-5, gt=0, lt=1)
    atol: float = Field(1e-7, gt=0)
    steady_tol: float = Field(1e-4, gt=0, description="ODE: stop when RMS(dθ/dt) < this (rad/τ)")
    steady_stop: bool = True
    max_steps: int = Field(100_000, ge=1)
    dtype: Literal["float32", "float64"] = "float32"
    batch_size: int = Field(1024, ge=1)
    retrieved_level: float = Field(0.8, gt=0, le=1, description="|z_target| that counts as retrieved")
    escape_level: float = Field(0.4, gt=0, lt=1, description="|z_target| below which a retrieved trial has escaped")


class Oscillator(Implementation):
    """Kuramoto oscillators: dθ/dt = ω − ∂E/∂θ (+ misalignment, injection, phase noise)."""

    name = "oscillator"
    description = ("Kuramoto phase oscillators with pairwise and quartic (dense) coupling, "
                   "second-harmonic injection, detuning, phase noise (Diffrax ODE/SDE)")
    Settings = OscillatorSettings
    thread_safe = True

    def supports(self, model, settings=None):
        return unsupported(model.structure)

    def recall(self, model, patterns, cues, settings, *, seed=0):
        s = settings
        cues.check_against(patterns)
        plan = lift(model, patterns, pairwise=s.pairwise, quartic=s.quartic, rule=s.rule)
        hw = Hardware.from_card(s.device, detuning=s.detuning, noise=s.noise,
                                spread=s.coupling_spread, misalignment=s.misalignment)
        method = s.method if s.method != "auto" else ("sde" if hw.noise > 0 else "ode")
        if method == "ode" and hw.noise > 0:
            raise UnsupportedError(f"phase noise D = {hw.noise:g} with method='ode'",
                                   "method 'sde' (or 'auto') when the noise is above 0",
                                   "Drop method='ode', or set noise = 0.")
        dt = s.dt if s.dt is not None else (0.05 if method == "sde" else None)
        if method == "sde" and s.t1 / dt > s.max_steps:
            raise ValueRangeError(f"t1/dt = {s.t1 / dt:.0f} steps", f"at most max_steps={s.max_steps}",
                                  "Raise max_steps, shorten t1 or enlarge dt.")
        if method == "ode" and not s.adaptive and dt is None:
            raise ValueRangeError("adaptive=False without dt", "a fixed step dt > 0",
                                  "Give dt for fixed-step integration.")
        dtype = resolve_dtype(s.dtype)
        ts = save_grid(s.t1, s.n_save, s.save_times, dtype)
        cfg = PhaseConfig(method=method, solver=s.solver or ("tsit5" if method == "ode" else "shark"),
                          n_save=int(ts.shape[0]), save_states=s.save_states, max_steps=s.max_steps,
                          adaptive=s.adaptive, steady_stop=s.steady_stop and method == "ode")
        t0 = time.perf_counter()
        xi = np.asarray(patterns.xi, np.float64)
        K, N = xi.shape
        k_pad = pattern_bucket(K) if s.pad_patterns else K
        dyn, chip = build_dynamics(plan, patterns, hw, seed=seed, injection=s.injection,
                                   ramp=s.injection_ramp, dtype=dtype, k_pad=k_pad)
        initial = self._initial_states(cues, xi, s.start)
        rng = np.random.default_rng([int(seed), 0x1417])
        theta0 = cue_phases(initial, s.squeeze, s.init_jitter, rng)
        clamp = np.zeros(theta0.shape, bool) if cues.clamp is None else np.asarray(cues.clamp)
        ov = np.concatenate([xi, np.zeros((k_pad - K, N))], axis=0) / N
        traj = solve_phases(dyn, ov, theta0, 1.0 - clamp.astype(np.float64), ts=ts,
                            dtype=dtype, config=cfg, t_step=dt, rtol=s.rtol, atol=s.atol,
                            steady_tol=s.steady_tol, noise=hw.noise, seed=seed,
                            batch_size=s.batch_size, n_patterns=K)
        esc = escape_times(traj.times, traj.phase_overlaps, cues.targets,
                           retrieved=s.retrieved_level, escaped=s.escape_level)
        final_phase = np.asarray(wrap(traj.final_phase))
        extras = {
            "phase_overlap": Extra(("trial", "time", "pattern"), traj.phase_overlaps),
            "phase_speed": Extra(("trial", "time"), traj.speed, "rad/tau"),
            "final_phase": Extra(("trial", "neuron"), final_phase, "rad"),
            "natural_frequency": Extra(("neuron",), chip.omega, "rad/tau"),
            "escape_time": Extra(("trial",), esc.time, "tau"),
            "n_steps": Extra(("trial",), traj.n_steps),
        }
        if traj.phases is not None:
            extras["phase"] = Extra(("trial", "time", "neuron"), traj.phases, "rad")
        attrs = {"model": model.describe(), "binary_limit": plan.binary_limit,
                 "pairwise_rule": plan.rule or "none", "method": method, "solver": cfg.solver,
                 "injection": s.injection, "injection_ramp": s.injection_ramp, "start": s.start,
                 "squeeze": s.squeeze, "seed": seed, "wall_time_s": time.perf_counter() - t0,
                 **hw.describe(), **esc.attrs()}
        result = RecallResult(
            implementation=self.name, times=traj.times, states=traj.cos, energies=traj.energies,
            overlaps=traj.overlaps, final=np.cos(final_phase), status=traj.status,
            converge_time=traj.converge_time, cues=initial, targets=cues.targets,
            time_unit="tau", extras=extras, attrs=attrs)
        cost = oscillator_cost(result, device=s.device, n_oscillators=N, t1=s.t1,
                               tau_s=hw.tau_s)
        if cost is None:
            result.attrs["cost_basis"] = f"no estimate: the card {hw.card} gives no power"
        return with_cost(result, cost)

    @staticmethod
    def _initial_states(cues, xi: np.ndarray, start: str) -> np.ndarray:
        """``(T, N)`` the states the oscillators are started from (cues, or their targets)."""
        if start == "cue":
            return np.asarray(cues.states)
        tgt = np.asarray(cues.targets)
        if np.any(tgt < 0):
            raise UnsupportedError(f"start='target' with {int(np.sum(tgt < 0))} cues without a target",
                                   "cues that were all made from stored patterns",
                                   "Use start='cue', or cues of kind flip/occlude/exact.")
        return xi[tgt]
