"""Energy/latency per recall of the spiking (neuromorphic chip) and oscillator implementations."""

import re
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

import neuroam as na
from neuroam.cards import load_card
from neuroam.costs.oscillator import lock_times, oscillator_cost
from neuroam.costs.spiking import fan_out, spiking_cost, synaptic_events
from neuroam.errors import CardError
from neuroam.spiking import simulate, translate

ROOT = Path(__file__).resolve().parents[1]
SHORT = {"duration": "100 ms"}


@pytest.fixture(scope="module")
def hopfield_run():
    """A tiny spiking Hopfield recall: (netlist, simulation, result) of 2 trials."""
    pat = na.patterns.random_binary(K=2, D=8, seed=0)
    cues = na.cues.flip(pat, rate=0.25, trials_per_pattern=1, seed=1)
    model = na.make_model("hopfield", rule="hebbian")
    netlist = translate(model, pat, overrides=SHORT)
    sim = simulate(netlist, cues, backend="numpy", seed=3)
    result = na.recall(model, pat, cues, "spiking", params=SHORT, seed=3)
    return netlist, sim, result


def _chip_copy(tmp_path, name, **changes):
    """chip-loihi.toml with the values of some [params.KEY] tables replaced."""
    text = (ROOT / "devices" / "chip-loihi.toml").read_text()
    for key, value in changes.items():
        new = f'"{value}"' if isinstance(value, str) else repr(float(value))
        text, n = re.subn(rf"(\[params\.{key}\]\nvalue = )[^\n]*", rf"\g<1>{new}", text)
        assert n == 1, key
    path = tmp_path / f"{name}.toml"
    path.write_text(text)
    return str(path)


# ----------------------------------------------------------------------------- spiking


def test_synaptic_events_equal_a_hand_count(hopfield_run):
    netlist, _, result = hopfield_run
    weights = netlist.projections[0].weights  # the recurrent (2D, 2D) ON/OFF matrix
    counts = np.asarray(result.extras["spike_count"].data)
    neurons = np.asarray(result.extras["spike_neuron"].data)
    hand = []
    start = 0
    for n in counts:  # ragged layout: trial i owns the next spike_count[i] spikes
        hand.append(sum(int(np.count_nonzero(weights[j])) for j in neurons[start:start + n]))
        start += n
    assert sum(hand) > 0
    np.testing.assert_array_equal(result.extras["synaptic_events"].data, hand)
    assert result.attrs["cost.synaptic_events"] == pytest.approx(np.mean(hand))
    assert result.attrs["cost.spikes"] == pytest.approx(counts.mean())
    # zero weights (zero diagonal; ξ¹ᵢξ¹ⱼ + ξ²ᵢξ²ⱼ = 0 for K = 2) are not synapses on a chip
    np.testing.assert_array_equal(fan_out(netlist)["features"],
                                  np.count_nonzero(weights, axis=1))
    assert np.all(fan_out(netlist)["features"] < weights.shape[1])


def test_dense_events_count_every_projection():
    pat = na.patterns.random_binary(K=3, D=6, seed=0)
    netlist = translate(na.make_model("exponential", beta=5.0, form="bipartite"), pat,
                        overrides=SHORT)
    n_inh = netlist.population("inhibitory").size
    spikes = {  # (trial, neuron, time): trial 0: feature 0 twice; trial 1: memory 2, pool 1
        "features": (np.array([0, 0]), np.array([0, 0]), np.array([0.01, 0.02])),
        "memories": (np.array([1]), np.array([2]), np.array([0.03])),
        "inhibitory": (np.array([1]), np.array([1]), np.array([0.04])),
    }
    # feature → 3 memories; memory → 2·6 features + the pool + itself; pool → 3 memories
    # (uncentred drive: pattern_centring = 0)
    plain = translate(na.make_model("exponential", beta=5.0, form="bipartite"), pat,
                      overrides={**SHORT, "pattern_centring": 0.0})
    np.testing.assert_array_equal(synaptic_events(plain, spikes, 2),
                                  [2 * 3, 12 + n_inh + 1 + 3])
    # centred drive ξ − ξ̄: feature 0 is −1 in all three patterns, so it tells the memories
    # nothing and has no synapse onto them; the other projections are unchanged
    assert np.all(pat.xi[:, 0] == -1)
    np.testing.assert_array_equal(synaptic_events(netlist, spikes, 2),
                                  [0, 12 + n_inh + 1 + 3])


