"""Energy/latency estimates of the ideal implementations, from processor cards."""

import numpy as np
import pytest

import neuroam as na
from neuroam.cards import load_card
from neuroam.costs import ideal_cost, vector_field_flops
from neuroam.errors import CardError


def test_flops_count_the_matrix_products():
    pats = na.patterns.random_binary(10, 50, seed=0)
    dense = na.make_model("lse", beta=0.1).bind(pats)
    assert vector_field_flops(dense) == 4 * 10 * 50 + 10 * 50
    weights = na.make_model("hopfield", rule="hebbian").bind(pats)
    assert vector_field_flops(weights) == 2 * 50 * 50 + 10 * 50


def test_energy_is_flops_times_joules_per_flop(binary_patterns, flip_cues):
    res = na.recall(na.make_model("hopfield"), binary_patterns, flip_cues, "ideal-ode")
    card = load_card("processor-h100")
    peak, power, util = (card.value(k) for k in ("peak_flops", "power", "utilization"))
    flops = res.attrs["cost.flops"]
    assert flops > 0
    np.testing.assert_allclose(res.attrs["energy_per_recall_J"], flops * power / (peak * util))
    np.testing.assert_allclose(res.attrs["latency_per_recall_s"], flops / (peak * util))
    cpu = na.recall(na.make_model("hopfield"), binary_patterns, flip_cues, "ideal-ode",
                    processor="processor-epyc")
    assert cpu.attrs["latency_per_recall_s"] > res.attrs["latency_per_recall_s"]


def test_bigger_networks_cost_more(binary_patterns, flip_cues):
    small = na.recall(na.make_model("polynomial", n=3), binary_patterns, flip_cues, "ideal-discrete")
    big_p = na.patterns.random_binary(24, 64, seed=0)
    big = na.recall(na.make_model("polynomial", n=3), big_p, na.cues.flip(big_p, 0.1, seed=1),
                    "ideal-discrete")
    per_sweep = lambda r: r.attrs["cost.flops"] / np.mean(r.extras["n_steps"].data)
    assert per_sweep(big) > 3 * per_sweep(small)


def test_bad_processor_cards(binary_patterns, flip_cues, tmp_path):
    with pytest.raises(CardError, match="processor-h100"):
        na.recall(na.make_model("hopfield"), binary_patterns, flip_cues, "ideal-ode",
                  processor="processor-h1000")
    wrong = tmp_path / "neuron.toml"
    wrong.write_text('kind = "neuron"\n[params.tau]\nvalue = 0.02\nunit = "s"\nsource = "x"\n')
    res = na.recall(na.make_model("hopfield"), binary_patterns, flip_cues, "ideal-discrete")
    with pytest.raises(CardError, match="processor"):
        ideal_cost(res, na.make_model("hopfield").bind(binary_patterns), solver=None,
                   discrete=True, processor=str(wrong))
    bad = tmp_path / "bad.toml"
    bad.write_text('kind = "processor"\n[params.peak_flops]\nvalue = -1.0\nunit = "FLOP/s"\n'
                   'source = "x"\n[params.power]\nvalue = 1.0\nunit = "W"\nsource = "x"\n'
                   '[params.utilization]\nvalue = 0.5\nunit = "1"\nsource = "x"\n')
    with pytest.raises(CardError, match="peak_flops"):
        ideal_cost(res, na.make_model("hopfield").bind(binary_patterns), solver=None,
                   discrete=True, processor=str(bad))
