"""Recall on the crossbar: ideal equivalence, He et al.'s rule ordering under faults,
stuck devices vs zeroed weights, PCM drift and compensation, no recompilation, HDF5."""

import numpy as np
import pytest
import xarray as xr

import neuroam as na
from neuroam.dynamics.common import TRACES
from neuroam.errors import UnsupportedError
from neuroam.scenario import load_scenario, loads_scenario
from neuroam.sweep import run_study


@pytest.fixture(scope="module")
def he_setup():
    """He et al.'s sweep size: D = 64, K = 10 random patterns, cues with 10 % flips."""
    pats = na.patterns.random_binary(K=10, D=64, seed=0)
    cues = na.cues.flip(pats, rate=0.1, trials_per_pattern=2, seed=1)
    return pats, cues


def _overlap(model, pats, cues, **settings):
    res = na.recall(model, pats, cues, "crossbar", **settings)
    return na.metrics.summarize(res, pats)["mean_final_overlap"], res


HOP = na.make_model("hopfield")
DENSE = na.make_model("exponential", form="bipartite", beta=4.0)


def test_ideal_card_without_faults_reproduces_ideal_recall_exactly(he_setup):
    pats, cues = he_setup
    T = cues.n_trials
    ideal = dict(device="ideal-memristor", circuit="crossbar-ideal")
    model = na.make_model("hopfield", rule="storkey")
    ref = na.recall(model, pats, cues, "ideal-discrete", mode="sync", max_sweeps=100)
    res = na.recall(model, pats, cues, "crossbar", **ideal)
    for d in range(4):
        part = slice(d * T, (d + 1) * T)
        np.testing.assert_array_equal(res.final[part], ref.final)
        np.testing.assert_array_equal(res.status[part], ref.status)
        np.testing.assert_allclose(res.overlaps[part], ref.overlaps, equal_nan=True)
        np.testing.assert_allclose(res.energies[part], ref.energies, rtol=1e-5, equal_nan=True)
    pats20 = na.patterns.random_binary(K=20, D=64, seed=2)
    cues20 = na.cues.flip(pats20, rate=0.1, trials_per_pattern=2, seed=3)
    ref = na.recall(DENSE, pats20, cues20, "ideal-discrete", mode="sync", max_sweeps=100)
    res = na.recall(DENSE, pats20, cues20, "crossbar", **ideal)
    np.testing.assert_array_equal(res.final[:cues20.n_trials], ref.final)
    np.testing.assert_allclose(res.energies[:cues20.n_trials], ref.energies, rtol=1e-5,
                               equal_nan=True)


def test_rule_ordering_at_half_zeroed_weights_matches_he_et_al(he_setup):
    """p = 0.5 zeroed weights (He et al. 2025: Hebbian 0.48, Storkey 0.70, pseudo-inverse
    0.73, fault-aware ≈ 1.0, cosine similarity): Hebbian far below Storkey and
    pseudo-inverse, fault-aware training near perfect."""
    pats, cues = he_setup
    m = {rule: _overlap(HOP, pats, cues, rule=rule, fault_rate=0.5, fault_kind="zero")[0]
         for rule in ("hebbian", "storkey", "pseudo-inverse", "fault-aware")}
    assert m["hebbian"] < m["storkey"] - 0.15
    assert m["hebbian"] < m["pseudo-inverse"] - 0.15
    assert m["fault-aware"] > 0.97
    assert m["fault-aware"] >= max(m["storkey"], m["pseudo-inverse"])


def test_stuck_devices_are_not_zeroed_weights(he_setup):
    """At p = 0.1 the abstraction misleads: stuck-ON devices make large spurious weights
    that wreck rules blind to them, where zeroed weights barely hurt; fault-aware training
    knows the stuck devices and keeps recall perfect."""
    pats, cues = he_setup
    for rule in ("storkey", "pseudo-inverse"):
        zero, _ = _overlap(HOP, pats, cues, rule=rule, fault_rate=0.1, fault_kind="zero")
        stuck, res = _overlap(HOP, pats, cues, rule=rule, fault_rate=0.1, fault_kind="stuck")
        assert zero > 0.98 and stuck < zero - 0.3
        assert res.attrs["affected_weight_fraction"] == pytest.approx(0.19, abs=0.01)
    aware, _ = _overlap(HOP, pats, cues, rule="fault-aware", fault_rate=0.1, fault_kind="stuck")
    assert aware > 0.98


def test_numbers_do_not_recompile(he_setup):
    pats, cues = he_setup
    _overlap(HOP, pats, cues, rule="hebbian", fault_rate=0.1)
    before = TRACES["crossbar"]
    for kw in (dict(fault_rate=0.3), dict(fault_kind="zero", fault_model="lines"),
               dict(rule="storkey", device="pcm-aihwkit", drift_time=86400.0,
                    drift_compensation=True), dict(fault_model="clustered", levels=16)):
        _overlap(HOP, pats, cues, **{"rule": "hebbian", **kw})
    assert TRACES["crossbar"] == before


def test_pcm_drift_is_visible_and_compensation_restores_recall():
    """Softmax periphery with β = 4: drift shrinks the overlaps read from the array (an
    effective β ≈ 2 after a year) and recall degrades (mean overlap ≈ 0.72: trials stop
    once their flips are within the read noise; 0.55 with noise_margin = 0, when they
    wander on until a sweep happens to flip nothing); one digital gain per chip restores it."""
    pats = na.patterns.random_binary(K=20, D=64, seed=2)
    cues = na.cues.flip(pats, rate=0.1, trials_per_pattern=2, seed=3)
    pcm = dict(device="pcm-aihwkit", circuit="crossbar-64")
    m = {}
    for t in (1.0, 3.15e7):
        for comp in (False, True):
            m[t, comp], res = _overlap(DENSE, pats, cues, drift_time=t, drift_compensation=comp,
                                       **pcm)
    assert m[1.0, False] > 0.99 and m[1.0, True] > 0.99
    assert m[3.15e7, False] < 0.8
    assert m[3.15e7, True] > 0.99
    assert res.attrs["compensation_mean"] == pytest.approx(2.0, abs=0.3)


