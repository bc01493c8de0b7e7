"""Energy and latency per recall on the crossbar: Σ V²·G·t by hand, conversions, faults,
products per step, scaling with sweeps and pulse, and the run summary."""

import dataclasses
import tomllib
import types
from pathlib import Path

import numpy as np
import pytest

import neuroam as na
from neuroam.cards import load_card
from neuroam.costs.crossbar import circuit_costs, crossbar_cost, device_sums
from neuroam.crossbar import load_circuit, make_layout
from neuroam.crossbar.chip import program_model
from neuroam.errors import CardError
from neuroam.results import Extra
from neuroam.scenario import loads_scenario
from neuroam.sweep.execute import run_one

ROOT = Path(__file__).resolve().parents[1]
HEB = na.make_model("hopfield", rule="hebbian")
DENSE = na.make_model("exponential", form="bipartite", beta=4.0)


def _circuit_copy(tmp_path, name, drop=(), **changes):
    """A copy of ``circuits/<name>.toml`` with some values changed or parameters dropped."""
    data = tomllib.loads((ROOT / "circuits" / f"{name}.toml").read_text())
    lines = ['kind = "crossbar"', f'name = "{name}-edited"']
    for key, p in data["params"].items():
        if key in drop:
            continue
        v = changes.get(key, p["value"])
        v = f'"{v}"' if isinstance(v, str) else repr(v)
        lines += [f"[params.{key}]", f"value = {v}", f'unit = "{p["unit"]}"', 'source = "test"']
    path = tmp_path / f"{name}-edited.toml"
    path.write_text("\n".join(lines))
    return str(path)


@pytest.fixture(scope="module")
def small():
    pats = na.patterns.random_binary(K=3, D=24, seed=0)
    return pats, na.cues.flip(pats, rate=0.1, trials_per_pattern=2, seed=1)


def test_device_sums_are_sigma_g_of_a_tiny_4x4_crossbar(tmp_path):
    """Known conductances on one 4-input tile: a forward read of ±1 inputs touches every
    device; a transposed read drives pairs with u_k and the reference with −Σu."""
    rng = np.random.default_rng(0)
    for name, cols in (("crossbar-64", 8), ("crossbar-offset-32", 5)):
        circuit = load_circuit(_circuit_copy(tmp_path, name, tile_rows=4, tile_cols=cols))
        layout = make_layout(4, 4, circuit)
        G = rng.uniform(1e-6, 1e-4, (1, 1, 1, 4, cols))
        sums = device_sums(types.SimpleNamespace(layout=layout, g=G))
        g = G[0, 0, 0]
        np.testing.assert_allclose(sums.forward_row().sum(), g.sum(), rtol=1e-12)
        u = rng.uniform(-1, 1, (1, 4))
        if cols == 8:
            hand = np.sum(u[0] ** 2 * (g[:, 0::2] + g[:, 1::2]))
        else:
            hand = np.sum(u[0] ** 2 * g[:, :4]) + u.sum() ** 2 * g[:, 4].sum()
        np.testing.assert_allclose(sums.transposed(u, np.zeros(1, int)), hand, rtol=1e-12)
        sweep = g.sum() + (3 * g[:, 4].sum() if cols == 5 else 0.0)  # ref read with each output
        np.testing.assert_allclose(sums.forward_sweep(), sweep, rtol=1e-12)


