"""Energy/latency estimates of the ideal implementations, from processor cards."""

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import neuroam as na
from neuroam.cards import load_card
from neuroam.costs import ideal_cost, vector_field_flops
from neuroam.errors import CardError, UnsupportedError


def _xla_flops(net, xs):
    """XLA's own count of the compiled vector field's floating-point operations."""
    analysis = jax.jit(lambda n, x: n.vector_field(x)).lower(net, xs).compile().cost_analysis()
    return (analysis[0] if isinstance(analysis, list) else analysis)["flops"]


@pytest.mark.parametrize("name, params", [
    ("lse", {"beta": 0.1}),                        # dense synapse
    ("polynomial", {"n": 3}),
    ("exponential", {"form": "bipartite"}),        # bipartite synapse, two layers
    ("hopfield", {"rule": "hebbian"}),             # weight synapse
])
def test_flops_agree_with_xla_count_of_the_compiled_vector_field(name, params):
    """The structural count (matvecs + a per-neuron charge) against the FLOPs XLA counts
    in the program it compiles for one vector-field evaluation: within 10 % at K = 64,
    D = 256, where the products dominate (elementwise work is what differs)."""
    pats = na.patterns.random_binary(64, 256, seed=0)
    net = na.make_model(name, **params).bind(pats)
    xs = {n: jax.ShapeDtypeStruct((layer.size,), jnp.float32) for n, layer in net.layers.items()}
    assert vector_field_flops(net) == pytest.approx(_xla_flops(net, xs), rel=0.10)


def test_unknown_synapses_are_refused_not_guessed(binary_patterns):
    """A synapse the cost model has no count for is an UnsupportedError naming it, not
    a guessed dense pairwise product."""
    from neuroam.models.synapses.base import Hypersynapse

    class Triplet(Hypersynapse):
        kind = "triplet"

        @property
        def layers(self):
            return ("v",)

        def energy(self, g):
            return -jnp.sum(g) ** 3

        def pattern_matrix(self):
            return None

    net = na.make_model("hopfield").bind(binary_patterns)
    odd = eqx.tree_at(lambda n: n.synapses, net, (Triplet(),))
    with pytest.raises(UnsupportedError, match=r"'triplet' \(Triplet\).*vector_field_flops"):
        vector_field_flops(odd)
    assert vector_field_flops(net) > 0  # the known synapse of the same network is counted


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


def test_every_solver_has_an_evaluation_count_and_unknown_ones_are_refused():
    from neuroam.costs.flops import EVALS_PER_STEP
    from neuroam.costs.ideal import ideal_cost
    from neuroam.dynamics.ode import ODE_SOLVERS
    from neuroam.dynamics.sde import SDE_SOLVERS

    assert set(ODE_SOLVERS) | set(SDE_SOLVERS) <= set(EVALS_PER_STEP)
    with pytest.raises(UnsupportedError, match="no-such-solver"):
        ideal_cost(None, None, solver="no-such-solver")