def test_models_the_crossbar_cannot_store(he_setup):
    pats, cues = he_setup
    with pytest.raises(UnsupportedError, match="form='bipartite'"):
        na.recall(na.make_model("polynomial", n=3), pats, cues, "crossbar")
    real = na.patterns.PatternSet(np.random.default_rng(0).standard_normal((3, 64)), kind="real")
    with pytest.raises(UnsupportedError, match="dynamics"):
        na.recall(DENSE, real, na.cues.make_cues(real, "noise", sigma=0.1, seed=0), "crossbar")


SCENARIO = """
[scenario]
name = "xbar"
seed = 0
[patterns]
generator = "random_binary"
K = 10
D = 64
[model]
name = "hopfield"
[cues]
kind = "flip"
rate = 0.1
trials_per_pattern = 2
[implementations.chip]
name = "crossbar"
device = "rram-hfo2"
rule = "hebbian"
fault_rate = 0.25
fault_kind = "stuck"
fault_model = "lines"
"""


def test_fault_masks_and_conductance_maps_are_stored(tmp_path):
    outcome = run_study(loads_scenario(SCENARIO), tmp_path / "out")
    assert not outcome.failed
    path = outcome.results
    ds = xr.open_dataset(path, group="runs/chip/p000-s0", engine="h5netcdf")
    assert ds.fault_mask.dims == ("draw", "row", "col") and ds.fault_mask.shape == (4, 64, 64)
    assert ds.conductance.dims == ("draw", "device_row", "device_col")
    assert ds.conductance.shape == (4, 64, 128) and ds.conductance.attrs["units"] == "S"
    stuck = ds.stuck.values != 0
    assert stuck.mean() == pytest.approx(0.25, abs=0.03)
    g = ds.conductance.values
    assert np.allclose(g[ds.stuck.values == 1], 50e-6)  # stuck OFF at the card's g_min
    assert ds.draw.shape == (80,) and ds.final.shape == (80, 64)


def test_fault_tolerance_scenario_is_valid():
    sc = load_scenario("scenarios/fault_tolerance.toml", deep=False)
    runs = sc.runs()
    assert len(runs) == 2 * 5 * 8 * 3
    assert {r.params["implementations.rram.rule"] for r in runs} >= {"fault-aware", "model"}
    assert load_scenario("scenarios/pcm_drift.toml", deep=False).runs()


@pytest.mark.slow
def test_async_and_ode_dynamics_run(he_setup):
    pats, cues = he_setup
    for dyn in ("async", "ode"):
        m, res = _overlap(HOP, pats, cues, rule="pseudo-inverse", dynamics=dyn, max_steps=40,
                          dt=0.25)
        assert m > 0.95 and res.time_unit == ("tau" if dyn == "ode" else "sweep")


@pytest.mark.slow
def test_bernoulli_faults_and_the_zero_diagonal_option(he_setup):
    """He et al.'s protocol as options: Bernoulli(p) zeroed weights (the faulty count
    varies per chip, with the binomial spread), symmetric masks, and the pseudo-inverse
    without its self-coupling (the diagonal of a rank-K projector sums to K)."""
    pats, cues = he_setup
    ideal = dict(device="ideal-memristor", circuit="crossbar-ideal", fault_kind="zero",
                 rule="pseudo-inverse", n_draws=8)
    D = pats.D
    res = na.recall(HOP, pats, cues, "crossbar", fault_model="bernoulli", fault_rate=0.3,
                    **ideal)
    frac = res.extras["fault_mask"].data.reshape(8, -1).mean(axis=1)
    assert abs(frac.mean() - 0.3) < 3 * np.sqrt(0.3 * 0.7 / (8 * D * D))
    assert frac.std() > 0  # not an exact count
    sym = na.recall(HOP, pats, cues, "crossbar", fault_model="bernoulli-symmetric",
                    fault_rate=0.3, **ideal).extras["fault_mask"].data
    assert np.array_equal(sym, np.swapaxes(sym, -1, -2))
    W = na.recall(HOP, pats, cues, "crossbar", **ideal).extras["weight_effective"].data[0]
    assert np.trace(W) == pytest.approx(pats.K, rel=1e-3)
    W0 = na.recall(HOP, pats, cues, "crossbar", zero_diagonal=True,
                   **ideal).extras["weight_effective"].data[0]
    assert np.allclose(np.diag(W0), 0.0, atol=1e-6)
    off = ~np.eye(D, dtype=bool)
    np.testing.assert_allclose(W0[off], W[off], atol=1e-5)


def test_zero_diagonal_reaches_a_hopfield_model_programmed_as_is(he_setup):
    """(The default 4 chips: the compiled loop of the He et al. tests above.)"""
    pats, cues = he_setup
    model = na.make_model("hopfield", rule="pseudo-inverse")
    ideal = dict(device="ideal-memristor", circuit="crossbar-ideal")
    W = na.recall(model, pats, cues, "crossbar", zero_diagonal=True,
                  **ideal).extras["weight_effective"].data
    assert W.shape == (4, 64, 64)
    assert np.allclose(np.diagonal(W, axis1=1, axis2=2), 0.0, atol=1e-6)
