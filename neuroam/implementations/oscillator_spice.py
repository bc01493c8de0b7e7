"""``oscillator-spice``: the oscillator memory as an electrical circuit, simulated in ngspice.

The same model, patterns, card and chip draw as ``oscillator`` (:func:`~neuroam.oscillator.lift`,
:class:`~neuroam.oscillator.Hardware`, :func:`~neuroam.oscillator.draw_chip` with the run's
seed), realised as van der Pol LC tanks at the card's frequency with transconductance
pairwise coupling, overlap nodes and cubic feeds for the quartic coupling, a 2f₀ pump for
second-harmonic injection and per-tank inductors for the detuning
(:mod:`neuroam.oscillator.circuit` derives every gain from the phase-model rates, and back).
ngspice integrates the voltages; phases are demodulated from the waveforms against the
reference cos(2π f₀ t).

Result: ``times`` and ``converge_time`` in seconds (t1 τ of the phase model = t1/coupling
rate); ``states`` cos φ, ``final`` cos φ at t1 (read out as ±1), ``overlaps`` Re z_μ,
``energies`` the phase-model energy of the drawn chip at the demodulated phases. Extras:
``phase`` (trial, time, neuron) rad, ``final_phase`` (trial, neuron) rad, ``amplitude``
(trial, time, neuron) V, and with ``compare`` the phase model's ``model_final`` (trial,
neuron) on the same cues; attrs ``model_agreement`` (fraction of cues whose ±1 final states
are identical), ``model_agreement_2pct``, ``circuit_exact`` / ``model_exact`` (fraction of
cues that end exactly on their target), ``amplitude_spread`` (largest spread of the tank
amplitudes within one network after the first sample, over A₀) and the circuit design values.

Refused (:class:`~neuroam.errors.UnsupportedError`, at validate time through
:meth:`supports` where the model alone decides): models other than ``hopfield`` /
even ``polynomial`` n ≤ 4 (orders above 4 would need higher-order feeds), phase noise and
coupling misalignment (the circuit has no noise sources or delays), clamped cues.
"""

from __future__ import annotations

import time
from typing import Literal

import numpy as np
from pydantic import Field

from ..errors import UnsupportedError
from ..metrics.agreement import agreement_fraction, exact_fraction
from ..oscillator.lift import unsupported
from ..oscillator import (PAIRWISE_RULES, Hardware, build_dynamics, cue_phases, lift)
from ..oscillator.circuit import CircuitNetwork, TankDesign, simulate
from ..results import Extra, RecallResult, Status
from ..spice import require_ngspice
from .base import Implementation, SettingsBase

__all__ = ["OscillatorSpice"]


class OscillatorSpiceSettings(SettingsBase):
    """Settings of ``oscillator-spice``. Phase-model quantities in τ = 1/coupling rate (as
    for ``oscillator``); circuit values in SI units."""

    device: str = Field("oscillator-ideal", description="oscillator card (frequency, coupling "
                        "rate, detuning, spread)", json_schema_extra={"card": "device", "kind": "oscillator"})
    pairwise: float | None = Field(None, ge=0, description="pairwise strength λ_2; None: the model's")
    quartic: float | None = Field(None, ge=0, description="quartic strength λ_4; None: the model's")
    rule: Literal[PAIRWISE_RULES] = Field("model", description="pairwise coupling rule")  # type: ignore[valid-type]
    injection: float = Field(0.3, ge=0, description="SHIL strength K_s (rad/τ)")
    injection_ramp: float = Field(10.0, ge=0, description="linear ramp of the pump from 0 (τ)")
    detuning: float | None = Field(None, ge=0, description="natural-frequency std (rad/τ); None: card")
    coupling_spread: float | None = Field(None, ge=0, description="relative coupling spread; None: card")
    noise: float | None = Field(None, ge=0, description="phase diffusion (rad²/τ); must be 0 (None: card)")
    misalignment: float | None = Field(None, description="coupling lag (rad); must be 0 (None: card)")
    squeeze: float = Field(0.3, ge=0, lt=1.5707, description="cue phases δ and π−δ (rad)")
    start: Literal["cue", "target"] = Field("cue", description="start from the cues or their targets")
    t1: float = Field(20.0, gt=0, description="time horizon (τ of the card)")
    n_save: int = Field(21, ge=2, description="demodulated samples from 0 to t1")
    save_states: bool = True
    pairwise_form: Literal["overlap", "weights"] = Field(
        "overlap", description="pattern-form pairwise coupling through the K overlap nodes "
        "(O(K·N) elements) or as N² pairwise transconductors from W = λ₂ξᵀξ/N; learning-rule "
        "weights (storkey, pseudo-inverse) are always pairwise transconductors")
    capacitance: float = Field(1e-12, gt=0, description="tank capacitance C (F)")
    amplitude: float = Field(1.0, gt=0, description="limit-cycle amplitude A₀ (V)")
    amplitude_rate: float = Field(20.0, gt=0, description="amplitude relaxation rate μ = g₁/C in "
                                  "units of the coupling rate (μτ); the phase model needs μτ ≫ 1 (amplitude "
                                  "spread ~λ/μτ) and μτ ≪ 2π f₀τ (near-sinusoidal tanks)")
    steps_per_period: int = Field(20, ge=10, le=1000, description="largest ngspice step: T₀/this")
    window: float = Field(2.0, gt=0, description="demodulation window (periods of f₀)")
    cues_per_netlist: int = Field(4, ge=1, description="network copies (cues) in one netlist")
    workers: int = Field(2, ge=1, description="ngspice processes at a time")
    timeout: float = Field(900.0, gt=0, description="seconds allowed per ngspice run")
    model_dt: float = Field(0.05, gt=0, description="Euler step of the compared phase model (τ)")
    compare: bool = Field(True, description="also run the phase model (`oscillator`) on the "
                          "same cues and chip; record model_final and model_agreement")




