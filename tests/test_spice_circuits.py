"""SPICE mirrors against independent oracles: van der Pol tank frequency and amplitude,
in-/anti-phase locking of two coupled tanks at the rate the phase reduction predicts, the
closed-loop crossbar circuit against the ``crossbar`` implementation, refusals. Fast tests
use a handful of tanks and tens of periods; the reduced circuits_vs_models run is ``slow``.
"""

from __future__ import annotations

import math
import shutil

import numpy as np
import pytest

from neuroam.errors import UnsupportedError
from neuroam.oscillator.circuit import CircuitNetwork, TankDesign, demodulate, network_netlist

NGSPICE = pytest.mark.skipif(shutil.which("ngspice") is None,
                             reason="ngspice is not installed (apt-get install -y ngspice)")

F0, RATE = 1e9, 1e8  # the oscillator-ideal card: 10 periods per τ


def _net(pair, *, omega=None, injection=0.0):
    N = pair.shape[0]
    return CircuitNetwork(pair=np.asarray(pair, float), xi=np.zeros((0, N)), quartic=0.0,
                          pair_overlap=0.0, injection=injection, ramp=0.0,
                          omega=np.zeros(N) if omega is None else omega)


def _run(design, net, theta0, t_stop):
    from neuroam.spice import run_netlists

    (w,) = run_netlists([network_netlist(design, net, np.atleast_2d(theta0), t_stop=t_stop,
                                         steps_per_period=40)])
    return w


@NGSPICE
def test_single_tank_oscillates_at_its_lc_frequency_with_the_vdp_amplitude():
    d = TankDesign(F0, 1e-12, 0.5, 0.1 * 2 * math.pi * F0)  # ε = 0.1
    w = _run(d, _net(np.zeros((1, 1))), [0.0], 40e-9)
    v, t = w.data[:, 0], w.time
    late = t > 20e-9
    up = np.flatnonzero((v[:-1] < 0) & (v[1:] >= 0) & late[:-1])
    tz = t[up] - v[up] * (t[up + 1] - t[up]) / (v[up + 1] - v[up])
    f = 1 / np.mean(np.diff(tz))
    assert f == pytest.approx(F0, rel=3e-3)  # 1/(2π√LC), shifts pre-compensated
    assert np.max(np.abs(v[late])) == pytest.approx(0.5, rel=0.03)  # A0 = √(4 g1 / 3 g3)


@NGSPICE
@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_two_tanks_lock_in_or_anti_phase_at_the_derived_rate(sign):
    """dΔ/dt = −2K sin Δ (Δ = φ₂ − φ₁, K = g/2C): tan(Δ/2) decays (grows) as e^{∓2Kt}."""
    d = TankDesign(F0, 1e-12, 1.0, 10 * RATE)
    K = sign * RATE
    w = _run(d, _net(np.array([[0.0, K], [K, 0.0]])), [0.0, 1.2 if sign > 0 else 2.0], 12e-9)
    ts = np.linspace(3e-9, 12e-9, 10)
    ph, _ = demodulate(w.time, w.data, F0, ts)
    delta = np.angle(np.exp(1j * (ph[:, 1] - ph[:, 0])))
    slope = np.polyfit(ts, np.log(np.abs(np.tan(delta / 2))), 1)[0]
    assert slope == pytest.approx(-2 * K, rel=0.1)  # the phase-reduction rate, ±10 %
    if sign > 0:
        assert abs(delta[-1]) < 0.3
    else:
        assert abs(delta[-1]) > math.pi - 1.0