def test_energy_follows_the_chip_card(hopfield_run, tmp_path):
    netlist, sim, _ = hopfield_run
    base, _ = spiking_cost(netlist, sim.spikes, sim.n_trials)
    card = load_card("chip-loihi")
    b = base.breakdown
    steps = round(0.1 / 1e-4)  # 100 ms at dt = 0.1 ms
    assert b["neuron_updates"] == netlist.neurons_per_trial * steps
    assert b["synaptic_J"] == pytest.approx(b["synaptic_events"] * 23.6e-12)
    assert b["neuron_J"] == pytest.approx(b["neuron_updates"] * 81e-12)
    assert base.energy_J == pytest.approx(b["synaptic_J"] + b["neuron_J"] + b["static_J"])
    assert b["cores"] == 1  # 16 neurons, < 256 synapses
    assert base.latency_s == pytest.approx(steps * 113e-9 + b["neuron_updates"] * 8.4e-9
                                           + b["synaptic_events"] * 3.5e-9)
    assert b["static_J"] == pytest.approx(card.value("static_power_per_core") * base.latency_s)

    double = _chip_copy(tmp_path, "double", energy_per_synaptic_event=2 * 23.6e-12)
    cost2, _ = spiking_cost(netlist, sim.spikes, sim.n_trials, chip=double)
    assert cost2.breakdown["synaptic_J"] == pytest.approx(2 * b["synaptic_J"])
    assert cost2.breakdown["neuron_J"] == pytest.approx(b["neuron_J"])
    assert cost2.energy_J == pytest.approx(base.energy_J + b["synaptic_J"])

    realtime = _chip_copy(tmp_path, "realtime", time_mode="real-time")
    cost3, _ = spiking_cost(netlist, sim.spikes, sim.n_trials, chip=realtime)
    assert cost3.latency_s == pytest.approx(0.1)  # the simulated duration

    tn, _ = spiking_cost(netlist, sim.spikes, sim.n_trials, chip="chip-truenorth")
    assert tn.latency_s == pytest.approx(0.1)  # 100 ticks of 1 ms
    assert tn.energy_J == pytest.approx(b["synaptic_events"] * 26e-12)


def test_spiking_recall_records_the_estimate(hopfield_run, tmp_path):
    _, _, result = hopfield_run
    assert result.attrs["energy_per_recall_J"] > 0 and result.attrs["latency_per_recall_s"] > 0
    assert "chip-loihi" in result.attrs["cost_basis"]
    pat = na.patterns.random_binary(K=2, D=8, seed=0)
    cues = na.cues.flip(pat, rate=0.25, trials_per_pattern=1, seed=1)
    model = na.make_model("hopfield", rule="hebbian")
    lean = na.recall(model, pat, cues, "spiking", params=SHORT, seed=3, record_spikes=False)
    assert "spike_neuron" not in lean.extras  # dropped, yet counted before
    assert lean.attrs["energy_per_recall_J"] == pytest.approx(result.attrs["energy_per_recall_J"])
    none = na.recall(model, pat, cues, "spiking", params=SHORT, seed=3, chip=None)
    assert "energy_per_recall_J" not in none.attrs
    wrong = tmp_path / "neuron.toml"
    wrong.write_text('kind = "neuron"\n[params.tau]\nvalue = 0.02\nunit = "s"\nsource = "x"\n')
    with pytest.raises(CardError, match="neuromorphic"):
        na.recall(model, pat, cues, "spiking", params=SHORT, chip=str(wrong))
    with pytest.raises(CardError, match="time_mode"):
        na.recall(model, pat, cues, "spiking", params=SHORT,
                  chip=_chip_copy(tmp_path, "badmode", time_mode="warp"))
    with pytest.raises(CardError, match="energy_per_synaptic_event"):
        na.recall(model, pat, cues, "spiking", params=SHORT,
                  chip=_chip_copy(tmp_path, "negative", energy_per_synaptic_event=-1.0))


# --------------------------------------------------------------------------- oscillator