class OscillatorSpice(Implementation):
    """Van der Pol LC-tank network in ngspice; phases demodulated from the waveforms."""

    name = "oscillator-spice"
    description = ("Oscillator network as van der Pol LC tanks in ngspice (transconductance "
                   "coupling, quartic overlap feeds, 2f SHIL pump), phases read from waveforms")
    time_unit = "s"
    Settings = OscillatorSpiceSettings
    thread_safe = True  # separate ngspice processes, no global state

    def supports(self, model, settings=None):
        # pairwise couplings and the quartic overlap form (cubic feeds) only
        return unsupported(model.structure, max_order=4)

    def design(self, s: OscillatorSpiceSettings, hw: Hardware) -> TankDesign:
        """The tank of settings ``s`` on the card ``hw``."""
        return TankDesign(hw.frequency, s.capacitance, s.amplitude,
                          s.amplitude_rate * hw.coupling_rate)

    def network(self, model, patterns, cues, s, *, seed: int = 0):
        """``(design, network, theta0, initial, hw, dyn, plan)`` of a run: everything before ngspice."""
        self.check_model(model, s)
        cues.check_against(patterns)
        if cues.clamp is not None and np.any(cues.clamp):
            raise UnsupportedError("cues with clamped neurons for oscillator-spice",
                                   "free oscillators (no clamp mask)",
                                   "Use cues without clamping, or the phase model `oscillator`.")
        plan = lift(model, patterns, pairwise=s.pairwise, quartic=s.quartic, rule=s.rule)
        if any(p > 4 and c for p, c in zip(plan.orders, plan.coeffs)):
            raise UnsupportedError(f"coupling orders {plan.orders} for oscillator-spice",
                                   "pairwise (2) and quartic (4) terms only",
                                   "Use λ_2 and λ_4 (hopfield or polynomial n = 4).")
        hw = Hardware.from_card(s.device, detuning=s.detuning, noise=s.noise,
                                spread=s.coupling_spread, misalignment=s.misalignment)
        if hw.noise > 0 or hw.misalignment != 0:
            raise UnsupportedError(
                f"phase noise D = {hw.noise:g} rad²/τ and misalignment {hw.misalignment:g} rad "
                f"(card {hw.card}) for oscillator-spice",
                "a noiseless, aligned chip (the netlist has no noise sources or coupling delays)",
                "Set noise = 0 and misalignment = 0 in the label's settings.")
        xi = np.asarray(patterns.xi, np.float64)
        K, N = xi.shape
        dyn, chip = build_dynamics(plan, patterns, hw, seed=seed, injection=s.injection,
                                   ramp=s.injection_ramp, dtype=np.float32)
        rate = hw.coupling_rate
        coeff = dict(zip(plan.orders, plan.coeffs))
        lam2 = coeff.get(2, 0.0)
        overlap = lam2 if s.pairwise_form == "overlap" else 0.0
        pair = (lam2 - overlap) * chip.xi.T @ chip.xi / N
        if chip.W is not None:
            pair = pair + plan.w_coeff * chip.W
        net = CircuitNetwork(pair=pair * rate, xi=chip.xi, quartic=coeff.get(4, 0.0) * rate,
                             pair_overlap=overlap * rate,
                             injection=s.injection * rate, ramp=s.injection_ramp / rate,
                             omega=chip.omega * rate)
        initial = np.asarray(cues.states) if s.start == "cue" else xi[np.asarray(cues.targets)]
        theta0 = cue_phases(initial, s.squeeze)
        return self.design(s, hw), net, theta0, initial, hw, dyn, plan

    def recall(self, model, patterns, cues, settings, *, seed=0):
        s = settings
        require_ngspice()
        design, net, theta0, initial, hw, dyn, plan = self.network(model, patterns, cues, s,
                                                                   seed=seed)
        xi = np.asarray(patterns.xi, np.float64)
        K, N = xi.shape
        tau = hw.tau_s
        times = np.linspace(0.0, s.t1 * tau, s.n_save)
        t0 = time.perf_counter()
        phase, amp = simulate(design, net, theta0, t_stop=s.t1 * tau, save_times=times,
                              steps_per_period=s.steps_per_period, window=s.window,
                              cues_per_netlist=s.cues_per_netlist, workers=s.workers,
                              timeout=s.timeout)
        wall = time.perf_counter() - t0
        cos = np.cos(phase)
        overlaps = np.einsum("tsn,kn->tsk", cos, xi) / N
        energies = self._energies(dyn, phase, times / tau)
        read = np.where(cos >= 0, 1.0, -1.0)
        finite = np.all(np.isfinite(phase), axis=(1, 2)) & np.all(amp[:, -1] > 0.1 * s.amplitude, axis=1)
        stable = np.all(read[:, -1] == read[:, -2], axis=1)
        status = np.where(~finite, Status.NON_FINITE,
                          np.where(stable, Status.CONVERGED, Status.MAX_STEPS)).astype(np.int8)
        changed = np.any(read != read[:, -1:], axis=2)  # (T, S)
        last = np.where(changed, np.arange(len(times))[None, :], -1).max(axis=1)
        ctime = np.where(stable, times[np.minimum(last + 1, len(times) - 1)], np.nan)
        extras = {
            "final_phase": Extra(("trial", "neuron"), phase[:, -1], "rad"),
            "amplitude": Extra(("trial", "time", "neuron"), amp.astype(np.float32), "V"),
            "natural_frequency": Extra(("neuron",), net.omega / (2 * np.pi) + hw.frequency, "Hz"),
        }
        if s.save_states:
            extras["phase"] = Extra(("trial", "time", "neuron"), phase.astype(np.float32), "rad")
        rates = design.phase_rates(
            g_pair=float(np.max(np.abs(design.pairwise_conductance(net.pair)))) if N else 0.0,
            g_quartic=design.quartic_gain(net.quartic), g_shil=design.shil_gain(net.injection),
            g_overlap=design.overlap_gain(net.pair_overlap))
        attrs = {"model": model.describe(), "binary_limit": plan.binary_limit, "seed": seed,
                 "start": s.start, "squeeze": s.squeeze, "injection": s.injection,
                 "injection_ramp": s.injection_ramp, "amplitude_rate_tau": s.amplitude_rate,
                 "tau_s": tau, "t1_s": s.t1 * tau, "wall_time_s": wall,
                 "final_amplitude_min_v": float(np.min(amp[:, -1])),
                 "final_amplitude_max_v": float(np.max(amp[:, -1])),
                 "amplitude_spread": float(np.max(np.ptp(amp[:, 1:], axis=2)) / s.amplitude)
                 if len(times) > 1 else 0.0,
                 "circuit_exact": exact_fraction(cos[:, -1], xi, cues.targets),
                 "coupling_rate_max_per_s": rates["pairwise"],
                 "pairwise_overlap_rate_per_s": rates["pairwise_overlap"],
                 "circuit_pairwise_g2_a": design.overlap_gain(net.pair_overlap),
                 "pairwise_form": s.pairwise_form,
                 "quartic_rate_per_s": rates["quartic"], "injection_rate_per_s": rates["injection"],
                 "circuit_pairwise_g_max_s": float(np.max(np.abs(design.pairwise_conductance(net.pair)))),
                 "circuit_quartic_g4_a": design.quartic_gain(net.quartic),
                 "circuit_shil_g_s": design.shil_gain(net.injection),
                 **design.describe(), **hw.describe()}
        final = cos[:, -1]
        if s.compare:
            ref = self._phase_model(model, patterns, cues, s, seed)
            extras["model_final"] = Extra(("trial", "neuron"), np.asarray(ref.final), "1")
            attrs["model_agreement"] = agreement_fraction(final, ref.final)
            attrs["model_agreement_2pct"] = agreement_fraction(final, ref.final, tol=0.02)
            attrs["model_exact"] = exact_fraction(ref.final, xi, cues.targets)
        return RecallResult(
            implementation=self.name, times=times, states=cos if s.save_states else None,
            energies=energies, overlaps=overlaps, final=final, status=status,
            converge_time=ctime, cues=initial, targets=cues.targets, time_unit="s",
            extras=extras, attrs=attrs)

    @staticmethod
    def _energies(dyn, phase: np.ndarray, t_tau: np.ndarray) -> np.ndarray:
        """``(T, S)`` the phase-model energy of the chip at the demodulated phases."""
        import jax
        import jax.numpy as jnp

        f = jax.jit(jax.vmap(jax.vmap(dyn.energy, in_axes=(0, 0)), in_axes=(0, None)))
        return np.asarray(f(jnp.asarray(phase, jnp.float32), jnp.asarray(t_tau, jnp.float32)))

    @staticmethod
    def _phase_model(model, patterns, cues, s, seed) -> RecallResult:
        """The ``oscillator`` phase model on the same chip (seed) and cues."""
        from . import registry

        osc = registry.get("oscillator")
        ps = osc.settings(device=s.device, pairwise=s.pairwise, quartic=s.quartic, rule=s.rule,
                          injection=s.injection, injection_ramp=s.injection_ramp,
                          detuning=s.detuning, noise=0.0, coupling_spread=s.coupling_spread,
                          misalignment=0.0, squeeze=s.squeeze, start=s.start, t1=s.t1,
                          n_save=s.n_save, save_states=False, method="sde", solver="euler",
                          dt=s.model_dt)
        return osc.recall(model, patterns, cues, ps, seed=seed)
