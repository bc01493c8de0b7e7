"""Kuramoto oscillator implementation: energy form, fixed points, descent, capacity, escape, errors."""

import math
from pathlib import Path

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import neuroam as na

from helpers import fast_subset
from neuroam.dynamics.common import TRACES
from neuroam.errors import CardError, ModelError, UnsupportedError, ValueRangeError
from neuroam.oscillator import (Hardware, build_dynamics, escape_times, ideal_energy,
                                lift, pairwise_tensor_energy, quartic_tensor_energy, readout)
from neuroam.results import Status

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def x64():
    """JAX's x64 mode for this test only (switching it process-wide would change every
    later test)."""
    with jax.enable_x64(True):
        yield


def _discrete_fixed_point(model, pats, sigma) -> bool:
    """No single flip lowers the DenseAM energy of the ±1 state ``sigma``."""
    syn = model.one_layer().bind(pats).synapses[0]
    e0 = float(syn.energy(jnp.asarray(sigma)))
    flips = np.where(np.eye(len(sigma), dtype=bool), -sigma[None, :], sigma[None, :])
    e = np.asarray(jax.vmap(syn.energy)(jnp.asarray(flips)))
    return bool(np.all(e >= e0 - 1e-6 * (1 + abs(e0))))


# ------------------------------------------------------------------ the energy itself


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_quartic_overlap_form_equals_explicit_tensor(seed, x64):
    """O(K·N) overlap form == the explicit N⁴ tensor form, energy and forces, tiny N."""
    pats = na.patterns.random_binary(K=3, D=7, seed=seed)
    theta = jnp.asarray(np.random.default_rng(seed).uniform(-np.pi, np.pi, 7))
    for l2, l4 in [(0.0, 1.0), (0.7, 1.3)]:
        plan = lift(na.make_model("hopfield"), pats, pairwise=l2, quartic=l4)
        E = ideal_energy(plan, pats, jnp.float64)
        e, force, e_ref, grad_ref = _overlap_and_tensor_forms(
            E, jnp.asarray(pats.xi, jnp.float64), theta, jnp.float64(l2), jnp.float64(l4))
        np.testing.assert_allclose(float(e), float(e_ref), rtol=1e-12)
        np.testing.assert_allclose(np.asarray(force), -np.asarray(grad_ref), atol=1e-12)


@eqx.filter_jit
def _overlap_and_tensor_forms(E, xi, theta, l2, l4):
    """E(θ) and −∂E/∂θ of the overlap form, and the explicit tensor form and its gradient:
    one compiled program for every seed and strength (eagerly, each op compiles)."""
    def ref(th):
        return pairwise_tensor_energy(xi, th, l2) + quartic_tensor_energy(xi, th, l4)

    return E(theta), E.forces(theta)[0], ref(theta), jax.grad(ref)(theta)


@pytest.mark.parametrize("name,params", [("hopfield", {}), ("hopfield", {"rule": "hebbian"}),
                                         ("hopfield", {"rule": "storkey"}),
                                         ("polynomial", {"n": 2}), ("polynomial", {"n": 4})])
def test_binary_limit_is_the_model_energy(name, params):
    """On phases 0/π the oscillator energy equals the model's DenseAM energy exactly."""
    pats = na.patterns.random_binary(K=4, D=20, seed=3)
    model = na.make_model(name, **params)
    E = ideal_energy(lift(model, pats), pats)
    syn = model.bind(pats).synapses[0]
    rng = np.random.default_rng(0)
    for sigma in [pats.xi[0], -pats.xi[1], np.where(rng.random(20) < 0.5, 1.0, -1.0)]:
        theta = jnp.asarray(np.where(sigma > 0, 0.0, np.pi), jnp.float32)
        np.testing.assert_allclose(float(E(theta)), float(syn.energy(jnp.asarray(sigma))),
                                   rtol=1e-5, atol=1e-5)
        np.testing.assert_array_equal(readout(np.asarray(theta)), sigma)


def test_misalignment_is_a_phase_lag_of_the_coupling(x64):
    """With weights W, the misaligned drive is Σ_j W_ij sin(θ_j − θ_i − α) (Sakaguchi)."""
    pats = na.patterns.random_binary(K=3, D=9, seed=1)
    plan = lift(na.make_model("hopfield", rule="storkey"), pats)
    hw = Hardware.from_card("oscillator-ideal", misalignment=0.4)
    dyn, _ = build_dynamics(plan, pats, hw, seed=0, injection=0.0, ramp=0.0, dtype=jnp.float64)
    theta = np.random.default_rng(2).uniform(-np.pi, np.pi, 9)
    d = theta[None, :] - theta[:, None] - 0.4
    expected = np.sum(plan.W * np.sin(d), axis=1)
    velocity = eqx.filter_jit(lambda dyn, th: dyn.velocity(0.0, th))  # one program, not op by op
    np.testing.assert_allclose(np.asarray(velocity(dyn, jnp.asarray(theta))), expected, atol=1e-10)