def test_lock_time_is_settle_or_convergence_else_t1():
    times = np.arange(6.0)
    ov = np.zeros((3, 6, 1))
    ov[0, :, 0] = [0.5, 0.7, 0.9, 1.0, 1.0, 1.0]  # settles (within 0.02) at t = 3
    ov[1, :, 0] = [0.5, 0.6, 0.7, 0.8, 0.9, 1.0]  # still moving at the end: settles at 5
    ov[2] = np.nan  # blew up: neither defined
    res = SimpleNamespace(times=times, overlaps=ov, converge_time=np.array([np.nan, 2.0, np.nan]))
    np.testing.assert_allclose(lock_times(res, t1=9.0), [3.0, 2.0, 9.0])


def _oscillator_inputs():
    """K = 8, N = 64, 16 cues, 50 saves over t1 = 100 τ (lock times 10-40 τ, saved every
    2 τ): the shapes of tests/test_oscillator.py's fixed-point test, one compiled program."""
    pat = na.patterns.random_binary(K=8, D=64, seed=0)
    return pat, na.cues.flip(pat, rate=0.15, trials_per_pattern=2, seed=1)


def test_oscillator_energy_is_power_times_n_times_lock_time():
    pat, cues = _oscillator_inputs()
    model = na.make_model("hopfield")
    kw = dict(device="oscillator-ideal", injection=0.0, t1=100.0, n_save=50)
    fast = na.recall(model, pat, cues, "oscillator", pairwise=1.0, **kw)
    power = load_card("oscillator-ideal").value("power")
    tau_s = fast.attrs["tau_s"]
    lock = lock_times(fast, 100.0)
    assert np.all(lock < 100.0)
    assert fast.attrs["energy_per_recall_J"] == pytest.approx(power * 64 * lock.mean() * tau_s)
    assert fast.attrs["latency_per_recall_s"] == pytest.approx(lock.mean() * tau_s)
    # half the coupling: the gradient flow runs half as fast, locks twice as late
    slow = na.recall(model, pat, cues, "oscillator", pairwise=0.5, **kw)
    assert slow.attrs["energy_per_recall_J"] > 1.5 * fast.attrs["energy_per_recall_J"]
    # the same lock time on another card: its own power per oscillator
    est = oscillator_cost(fast, device="oscillator-ring-cmos", n_oscillators=64, t1=100.0,
                          tau_s=1e-8)
    assert est.energy_J == pytest.approx(21.3e-6 * 64 * lock.mean() * 1e-8)


def test_cards_without_power_get_no_estimate(tmp_path):
    text = (ROOT / "devices" / "oscillator-ideal.toml").read_text()
    bare = tmp_path / "osc-bare.toml"
    bare.write_text(text[: text.index("[params.power]")])
    pat, cues = _oscillator_inputs()
    res = na.recall(na.make_model("hopfield"), pat, cues, "oscillator", device=str(bare),
                    injection=0.0, t1=100.0, n_save=50)
    assert "energy_per_recall_J" not in res.attrs and "no estimate" in res.attrs["cost_basis"]
    bad = tmp_path / "osc-badpower.toml"
    bad.write_text(text.replace("value = 21.3e-6", "value = -1.0"))
    with pytest.raises(CardError, match="power"):
        na.recall(na.make_model("hopfield"), pat, cues, "oscillator", device=str(bad),
                  injection=0.0, t1=100.0, n_save=50)


# ------------------------------------------------------------------------------ runner


@pytest.mark.slow
def test_runner_summaries_carry_the_estimates():
    from neuroam.scenario import loads_scenario
    from neuroam.sweep import run_one

    sc = loads_scenario("""
[scenario]
name = "costs"
[patterns]
generator = "random_binary"
K = 2
D = 16
[model]
name = "hopfield"
[cues]
kind = "flip"
rate = 0.15
trials_per_pattern = 1
[implementations.spiking]
params = { duration = "100 ms" }
[implementations.oscillator]
injection = 0.0
t1 = 100.0
n_save = 201
""")
    records = {r.label: run_one(sc, r) for r in sc.runs()}
    assert set(records) == {"spiking", "oscillator"}
    for label, rec in records.items():
        assert not rec.error, rec.error
        assert rec.summary["energy_per_recall_J"] > 0, label
        assert rec.summary["latency_per_recall_s"] > 0, label