def test_read_energy_is_v2_g_t_of_the_programmed_weights(small):
    """Ideal devices (g_min = 0, no noise): g⁺ + g⁻ = g_max |w| / w_max per weight, so a
    read of ±1 inputs costs V² t g_max Σ|M| / max|M|; ideal converters cost nothing.
    (The module's problem: device and circuit cards are numbers of the recall loop, so
    this reuses the compiled loop of the other Hebbian tests here.)"""
    pats, cues = small
    s = dict(device="ideal-memristor", circuit="crossbar-ideal", n_draws=2)
    res = na.recall(HEB, pats, cues, "crossbar", **s)
    impl = na.implementations.get("crossbar")
    chip = program_model(HEB, pats, impl.settings(**s), seed=0)
    M = chip.plan.M
    card = load_card("crossbar-ideal", folder="circuit")
    v, t = card.value("read_voltage"), card.value("read_time")
    per_read = v ** 2 * t * 100e-6 * np.abs(M).sum() / np.abs(M).max()
    a = res.attrs
    steps = np.mean(res.extras["n_steps"].data)
    assert a["cost.reads"] == pytest.approx(steps)
    assert a["cost.read_J"] == pytest.approx(steps * per_read, rel=1e-9)
    assert a["cost.dac_J"] == 0 and a["cost.adc_J"] == 0
    assert a["energy_per_recall_J"] == pytest.approx(a["cost.read_J"])
    assert a["latency_per_recall_s"] == pytest.approx(steps * t)
    assert "crossbar-ideal" in a["cost_basis"] and "NeuroSim" in a["cost_basis"]


def _chip_and_result(model, pats, cues, **kw):
    impl = na.implementations.get("crossbar")
    s = impl.settings(**kw)
    return program_model(model, pats, s, seed=0), na.recall(model, pats, cues, "crossbar", **kw)


def test_energy_is_linear_in_sweeps_and_read_energy_in_the_pulse(small, tmp_path):
    pats, cues = small
    chip, res = _chip_and_result(HEB, pats, cues, n_draws=2)
    base = crossbar_cost(res, chip, dynamics="sync")
    assert base.energy_J == pytest.approx(res.attrs["energy_per_recall_J"])
    steps = res.extras["n_steps"]
    doubled = res.replace(extras={**res.extras, "n_steps": Extra(steps.dims, 2 * steps.data)})
    twice = crossbar_cost(doubled, chip, dynamics="sync")
    assert twice.energy_J == pytest.approx(2 * base.energy_J, rel=1e-9)
    assert twice.latency_s == pytest.approx(2 * base.latency_s, rel=1e-9)
    slow = _circuit_copy(tmp_path, "crossbar-64", read_time=30e-9)
    chip3 = dataclasses.replace(chip, circuit=load_circuit(slow))
    long = crossbar_cost(res, chip3, dynamics="sync")
    assert long.breakdown["read_J"] == pytest.approx(3 * base.breakdown["read_J"], rel=1e-9)
    assert long.breakdown["array_s"] == pytest.approx(3 * base.breakdown["array_s"], rel=1e-9)
    assert long.breakdown["adc_J"] == base.breakdown["adc_J"]
    assert long.breakdown["dac_J"] == base.breakdown["dac_J"]


def test_conversions_follow_the_tiles(small):
    """D = 24 on 64-row tiles: one tile; 24 DAC and 24 ADC conversions per read, 8 in
    series on each of the tile's ADCs (8 outputs per ADC)."""
    pats, cues = small
    res = na.recall(HEB, pats, cues, "crossbar", n_draws=2)
    a, c = res.attrs, circuit_costs(load_circuit("crossbar-64"))
    reads = a["cost.reads"]
    assert a["cost.dac_conversions"] == pytest.approx(24 * reads)
    assert a["cost.adc_conversions"] == pytest.approx(24 * reads)
    assert a["cost.adc_J"] == pytest.approx(24 * reads * c.adc_energy)
    assert a["latency_per_recall_s"] == pytest.approx(reads * (c.read_time + 8 * c.adc_time))


def test_stuck_off_devices_lower_and_stuck_on_raise_the_read_energy(small):
    pats, cues = small
    per_read = {}
    for on in (None, 0.0, 1.0):
        kw = dict(n_draws=2) if on is None else dict(n_draws=2, fault_rate=0.3,
                                                     stuck_on_fraction=on)
        res = na.recall(HEB, pats, cues, "crossbar", **kw)
        per_read[on] = res.attrs["cost.read_J"] / res.attrs["cost.reads"]
    assert per_read[0.0] < 0.95 * per_read[None]
    assert per_read[1.0] > 1.2 * per_read[None]


