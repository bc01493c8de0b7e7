"""An electrical oscillator network that realises the phase model: van der Pol LC tanks.

Why this circuit
----------------
Each oscillator is a parallel LC tank (C, L_i) with a cubic negative-resistance element
i_nl(v) = −g₁ v + g₃ v³ (a cross-coupled pair, behaviourally a B-source), node voltage v_i:

    C dv_i/dt = −i_L,i − i_nl(v_i) + I_i(t),      L_i di_L,i/dt = v_i.

Its phase is *not* a state variable: v_i and i_L,i oscillate at f_i = 1/(2π√(L_i C)) and
the phase is read back from the waveform (:func:`demodulate`). Without input the tank
settles on the limit cycle v = A₀ cos(ω t + φ) with A₀ = √(4 g₁ / 3 g₃) (so g₃ =
4 g₁ / 3A₀²), and a perturbed amplitude relaxes at the rate μ = g₁ / C (1/s).

Phase reduction (first-order averaging, the derivation used for every gain below)
--------------------------------------------------------------------------------
For v'' + ω² v = F(t) with F = İ/C and v = A cos(ωt + φ), averaging over one period gives
dφ/dt = −⟨F cos ψ⟩ / (Aω). A current I(t) = Re(Ĩ e^{iωt}) at the tank's frequency thus
moves the phase at

    dφ_i/dt = Im(Ĩ_i e^{−iφ_i}) / (2 C A_i)      (rad/s; A_i ≈ A₀)

and components at other harmonics average out. Equating this with the phase model
(:mod:`.energy`, :mod:`.dynamics`, rates in 1/τ times the card's ``coupling_rate`` 1/τ_s):

=============================  =====================================  ====================
phase-model term (rate, 1/s)   circuit element                        gain
=============================  =====================================  ====================
λ₂ ξ_i Im(z_μ e^{−iθ}) pairwise  the same overlap nodes, I_i = g₂ Σ_μ   g₂ = 2 C A₀ λ₂ (A)
pattern form (O(K·N))          ξ_iμ m_μ
K_ij sin(θ_j − θ_i), pairwise  VCCS I_i = g_ij v_j (from an inverted   g_ij = 2 C K_ij (S)
                               copy −v_j when g_ij < 0)
λ₄ |z_μ|² ξ_i Im(z_μ e^{−iθ})  overlap node m_μ = Σ_j ξ_j v_j/(N A₀),  g₄ = 8 C A₀ λ₄ / 3
quartic, per pattern μ         B-source I_i = g₄ Σ_μ ξ_iμ m_μ³        (A); m³ → ¾|z|²z
−K_s sin 2θ_i, SHIL            mixer I_i = g_s v_i · p(t), pump        g_s = 4 C K_s (S)
                               p(t) = cos(2ω₀t) at 2f₀ (ramped)
ω_i detuning                   L_i = 1 / (C (ω₀ + ω_i)²)               —
=============================  =====================================  ====================

(K_ij = λ₂ Σ_μ ξ_iμ ξ_jμ / N of the pattern form, or λ_W W_ij of a learning rule; the
diagonal carries no phase force and is left out: it would only change the amplitude.)

The phase model holds while the coupling is weak against the amplitude dynamics
(coupling rates ≪ μ: amplitudes stay at A₀; their excursions rescale the couplings) and
μ ≪ ω₀ (nearly sinusoidal tanks). The ratio μ τ_s (``amplitude_rate``) is what the
``circuits_vs_models`` scenario sweeps to find where the models part.

Amplitudes (why the gains use A₀ and where that stops holding): the same averaging gives
dA_i/dt = (μ/2) A_i (1 − A_i²/A₀²) + Re(Ĩ_i e^{−iφ_i}) / (2C): the in-phase part of every
coupling current moves the amplitude, δA_i/A₀ ≈ [λ₂ Re(ξ_i z̃ e^{−iφ_i}) + K_s cos 2φ_i +
λ₂K/N] / (μτ) after adiabatic elimination (z̃: the overlap of the amplitude-weighted
signals, the read of the summing nodes). The phase rate of tank i is then
λ₂ Im(ξ_i z̃ e^{−iφ_i}) A₀/A_i − K_s sin 2φ_i: a *common* amplitude A cancels in the
pairwise term (A_j/A_i) and in the SHIL term (the mixer current is ∝ A_i), so no gain
rescaling for the mean amplitude is right for them; the quartic rate does scale as
(A/A₀)² (m³ ∝ A³ over A_i). What remains at finite μτ is the *spread* of the amplitudes
(aligned tanks larger, opposed ones smaller): a soft-spin correction of relative size
λ/μτ that no gain can remove. It tips cues whose outcome is marginal in the phase model
(N = 32, K = 4, SHIL 0.3 over 20 τ, 32 cues: 30/32 same state at μτ = 10, 31/32 at
μτ = 20; the splits are cues the circuit carries into a mixture state). Raising μτ
shrinks it but raises ε = μ/ω₀ with the card's f₀ (ε = 0.32 at μτ = 20 on
oscillator-ideal). The van der Pol
frequency shift ω ≈ ω₀(1 − ε²/16), ε = μ/ω₀, is pre-compensated in L.

Cues are initial conditions: v_i(0) = A₀ cos θ_i, i_L,i(0) = C A₀ ω_i sin θ_i (``.ic``,
``uic``), i.e. each tank starts on its limit cycle at the cue's phase.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from ..errors import ShapeError, ValueRangeError
from ..spice.run import RAW

__all__ = ["TankDesign", "CircuitNetwork", "network_netlist", "demodulate", "tank_nodes", "simulate"]


@dataclasses.dataclass(frozen=True)
class TankDesign:
    """One van der Pol tank and the gains that map phase-model rates onto it.

    Attributes:
        frequency: f₀ (Hz), the reference; the pump runs at 2f₀.
        capacitance: C (F) of every tank.
        amplitude: A₀ (V), the limit-cycle amplitude.
        amplitude_rate: μ = g₁/C (1/s), the relaxation rate of the amplitude.
    """

    frequency: float
    capacitance: float
    amplitude: float
    amplitude_rate: float

    def __post_init__(self):
        for name in ("frequency", "capacitance", "amplitude", "amplitude_rate"):
            v = getattr(self, name)
            if not (math.isfinite(v) and v > 0):
                raise ValueRangeError(f"{name} = {v!r} of a van der Pol tank", "a finite value > 0",
                                      f"Give a positive {name}.")

    @property
    def omega(self) -> float:
        """ω₀ = 2π f₀ (rad/s)."""
        return 2 * math.pi * self.frequency

    @property
    def epsilon(self) -> float:
        """ε = μ/ω₀: how far the tank is from a harmonic oscillator."""
        return self.amplitude_rate / self.omega

    @property
    def g1(self) -> float:
        """Small-signal negative conductance g₁ = μ C (S)."""
        return self.amplitude_rate * self.capacitance

    @property
    def g3(self) -> float:
        """Cubic coefficient g₃ = 4 g₁ / 3A₀² (A/V³)."""
        return 4 * self.g1 / (3 * self.amplitude ** 2)

    def inductance(self, omega_offset: np.ndarray | float = 0.0,
                   steps_per_period: int | None = None) -> np.ndarray:
        """L (H) for a natural frequency ω₀ + ``omega_offset`` (rad/s), with the van der Pol
        shift (1 − ε²/16) pre-compensated, and, given ``steps_per_period`` (h = T₀/steps),
        the frequency error −(ω₀h)²/12 of ngspice's trapezoidal rule too (a common-mode
        error only: it is the same for every tank)."""
        w = (self.omega + np.asarray(omega_offset, np.float64)) / (1 - self.epsilon ** 2 / 16)
        if steps_per_period:
            w = w / (1 - (2 * math.pi / steps_per_period) ** 2 / 12)
        return 1.0 / (self.capacitance * w * w)

    def pairwise_conductance(self, rate):
        """g = 2 C K (S) of a pairwise phase-coupling rate K (1/s)."""
        return 2 * self.capacitance * np.asarray(rate, np.float64)

    def overlap_gain(self, rate: float) -> float:
        """g₂ = 2 C A₀ λ₂ (A) of a pairwise rate λ₂ (1/s) fed through the overlap nodes."""
        return 2 * self.capacitance * self.amplitude * rate

    def quartic_gain(self, rate: float) -> float:
        """g₄ = 8 C A₀ λ₄ / 3 (A) of a quartic rate λ₄ (1/s)."""
        return 8 * self.capacitance * self.amplitude * rate / 3

    def shil_gain(self, rate: float) -> float:
        """g_s = 4 C K_s (S) of an injection rate K_s (1/s)."""
        return 4 * self.capacitance * rate

    def phase_rates(self, g_pair: float = 0.0, g_quartic: float = 0.0, g_shil: float = 0.0,
                    g_overlap: float = 0.0) -> dict[str, float]:
        """The inverse map: phase-model rates (1/s) of circuit gains (S, A, S, A)."""
        C = self.capacitance
        return {"pairwise": g_pair / (2 * C), "quartic": 3 * g_quartic / (8 * C * self.amplitude),
                "pairwise_overlap": g_overlap / (2 * C * self.amplitude),
                "injection": g_shil / (4 * C)}

    def describe(self) -> dict[str, float]:
        return {"circuit_frequency_hz": self.frequency, "circuit_capacitance_f": self.capacitance,
                "circuit_amplitude_v": self.amplitude,
                "circuit_amplitude_rate_per_s": self.amplitude_rate,
                "circuit_g1_s": self.g1, "circuit_g3_a_per_v3": self.g3,
                "circuit_epsilon": self.epsilon}


@dataclasses.dataclass(frozen=True)
class CircuitNetwork:
    """What one network must do, in rates (1/s) and seconds; ``N`` oscillators.

    Attributes:
        pair: ``(N, N)`` pairwise phase-coupling rates K_ij (1/s) realised by N² pairwise
            transconductors, symmetric; diagonal ignored.
        xi: ``(K, N)`` pattern couplings of the overlap form (with chip spread).
        pair_overlap: λ₂ (1/s) of the pairwise term realised through the overlap nodes
            (K_ij = λ₂ Σ_μ ξ_iμ ξ_jμ / N in O(K·N) elements: I_i = g₂ Σ_μ ξ_iμ m_μ,
            g₂ = 2 C A₀ λ₂ in A); 0 for none.
        quartic: λ₄ (1/s); 0 for none.
        injection: K_s (1/s), the final SHIL rate; ramp: its linear ramp time (s), 0: constant.
        omega: ``(N,)`` natural-frequency offsets (rad/s) from ω₀.
    """

    pair: np.ndarray
    xi: np.ndarray
    quartic: float
    pair_overlap: float
    injection: float
    ramp: float
    omega: np.ndarray

    @property
    def N(self) -> int:
        return self.pair.shape[0]


def tank_nodes(k: int, N: int) -> list[str]:
    """Node names of the tanks of trial ``k``."""
    return [f"t{k}n{i}" for i in range(N)]


def _f(x: float) -> str:
    return f"{x:.10g}"


def network_netlist(design: TankDesign, net: CircuitNetwork, theta0: np.ndarray, *,
                    t_stop: float, steps_per_period: int = 30, save_per_period: int = 16,
                    title: str = "neuroam oscillator network", comments=(),
                    raw: str | None = RAW) -> str:
    """A netlist with one copy of the network per row of ``theta0`` ``(T, N)`` (rad).

    Every copy is driven by the same pump; ``.tran`` runs ``t_stop`` seconds with at most
    1/``steps_per_period`` of a period per step. With ``raw`` the ``.control`` block
    linearises the tank voltages to ``save_per_period`` samples per period and writes them
    (binary) there; with None it only runs the transient and prints (``.meas``) every tank voltage at ``t_stop``
    (a stand-alone netlist for ``ngspice -b``).
    """
    theta0 = np.atleast_2d(np.asarray(theta0, np.float64))
    N = net.N
    if theta0.shape[1] != N or net.pair.shape != (N, N) or net.xi.shape[1] != N:
        raise ShapeError(f"cue phases {theta0.shape}, couplings {net.pair.shape}, patterns "
                         f"{net.xi.shape}", f"(T, {N}), ({N}, {N}) and (K, {N})",
                         "Build the network and its cues from the same patterns.")
    d, C, A = design, design.capacitance, design.amplitude
    T0 = 1.0 / d.frequency
    L = d.inductance(net.omega, steps_per_period)
    G = d.pairwise_conductance(net.pair)
    np.fill_diagonal(G, 0.0)
    g4 = d.quartic_gain(net.quartic)
    g2 = d.overlap_gain(net.pair_overlap)
    gs = d.shil_gain(net.injection)
    K = net.xi.shape[0]
    out = [f"* {title}",
           f"* {theta0.shape[0]} copies (one per cue) of {N} van der Pol LC tanks, f0 = "
           f"{_f(d.frequency)} Hz, C = {_f(C)} F, amplitude {_f(A)} V, amplitude rate "
           f"{_f(d.amplitude_rate)} 1/s (g1 = {_f(d.g1)} S, g3 = {_f(d.g3)} A/V^3)",
           f"* phase model rates (1/s): pairwise max |K_ij| = {_f(float(np.max(np.abs(net.pair))) if N else 0)}"
           f", pairwise overlap form {_f(net.pair_overlap)}, quartic {_f(net.quartic)}, SHIL {_f(net.injection)} (ramp {_f(net.ramp)} s)",
           "* gains: g_ij = 2 C K_ij (S), g4 = 8 C A0 lambda4 / 3 (A), g_shil = 4 C K_s (S);"
           " see neuroam.oscillator.circuit",
           *[f"* {c}" for c in comments],
           "",
           "* --- reference: SHIL pump at 2 f0, cos(2 w0 t), ramped from 0 over the ramp time ---"]
    ramp = f"min(time/{_f(net.ramp)},1)*" if net.ramp > 0 else ""
    out.append(f"Bpump pump 0 V = {ramp}cos({_f(4 * math.pi * d.frequency)}*time)")
    pos = G > 0
    neg = G < 0
    for k, th in enumerate(theta0):
        n = tank_nodes(k, N)
        out += ["", f"* === network for cue {k} ==="]
        out.append("* tanks: C, L (detuned per oscillator); BNR: cubic negative resistance -g1 v + g3 v^3"
                   " and the SHIL mixer -g_s v pump(t) (current g_s v_i pump into the tank); IC = cue phase")
        for i in range(N):
            w_i = d.omega + net.omega[i]
            out.append(f"C{k}_{i} {n[i]} 0 {_f(C)} IC={_f(A * math.cos(th[i]))}")
            out.append(f"L{k}_{i} {n[i]} 0 {_f(L[i])} IC={_f(C * A * w_i * math.sin(th[i]))}")
            shil = f"-{_f(gs)}*v(pump)" if gs > 0 else ""
            out.append(f"BNR{k}_{i} {n[i]} 0 I = v({n[i]})*(-{_f(d.g1)}{shil}"
                       f"+{_f(d.g3)}*v({n[i]})*v({n[i]}))")
        if np.any(neg):
            out.append("* inverted copies -v_j (unity-gain inverters) for negative weights")
            for j in np.flatnonzero(neg.any(axis=0)):
                out.append(f"EINV{k}_{j} t{k}b{j} 0 {n[j]} 0 -1")
        if np.any(pos | neg):
            out.append("* pairwise coupling: transconductors g_ij = 2 C K_ij from v_j (or -v_j) into tank i")
            for i, j in zip(*np.nonzero(pos | neg)):
                src = n[j] if G[i, j] > 0 else f"t{k}b{j}"
                out.append(f"GC{k}_{i}_{j} 0 {n[i]} {src} 0 {_f(abs(G[i, j]))}")
        if (g4 > 0 or g2 > 0) and K:
            out.append("* pattern (overlap) form: one summing node per pattern, m_mu = sum_j xi_j v_j / (N A0)"
                       " (transconductors into a 1 ohm load: a summing amplifier)")
            for mu in range(K):
                z = f"t{k}z{mu}"
                out.append(f"RZ{k}_{mu} {z} 0 1")
                for j in np.flatnonzero(net.xi[mu]):
                    out.append(f"GZ{k}_{mu}_{j} 0 {z} {n[j]} 0 {_f(net.xi[mu, j] / (N * A))}")
            if g2 > 0:
                out.append(f"* pairwise feed of the overlaps: I_i = g2 sum_mu xi_i m_mu, g2 = {_f(g2)} A")
                for i in range(N):
                    for mu in np.flatnonzero(net.xi[:, i]):
                        out.append(f"GF{k}_{i}_{mu} 0 {n[i]} t{k}z{mu} 0 {_f(g2 * net.xi[mu, i])}")
            if g4 > 0:
                out.append("* quartic: a cubing source per pattern, c_mu = m_mu^3, fed to each tank by "
                           f"transconductors: I_i = g4 sum_mu xi_i c_mu, g4 = {_f(g4)} A")
                for mu in range(K):
                    z = f"v(t{k}z{mu})"
                    out.append(f"BC{k}_{mu} t{k}c{mu} 0 V = {z}*{z}*{z}")
                for i in range(N):
                    for mu in np.flatnonzero(net.xi[:, i]):
                        out.append(f"GQ{k}_{i}_{mu} 0 {n[i]} t{k}c{mu} 0 {_f(g4 * net.xi[mu, i])}")
    t_step = T0 / save_per_period
    t_max = T0 / steps_per_period
    nodes = [v for k in range(theta0.shape[0]) for v in tank_nodes(k, N)]
    out += ["", f"* transient: {_f(t_stop)} s = {t_stop / T0:.1f} periods, step <= T0/{steps_per_period}",
            f".tran {_f(t_step)} {_f(t_stop)} 0 {_f(t_max)} uic",
            ".options noacct"]
    if raw is not None:
        out += [".control", "set filetype=binary", "run", "linearize"]
        line = "write " + raw
        for v in nodes:
            line += f" v({v})"
        out += [line, ".endc"]
    else:
        # stand-alone (plain `ngspice -b`): measure every tank voltage at t_stop; against
        # the reference cos(w0 t) the read-out is sign(v_i(t_stop) * cos(w0 t_stop))
        ref = math.cos(d.omega * t_stop)
        out += [f"* read-out: sign(v_i(t_stop) * {_f(ref)}), {_f(ref)} = cos(2 pi f0 t_stop): "
                "+1 for a tank in phase with the reference, -1 in anti-phase"]
        out += [f".meas tran v_{v} FIND v({v}) AT={_f(t_stop)}" for v in nodes]
    out += [".end", ""]
    return "\n".join(out)


def demodulate(time: np.ndarray, v: np.ndarray, frequency: float, at: np.ndarray,
               periods: float = 2.0) -> tuple[np.ndarray, np.ndarray]:
    """Phases (rad) and amplitudes (V) of waveforms ``v`` ``(S, M)`` against the reference
    cos(2π f₀ t): I/Q demodulation over the ``periods`` whole periods that end at each
    time of ``at`` ``(P,)`` seconds (starting at 0 while fewer have elapsed).

    ``v ≈ A cos(ω₀t + φ)`` gives I = 2⟨v cos ω₀t⟩ = A cos φ, Q = −2⟨v sin ω₀t⟩ = A sin φ.
    ``time`` must be uniform (ngspice ``linearize``). Returns ``(P, M)`` each.
    """
    time = np.asarray(time, np.float64)
    v = np.asarray(v, np.float64)
    w = 2 * math.pi * frequency
    c, s = np.cos(w * time), np.sin(w * time)
    dt = time[1] - time[0]
    n_win = max(2, int(round(periods / (frequency * dt))))
    # prefix sums: every window in O(1)
    cI = np.concatenate([np.zeros((1, v.shape[1])), np.cumsum(v * c[:, None], axis=0)])
    cQ = np.concatenate([np.zeros((1, v.shape[1])), np.cumsum(v * s[:, None], axis=0)])
    phases, amps = [], []
    for t in np.asarray(at, np.float64):
        end = int(np.clip(np.searchsorted(time, t * (1 + 1e-12), side="right"), 1, len(time)))
        start = max(0, end - n_win)
        m = max(end - start, 1)
        I = 2 * (cI[end] - cI[start]) / m
        Q = -2 * (cQ[end] - cQ[start]) / m
        phases.append(np.arctan2(Q, I))
        amps.append(np.hypot(I, Q))
    return np.array(phases), np.array(amps)


def simulate(design: TankDesign, net: CircuitNetwork, theta0: np.ndarray, *, t_stop: float,
             save_times: np.ndarray, steps_per_period: int = 30, window: float = 2.0,
             cues_per_netlist: int = 8, workers: int = 1, timeout: float = 600.0,
             keep=None) -> tuple[np.ndarray, np.ndarray]:
    """Run the network from every cue phase ``theta0`` ``(T, N)`` in ngspice (transient,
    ``cues_per_netlist`` copies per netlist, ``workers`` ngspice processes at a time) and
    demodulate each tank against the reference at ``save_times`` ``(S,)`` s.

    Returns ``(phases, amplitudes)``, each ``(T, S, N)``: rad in [−π, π), and V.
    """
    from ..spice.run import run_netlists

    theta0 = np.atleast_2d(np.asarray(theta0, np.float64))
    T, N = theta0.shape
    step = max(1, int(cues_per_netlist))
    chunks = [theta0[a:a + step] for a in range(0, T, step)]
    texts = [network_netlist(design, net, c, t_stop=t_stop, steps_per_period=steps_per_period,
                             title=f"neuroam oscillator network, cues {a * step}..")
             for a, c in enumerate(chunks)]
    waves = run_netlists(texts, workers=workers, timeout=timeout, keep=keep)
    phases, amps = [], []
    for c, w in zip(chunks, waves):
        ph, am = demodulate(w.time, w.data, design.frequency, save_times, window)
        phases.append(ph.reshape(len(save_times), c.shape[0], N).transpose(1, 0, 2))
        amps.append(am.reshape(len(save_times), c.shape[0], N).transpose(1, 0, 2))
    return np.concatenate(phases), np.concatenate(amps)