# ------------------------------------------------------------------ recall


@pytest.mark.parametrize("name,params,injection", [
    pytest.param("hopfield", {}, 0.3, marks=pytest.mark.slow), ("polynomial", {"n": 4}, 0.0)])
@pytest.mark.parametrize("seed", [0, 1])
def test_same_binary_fixed_points_as_the_ideal_dense_am(name, params, injection, seed):
    """Zero noise and detuning: the ±1 read-out of every trial equals the ideal DenseAM's
    (n = 2 pairwise, n = 4 quartic) on the same cues, and is a discrete fixed point."""
    model = na.make_model(name, **params)
    pats, cues = _fp_inputs(seed) if name == "polynomial" else _pairwise_fp_inputs(seed)
    osc = na.recall(model, pats, cues, "oscillator", t1=100.0, injection=injection)
    ide = na.recall(model, pats, cues, "ideal-ode", t1=100.0, save_states=False)
    assert (osc.status == Status.CONVERGED).all()
    s_osc, s_ide = np.sign(osc.final), np.sign(ide.final)
    np.testing.assert_array_equal(s_osc, s_ide)
    assert all(_discrete_fixed_point(model, pats, s) for s in s_osc)
    np.testing.assert_array_equal(na.metrics.outcomes(osc, pats), na.metrics.outcomes(ide, pats))


#: float64 settings of the energy and capacity tests (one shared compilation)
F64 = dict(dtype="float64", n_save=120, steady_stop=False)


def _loaded_inputs(rate):
    """K = 12 patterns of N = 40 (K/N = 0.3, far above the Hopfield limit), 12 cues."""
    pats = na.patterns.random_binary(K=12, D=40, seed=7)
    return pats, na.cues.flip(pats, rate=rate, trials_per_pattern=1, seed=8)


@pytest.mark.parametrize("name,params,settings", fast_subset([
    ("hopfield", {}, {"injection": 0.3}),
    ("hopfield", {}, {"injection": 0.5, "injection_ramp": 20.0}),  # time-dependent injection
    ("hopfield", {"rule": "storkey"}, {"injection": 0.2}),
    ("polynomial", {"n": 4}, {}),
    ("hopfield", {}, {"pairwise": 0.1, "quartic": 1.0, "injection": 0.1}),
    ("polynomial", {"n": 4}, {"device": "oscillator-ring-cmos", "detuning": 0.0, "noise": 0.0,
                              "misalignment": 0.0, "injection": 0.05}),  # coupling spread only
], {1, 3, 5}))
def test_energy_never_increases_without_misalignment(name, params, settings):
    """Noiseless, no detuning, no misalignment: the oscillator energy is non-increasing."""
    pats, cues = _loaded_inputs(rate=0.3)
    res = na.recall(na.make_model(name, **params), pats, cues, "oscillator", t1=40.0,
                    rtol=1e-8, atol=1e-10, **F64, **settings)
    assert np.isfinite(res.energies).all()
    assert na.metrics.energy_increase(res.energies).max() <= 1e-9
    assert (res.energies[:, -1] < res.energies[:, 0]).all()


def test_misalignment_breaks_energy_descent():
    """A phase lag adds an even (non-gradient) coupling component: the energy can rise."""
    pats, cues = _loaded_inputs(rate=0.3)
    res = na.recall(na.make_model("polynomial", n=4), pats, cues, "oscillator", t1=40.0,
                    rtol=1e-8, atol=1e-10, misalignment=0.6, injection=0.2, **F64)
    assert not na.metrics.energy_monotone(res.energies).all()


def test_quartic_capacity_exceeds_pairwise():
    """At a load well above the Hopfield limit (K/N = 0.3) only the quartic coupling retrieves."""
    pats, cues = _loaded_inputs(rate=0.1)
    common = dict(t1=100.0, injection=0.3, injection_ramp=20.0, **F64)
    pair = na.recall(na.make_model("hopfield"), pats, cues, "oscillator", **common)
    quart = na.recall(na.make_model("hopfield"), pats, cues, "oscillator", pairwise=0.0,
                      quartic=1.0, **common)
    acc_pair = na.metrics.summarize(pair, pats)["accuracy"]
    acc_quart = na.metrics.summarize(quart, pats)["accuracy"]
    assert acc_quart >= 0.9 and acc_pair <= 0.5, (acc_pair, acc_quart)