@NGSPICE
def test_standalone_netlist_runs_with_plain_ngspice_b_and_prints_the_read_out(tmp_path):
    """raw=None (export-netlist): exit status 0 under `ngspice -b` and one .meas line per
    tank; two in-phase-coupled tanks from phases 0 and 0.6 end in phase with the pump."""
    import re
    import subprocess

    d = TankDesign(F0, 1e-12, 1.0, 10 * RATE)
    net = _net(np.array([[0.0, RATE], [RATE, 0.0]]), injection=0.3 * RATE)
    text = network_netlist(d, net, np.array([[0.0, 0.6]]), t_stop=8e-9, raw=None)
    (tmp_path / "n.cir").write_text(text)
    out = subprocess.run(["ngspice", "-b", str(tmp_path / "n.cir")], capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0, out.stdout[-500:] + out.stderr[-500:]
    vals = dict(re.findall(r"^(v_t0n\d+)\s*=\s*(\S+)", out.stdout, re.M))
    assert sorted(vals) == ["v_t0n0", "v_t0n1"]
    assert all(float(v) * math.cos(2 * math.pi * F0 * 8e-9) > 0.5 for v in vals.values())


def test_gains_round_trip_through_the_phase_reduction():
    d = TankDesign(F0, 2e-12, 0.7, 5 * RATE)
    r = d.phase_rates(g_pair=float(d.pairwise_conductance(RATE)), g_quartic=d.quartic_gain(RATE),
                      g_shil=d.shil_gain(RATE), g_overlap=d.overlap_gain(RATE))
    assert all(v == pytest.approx(RATE) for v in r.values())
    assert d.g3 * 3 * d.amplitude ** 2 / 4 == pytest.approx(d.g1)


def _small_problem(D=16, K=2, T=4, rate=0.1):
    from neuroam.cues import make_cues
    from neuroam.patterns import random_binary

    p = random_binary(K, D, seed=2)
    return p, make_cues(p, "flip", rate=rate, targets=[i % K for i in range(T)], seed=1)


@pytest.fixture(scope="module")
def osc_run():
    """One oscillator-spice recall (with the phase model on the same cues) shared by the
    tests below: the phase model's compile and the ngspice run are paid once."""
    if shutil.which("ngspice") is None:
        pytest.skip("ngspice is not installed (apt-get install -y ngspice)")
    from neuroam import implementations
    from neuroam.models import make_model

    p, cues = _small_problem()
    impl = implementations.get("oscillator-spice")
    s = impl.settings(t1=12.0, injection_ramp=4.0, n_save=5, workers=1, cues_per_netlist=4)
    return p, cues, s, impl.recall(make_model("hopfield"), p, cues, s, seed=0)


def test_oscillator_circuit_and_phase_model_end_in_the_same_state(osc_run):
    p, cues, _, r = osc_run
    assert r.attrs["model_agreement"] == 1.0
    assert np.all(np.where(r.final >= 0, 1, -1) == p.xi[cues.targets])
    assert r.attrs["model_exact"] == r.attrs["circuit_exact"] == 1.0


def test_oscillator_circuit_runs_in_seconds_near_the_limit_cycle(osc_run):
    """Times in seconds (t1 τ with τ = 1/coupling rate); at the default μτ = 20 the coupling
    moves the amplitudes by ~λ/μτ only (the phase model's assumption A ≈ A₀)."""
    _, _, s, r = osc_run
    assert r.time_unit == "s" and r.times[-1] == pytest.approx(s.t1 / RATE)
    amp = r.extras["amplitude"].data[:, 1:]
    assert np.all(np.abs(amp / s.amplitude - 1) < 0.3)
    assert r.attrs["amplitude_spread"] < 0.3
    assert np.all(np.abs(np.cos(r.extras["final_phase"].data)) > 0.9)  # binarised by SHIL


def test_circuit_and_its_phase_model_share_couplings_schedule_cues_and_horizon(monkeypatch):
    """The comparison is only fair if the phase model sees what the netlist realises: the
    same couplings, SHIL strength and ramp, cue phases (squeeze), detuning and t1."""
    from neuroam import implementations
    from neuroam.implementations.oscillator import Oscillator
    from neuroam.models import make_model
    from neuroam.oscillator import cue_phases

    p, cues = _small_problem()
    impl = implementations.get("oscillator-spice")
    s = impl.settings(injection=0.4, injection_ramp=7.0, squeeze=0.2, t1=13.0, n_save=6,
                      detuning=0.05, coupling_spread=0.02, pairwise=0.8, model_dt=0.04)
    seen = {}
    monkeypatch.setattr(Oscillator, "recall",
                        lambda self, model, patterns, c, settings, seed=0: seen.update(
                            settings=settings, seed=seed, cues=c))
    impl._phase_model(make_model("hopfield"), p, cues, s, 5)
    ps = seen["settings"]
    shared = set(type(ps).model_fields) & set(type(s).model_fields) - {"save_states", "noise",
                                                                         "misalignment"}
    assert {k: getattr(ps, k) for k in shared} == {k: getattr(s, k) for k in shared}
    assert (ps.dt, ps.noise, ps.misalignment, seen["seed"]) == (s.model_dt, 0.0, 0.0, 5)
    design, net, theta0, *_ , hw, dyn, _ = impl.network(make_model("hopfield"), p, cues, s, seed=5)
    rate = hw.coupling_rate
    assert net.injection == pytest.approx(s.injection * rate)
    assert net.ramp == pytest.approx(s.injection_ramp / rate)  # seconds: the same ramp in τ
    assert float(dyn.ramp) == pytest.approx(s.injection_ramp)
    np.testing.assert_allclose(net.omega, np.asarray(dyn.omega, float) * rate, rtol=1e-6)
    np.testing.assert_allclose(theta0, cue_phases(cues.states, s.squeeze))


@NGSPICE
def test_crossbar_loop_settles_where_crossbar_recall_does():
    from neuroam import implementations
    from neuroam.models import make_model

    p, cues = _small_problem(D=8, K=1, T=2, rate=0.25)
    impl = implementations.get("crossbar-spice")
    s = impl.settings(rule="hebbian", device="ideal-memristor", circuit="crossbar-loop-32",
                      workers=1, t1=10.0, n_save=11)
    r = impl.recall(make_model("hopfield"), p, cues, s, seed=0)
    assert r.attrs["model_agreement"] == 1.0
    assert np.all(np.where(r.final >= 0, 1, -1) == p.xi[cues.targets])
    assert 0 < r.attrs["settle_time_mean_s"] <= 10 * s.neuron_tau


def test_spice_implementations_refuse_what_they_cannot_realise():
    from neuroam import implementations
    from neuroam.models import make_model

    osc = implementations.get("oscillator-spice")
    with pytest.raises(UnsupportedError, match="oscillator-spice"):
        osc.check_model(make_model("exponential"), osc.settings())
    xb = implementations.get("crossbar-spice")
    with pytest.raises(UnsupportedError, match="crossbar-spice"):
        xb.check_model(make_model("hopfield", form="bipartite"), xb.settings())
    p, cues = _small_problem()
    with pytest.raises(UnsupportedError, match="noise"):
        osc.network(make_model("hopfield"), p, cues, osc.settings(noise=0.1))


def test_missing_ngspice_is_a_clear_error(monkeypatch):
    import neuroam.spice.run as run

    monkeypatch.setattr(run.shutil, "which", lambda name: None)
    with pytest.raises(UnsupportedError, match="ngspice"):
        run.require_ngspice()


@NGSPICE
@pytest.mark.slow
def test_reduced_circuits_vs_models_agree(tmp_path):
    """circuits_vs_models reduced to its weak-coupling points: 8 of the 16 cues (targets
    0–3 twice), one grid point per label (``circuit`` and ``circuit-dense`` at μτ = 20,
    ``circuit-shil`` at K_s = 0.3, ``loop`` / ``loop-wires`` at the crossbar-spice defaults:
    TIA 1 GHz, neuron gain 10, the card's 1 Ω wires). Every SPICE run must end in the
    same ±1 state as its behavioural model on ≥ 95 % of the cues (here: all 8). The
    strong-coupling, strong-SHIL and slow-TIA points, where agreement is expected to fall
    off, are left out."""
    import subprocess
    import sys

    import h5py

    sets = ['sweep.grid={"implementations.circuit.amplitude_rate" = [20.0], '
            '"implementations.circuit-dense.amplitude_rate" = [20.0]}',
            "cues.targets=[0, 1, 2, 3, 0, 1, 2, 3]"]
    cmd = [sys.executable, "-m", "neuroam", "run", "circuits_vs_models", "--out", str(tmp_path)]
    for item in sets:
        cmd += ["--set", item]
    subprocess.run(cmd, check=True, capture_output=True, text=True)
    found = {}
    with h5py.File(tmp_path / "results.h5") as f:
        for label, runs in f["runs"].items():
            for grp in runs.values():
                if "attr.model_agreement" in grp.attrs:
                    found[label] = float(grp.attrs["attr.model_agreement"])
    assert set(found) == {"circuit", "circuit-dense", "circuit-shil", "loop", "loop-wires"}, found
    assert all(v >= 0.95 for v in found.values()), found