def test_bipartite_costs_two_products_per_step(small):
    """The DenseAM on the bipartite problem of tests/test_crossbar_recall.py (D = 64,
    K = 20, 40 cues, 4 chips: its compiled loop)."""
    weights = na.recall(HEB, *small, "crossbar", n_draws=2).attrs
    pats = na.patterns.random_binary(K=20, D=64, seed=2)
    cues = na.cues.flip(pats, rate=0.1, trials_per_pattern=2, seed=3)
    dense = na.recall(DENSE, pats, cues, "crossbar")
    a = dense.attrs
    steps = np.mean(dense.extras["n_steps"].data)
    assert a["cost.reads"] == pytest.approx(2 * steps)
    assert weights["cost.reads"] == pytest.approx(weights["cost.steps"])
    # forward (D rows driven, K outputs) + transposed (K columns driven, D rows sensed)
    assert a["cost.dac_conversions"] == pytest.approx(steps * (64 + 20))
    assert a["cost.adc_conversions"] == pytest.approx(steps * (20 + 64))
    # transposed reads: memory activations below 1 cost less than a ±1 input would
    chip = program_model(DENSE, pats, na.implementations.get("crossbar").settings(), seed=0)
    sums = device_sums(chip.array)
    v2t = 0.2 ** 2 * 10e-9
    most = steps * v2t * (sums.forward_row().sum(-1) + sums.pair.sum((-1, -2))).max()
    assert 0 < a["cost.read_J"] <= most


def test_async_sweeps_read_one_output_column_per_update(small):
    """A sweep of D single-neuron updates reads D output columns once each: the same
    devices as one full read, with D times the reads and one ADC conversion per update."""
    pats, cues = small
    sync = na.recall(HEB, pats, cues, "crossbar", n_draws=2).attrs
    res = na.recall(HEB, pats, cues, "crossbar", n_draws=2, dynamics="async", max_steps=20)
    a, c = res.attrs, circuit_costs(load_circuit("crossbar-64"))
    steps = a["cost.steps"]
    assert a["cost.reads"] == pytest.approx(24 * steps)
    assert a["cost.adc_conversions"] == pytest.approx(24 * steps)
    assert a["cost.dac_conversions"] == pytest.approx(24 * 24 * steps)
    per_sweep = a["cost.read_J"] / steps
    assert per_sweep == pytest.approx(sync["cost.read_J"] / sync["cost.steps"], rel=1e-9)
    assert a["latency_per_recall_s"] == pytest.approx(24 * steps * (c.read_time + c.adc_time))


def test_missing_cost_parameters_are_named(small, tmp_path):
    pats, cues = small
    path = _circuit_copy(tmp_path, "crossbar-64", drop=("adc_energy",))
    with pytest.raises(CardError, match="adc_energy"):
        na.recall(HEB, pats, cues, "crossbar", circuit=path, n_draws=1)
    with pytest.raises(CardError, match="adc_share"):
        circuit_costs(load_circuit(_circuit_copy(tmp_path, "crossbar-64", adc_share=2.5)))


SCENARIO = """
[scenario]
name = "xbar-cost"
seed = 0
[patterns]
generator = "random_binary"
K = 3
D = 24
[model]
name = "hopfield"
[cues]
kind = "flip"
rate = 0.1
trials_per_pattern = 2
[implementations.chip]
name = "crossbar"
device = "pcm-aihwkit"
rule = "hebbian"
n_draws = 2
"""


def test_run_summary_carries_energy_and_latency():
    """(The shapes of the module's ``small`` problem: the study reuses its compiled loop.)"""
    sc = loads_scenario(SCENARIO)
    rec = run_one(sc, sc.runs()[0])
    assert not rec.error
    assert rec.summary["energy_per_recall_J"] > 0
    assert rec.summary["latency_per_recall_s"] > 0
    assert rec.attrs["cost.read_J"] > 0 and "pcm-aihwkit" in rec.attrs["cost_basis"]