def _escape_time(N, *, D=0.16, trials=32, t1=300.0):
    pats = na.patterns.random_binary(K=1, D=N, seed=0)
    cues = na.cues.exact(pats, trials_per_pattern=trials)
    res = na.recall(na.make_model("polynomial", n=4), pats, cues, "oscillator", start="target",
                    noise=D, t1=t1, dt=0.1, solver="euler", save_states=False,
                    n_save=int(t1) + 1, seed=N)
    esc = res.extras["escape_time"].data
    assert res.attrs["escape_events"] == np.isfinite(esc).sum()
    return res.attrs["escape_exposure"] / max(res.attrs["escape_events"], 1.0)


@pytest.mark.slow
def test_escape_time_grows_with_network_size():
    """Bistable quartic memory under phase noise: the mean escape time grows with N
    (fast version: N = 16 and 64; exponential growth is the slow test)."""
    assert _escape_time(64) > 3 * _escape_time(16)


@pytest.mark.slow
def test_escape_time_grows_exponentially_with_network_size():
    Ns = np.array([16, 32, 64, 128])
    taus = np.array([_escape_time(int(N), trials=64, t1=600.0) for N in Ns])
    assert np.all(np.diff(taus) > 0), taus
    slope = np.polyfit(Ns, np.log(taus), 1)[0]
    assert slope > 0.01, (taus, slope)


# ------------------------------------------------------------------ plumbing


def _fp_inputs(seed=0):
    """The shapes of the (quartic) fixed-point test (K = 8, N = 64, 16 trials; 25 % flips):
    tests that use them share its compilations. They are those of tests/test_astrocyte.py's
    ``small`` fixture, so the fixed-point test's ideal-ode reference (quartic model, no
    saved states) is that fixture's compiled program, and
    tests/test_costs_spiking_oscillator.py's oscillator runs share the oscillator ODE
    program."""
    pats = na.patterns.random_binary(K=8, D=64, seed=seed)
    return pats, na.cues.flip(pats, rate=0.25, trials_per_pattern=2, seed=seed + 10)


def _pairwise_fp_inputs(seed=0):
    """The pairwise (slow) case's lighter load: K = 4, N = 48, 12 trials (at K/N = 1/8 some
    Hopfield trials do not settle by t1)."""
    pats = na.patterns.random_binary(K=4, D=48, seed=seed)
    return pats, na.cues.flip(pats, rate=0.25, trials_per_pattern=3, seed=seed + 10)


def _sde_inputs(seed=0):
    """Phase-noise runs in the shapes and settings of tests/test_reproduce_dynamics.py's
    mean-field run (K ≤ 4, N = 256, 4 trials, Heun, 41 saves, no saved states): one
    compiled SDE program between them."""
    pats = na.patterns.random_binary(K=4, D=256, seed=seed)
    cues = na.cues.flip(pats, rate=0.1, trials_per_pattern=1, seed=seed + 10)
    return pats, cues, dict(solver="heun", n_save=41, save_states=False)


def test_result_readout_and_extras():
    pats, cues = _fp_inputs(5)
    res = na.recall(na.make_model("polynomial", n=4), pats, cues, "oscillator", t1=30.0)
    assert res.implementation == "oscillator" and res.time_unit == "tau"
    phase = res.extras["phase"].data
    ok = np.isfinite(phase)
    np.testing.assert_allclose(res.states[ok], np.cos(phase[ok]), atol=1e-5)
    np.testing.assert_allclose(res.final, np.cos(res.extras["final_phase"].data), atol=1e-6)
    m, ov = res.extras["phase_overlap"].data, res.overlaps
    fin = np.isfinite(m)
    assert m.shape == ov.shape and (m[fin] >= np.abs(ov[fin]) - 1e-5).all()
    assert np.isfinite(m[:, 0]).all() and np.isnan(m).any()  # early stops leave NaN samples
    assert res.extras["natural_frequency"].dims == ("neuron",)
    assert "F(u) = 1·u^4/4" in res.attrs["binary_limit"]
    assert res.attrs["tau_s"] == pytest.approx(1e-8)


def test_changing_numbers_does_not_recompile():
    pats, cues = _fp_inputs(6)
    noisy_pats, noisy_cues, sde = _sde_inputs(6)
    model = na.make_model("hopfield")
    kw = dict(t1=10.0, quartic=0.0)
    na.recall(model, pats, cues, "oscillator", **kw)
    na.recall(model, noisy_pats, noisy_cues, "oscillator", noise=0.05, **kw, **sde)
    before = dict(TRACES)
    for extra in [dict(detuning=0.1), dict(misalignment=0.2, injection=0.4), dict(quartic=1.0),
                  dict(device="oscillator-vo2", noise=0.0), dict(pairwise=0.0, quartic=2.0)]:
        na.recall(model, pats, cues, "oscillator", **{**kw, **extra})
    na.recall(model, noisy_pats, noisy_cues, "oscillator", noise=0.2, coupling_spread=0.3,
              **kw, **sde)
    na.recall(na.make_model("polynomial", n=4), noisy_pats, noisy_cues, "oscillator", noise=0.2,
              t1=10.0, **sde)
    assert dict(TRACES) == before


