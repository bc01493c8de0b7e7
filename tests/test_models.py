"""Models: Lagrangians by autodiff, energy breakdown, forms, bad input."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import neuroam as na
from neuroam.errors import LearningRuleError, ModelError, RegistryError, ShapeError, ValueRangeError
from neuroam.models import lagrangians as L

from helpers import BIPARTITE, FAMILIES


@pytest.mark.parametrize("lag", [L.Identity(), L.Tanh(2.0), L.Softmax(1.5, 2.0), L.Polynomial(4),
                                 L.Polynomial(3, rectified=True), L.ReLU(), L.Exponential(0.5),
                                 L.LayerNorm(1.3, 0.1)])
def test_legendre_energy_gradient_is_the_state(lag):
    """∂E/∂x̂ = x (tutorial §3.2): checked through the chain rule dE/dx = H x."""
    x = jnp.asarray(np.random.default_rng(0).normal(size=7), jnp.float32)
    dE_dx = jax.grad(lag.energy)(x)
    H = jax.hessian(lag)(x)
    np.testing.assert_allclose(dE_dx, H @ x, rtol=2e-3, atol=2e-4)


def test_known_activations():
    x = jnp.linspace(-2, 2, 9)
    np.testing.assert_allclose(L.Tanh(3.0).activation(x), jnp.tanh(3.0 * x), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(L.Softmax(2.0).activation(x), jax.nn.softmax(2.0 * x), rtol=1e-5)
    np.testing.assert_allclose(L.ReLU().activation(x), jax.nn.relu(x))
    np.testing.assert_allclose(L.Sign().activation(x[x != 0]), jnp.sign(x[x != 0]))
    assert float(L.Sign().energy(x)) == 0.0  # the sign limit's layer energy vanishes


@pytest.mark.parametrize("name,params", FAMILIES)
def test_energy_is_a_lyapunov_function_of_the_vector_field(name, params, binary_patterns):
    """Krotov & Hopfield's Lyapunov identity (tutorial §3.4): for every layer,
    ∂E/∂x = H (x − I) = −τ H ẋ with H the Hessian of the layer's Lagrangian, so
    dE/dt = −Σ τ ẋᵀ H ẋ ≤ 0. E is the total of the breakdown (neuron and synapse
    parts); the vector field comes from the currents alone: autodiff of the first
    must give the second, at a state off any fixed point."""
    net = na.make_model(name, **params).bind(binary_patterns)
    rng = np.random.default_rng(4)
    cue = binary_patterns.xi[1] + 0.5 * rng.normal(size=binary_patterns.D)
    xs = net.init_state(jnp.asarray(cue, jnp.float32))

    def total(x):
        parts = net.energy_breakdown(x)
        return sum(parts.values()), parts

    dE, parts = jax.grad(total, has_aux=True)(xs)
    assert any(k.startswith("neuron:") for k in parts) and any(k.startswith("synapse") for k in parts)
    flow = net.vector_field(xs)
    dE_dt = 0.0
    for n, layer in net.layers.items():
        _, H_flow = jax.jvp(jax.grad(layer.lagrangian), (xs[n],), (flow[n],))  # H ẋ
        expected = -layer.tau * H_flow
        np.testing.assert_allclose(dE[n], expected, rtol=1e-4, atol=1e-5 * float(jnp.abs(expected).max()))
        dE_dt += float(jnp.vdot(dE[n], flow[n]))
    assert dE_dt < 0


@pytest.mark.parametrize("name,params", BIPARTITE)
def test_bipartite_energy_equals_one_layer_at_hidden_steady_state(name, params, binary_patterns):
    """Eliminating the memory layer (h = ξg + b) gives the one-layer energy exactly."""
    bip = na.make_model(name, form="bipartite", **params).bind(binary_patterns)
    one = na.make_model(name, **params).bind(binary_patterns)
    rng = np.random.default_rng(3)
    for _ in range(3):
        v = jnp.asarray(rng.normal(size=binary_patterns.D), jnp.float32)
        xb = bip.init_state(v)  # hidden layer at its steady state given v
        xo = one.init_state(v)
        np.testing.assert_allclose(bip.energy(xb), one.energy(xo), rtol=2e-4, atol=2e-4)
        np.testing.assert_allclose(bip.vector_field(xb)["v"], one.vector_field(xo)["v"], rtol=2e-3, atol=2e-4)


def test_lsr_energy_matches_tutorial_formula():
    pats = na.patterns.gaussian(K=5, D=8, seed=2)
    beta = 0.3
    net = na.make_model("lsr", beta=beta, eps=1e-9).bind(pats)
    v = pats.xi[0] + 0.1
    k = np.maximum(1 - beta / 2 * np.sum((v - pats.xi) ** 2, axis=1), 0)
    expected = -np.log(1e-9 + k.sum()) / beta
    np.testing.assert_allclose(net.energy({"v": jnp.asarray(v)}), expected, rtol=1e-4)


def test_lse_energy_matches_tutorial_formula():
    pats = na.patterns.gaussian(K=5, D=8, seed=2)
    beta = 0.7
    net = na.make_model("lse", beta=beta).bind(pats)
    v = pats.xi[0] + 0.3
    d2 = np.sum((v - pats.xi) ** 2, axis=1)
    expected = -np.log(np.sum(np.exp(-beta / 2 * d2))) / beta
    np.testing.assert_allclose(net.energy({"v": jnp.asarray(v)}), expected, rtol=1e-4)


@pytest.mark.parametrize("bad", [
    lambda: na.make_model("polynomial", n=1),
    lambda: na.make_model("polynomial", n=2.5),
    lambda: na.make_model("lse", beta=0.0),
    lambda: na.make_model("lse", beta=-1.0),
    lambda: na.make_model("exponential", beta=float("nan")),
    lambda: na.make_model("hopfield", gain=0),
    lambda: na.make_model("polynomial", n=3, form="bipartite"),
    lambda: na.make_model("lsr", form="bipartite"),
    lambda: na.make_model("hopfield", form="sideways"),
    lambda: na.make_model("lse", betaa=1.0),
])
def test_bad_model_parameters_raise_model_error(bad):
    with pytest.raises(ModelError) as e:
        bad()
    msg = str(e.value)
    assert "Received" in msg and "expected" in msg


def test_learning_rule_for_wrong_energy():
    with pytest.raises(LearningRuleError, match="hopfield"):
        na.make_model("polynomial", n=3, rule="hebbian")
    with pytest.raises(LearningRuleError):
        na.make_model("hopfield", form="bipartite", rule="storkey")
    with pytest.raises(LearningRuleError, match="binary"):
        na.make_model("hopfield", rule="hebbian").bind(na.patterns.gaussian(3, 10, seed=0))
    with pytest.raises(LearningRuleError, match="storkey"):
        na.learning.learn("storky", na.patterns.random_binary(3, 10))


def test_unknown_model_suggests():
    with pytest.raises(RegistryError, match="polynomial"):
        na.make_model("polynomal")


def test_pattern_validation():
    with pytest.raises(ShapeError):
        na.PatternSet(np.ones((2, 3, 4)))
    with pytest.raises(ValueRangeError, match="non-finite"):
        na.PatternSet(np.array([[1.0, np.nan], [1.0, -1.0]]))
    with pytest.raises(ValueRangeError, match="±1"):
        na.PatternSet(np.array([[1.0, 0.0]]))


def test_cue_shape_mismatch(binary_patterns):
    cues = na.cues.flip(na.patterns.random_binary(3, 32, seed=0), 0.1)
    with pytest.raises(ShapeError, match="D=32"):
        na.recall(na.make_model("hopfield"), binary_patterns, cues, "ideal-discrete")
    with pytest.raises(ShapeError):
        na.CueSet(np.ones((4, 64)), np.zeros(4), clamp=np.ones(10, bool))