def test_noise_is_seeded_per_trial():
    pats, cues, sde = _sde_inputs(7)
    model = na.make_model("polynomial", n=4)
    a, b, c = (na.recall(model, pats, cues, "oscillator", noise=0.1, t1=10.0, seed=s, **sde)
               for s in (3, 3, 4))
    np.testing.assert_array_equal(a.final, b.final)
    assert not np.array_equal(a.final, c.final)


def test_escape_times_from_phase_overlaps():
    times = np.arange(6.0)
    m = np.array([[0.9, 0.85, 0.5, 0.3, 0.2, 0.1],  # retrieved at 0, escapes at 3
                  [0.5, 0.9, 0.9, 0.9, 0.9, 0.9],   # retrieved at 1, never escapes
                  [0.1, 0.1, 0.1, 0.1, 0.1, 0.1]])  # never retrieved
    esc = escape_times(times, m[:, :, None], np.zeros(3, int))
    assert esc.time[0] == 3.0 and np.isnan(esc.time[1:]).all()
    assert esc.retrieved.tolist() == [True, True, False]
    assert esc.events == 1 and esc.exposure == 3.0 + 4.0
    assert esc.mle == pytest.approx(7.0)


def test_cards_convert_to_model_units():
    hw = Hardware.from_card("oscillator-ring-cmos")
    assert hw.detuning == pytest.approx(2 * math.pi * 1e9 * 0.002 / 6.3e7)
    assert hw.noise == pytest.approx(math.pi * 6.3e3 / 6.3e7)
    for name in ("oscillator-ideal", "oscillator-vo2", "oscillator-shno"):
        Hardware.from_card(name)
    assert Hardware.from_card(ROOT / "devices" / "oscillator-vo2.toml").card == "oscillator-vo2"


# ------------------------------------------------------------------ bad input


def test_bad_input_gives_neuroam_errors(tmp_path):
    pats = na.patterns.random_binary(K=2, D=8, seed=0)
    cues = na.cues.flip(pats, rate=0.1, seed=0)
    hop = na.make_model("hopfield")
    with pytest.raises(CardError, match="oscillator-nope"):
        na.recall(hop, pats, cues, "oscillator", device="oscillator-nope")
    with pytest.raises(CardError, match="kind"):
        na.recall(hop, pats, cues, "oscillator", device="astrocyte-tutorial")
    with pytest.raises(ValueRangeError, match="noise"):
        na.recall(hop, pats, cues, "oscillator", noise=-0.1)
    with pytest.raises(ValueRangeError, match="detuning"):
        na.recall(hop, pats, cues, "oscillator", detuning=-1.0)
    bad = tmp_path / "osc-bad.toml"
    bad.write_text((ROOT / "devices" / "oscillator-ideal.toml").read_text()
                   .replace("value = 0.0\nunit = \"Hz\"", "value = -5.0\nunit = \"Hz\""))
    with pytest.raises(CardError, match="linewidth"):
        na.recall(hop, pats, cues, "oscillator", device=str(bad))
    with pytest.raises(UnsupportedError, match="polynomial"):
        na.recall(na.make_model("polynomial", n=3), pats, cues, "oscillator")
    with pytest.raises(UnsupportedError, match="oscillator"):
        na.recall(na.make_model("lse", beta=0.1), pats, cues, "oscillator")
    with pytest.raises(UnsupportedError, match="method"):
        na.recall(hop, pats, cues, "oscillator", noise=0.1, method="ode")
    with pytest.raises(ModelError, match="zero"):
        na.recall(hop, pats, cues, "oscillator", pairwise=0.0)
    real = na.patterns.gaussian(K=2, D=8, seed=0)
    with pytest.raises(UnsupportedError, match="binary"):
        na.recall(hop, real, na.cues.noise(real, sigma=0.1, seed=0), "oscillator")
    with pytest.raises(UnsupportedError, match="target"):
        na.recall(hop, pats, na.cues.random(pats, 3, seed=0), "oscillator", start="target")


def test_scenario_validates():
    from neuroam.scenario import load_scenario

    sc = load_scenario(ROOT / "scenarios" / "kuramoto_dense.toml", deep=False)
    assert {cfg.name for cfg in sc.implementations.values()} == {"oscillator"}
