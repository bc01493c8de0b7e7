"""Models: Lagrangians by autodiff, energy breakdown, forms, bad input."""

import equinox as eqx
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
    dE_dx, Hx = _gradient_and_chain_rule(lag, x)
    np.testing.assert_allclose(dE_dx, Hx, rtol=2e-3, atol=2e-4)


# one compiled program per check (eager JAX would compile every primitive it meets)
@eqx.filter_jit
def _gradient_and_chain_rule(lag, x):
    return jax.grad(lag.energy)(x), jax.hessian(lag)(x) @ x


def test_known_activations():
    x = np.linspace(-2, 2, 9, dtype=np.float32)
    nz = x[x != 0]

    @jax.jit  # one compiled program; the expected values are NumPy's
    def activations(x, nz):
        return (L.Tanh(3.0).activation(x), L.Softmax(2.0).activation(x), L.ReLU().activation(x),
                L.Sign().activation(nz), L.Sign().energy(x))

    tanh, softmax, relu, sign, sign_energy = activations(x, nz)
    np.testing.assert_allclose(tanh, np.tanh(3.0 * x), rtol=1e-5, atol=1e-6)
    e = np.exp(2.0 * x - np.max(2.0 * x))
    np.testing.assert_allclose(softmax, e / e.sum(), rtol=1e-5)
    np.testing.assert_allclose(relu, np.maximum(x, 0.0))
    np.testing.assert_allclose(sign, np.sign(nz))
    assert float(sign_energy) == 0.0  # the sign limit's layer energy vanishes


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
    dE, parts, flow, H_flow = _lyapunov_terms(net, xs)
    assert any(k.startswith("neuron:") for k in parts) and any(k.startswith("synapse") for k in parts)
    dE_dt = 0.0
    for n, layer in net.layers.items():
        expected = -layer.tau * np.asarray(H_flow[n])
        np.testing.assert_allclose(dE[n], expected, rtol=1e-4, atol=1e-5 * float(np.abs(expected).max()))
        dE_dt += float(np.vdot(dE[n], flow[n]))
    assert dE_dt < 0


@eqx.filter_jit
def _lyapunov_terms(net, xs):
    """∂E/∂x of the breakdown's total (and the breakdown), the vector field ẋ and H ẋ of
    every layer, in one compiled program."""

    def total(x):
        parts = net.energy_breakdown(x)
        return sum(parts.values()), parts

    dE, parts = jax.grad(total, has_aux=True)(xs)
    flow = net.vector_field(xs)
    H_flow = {n: jax.jvp(jax.grad(layer.lagrangian), (xs[n],), (flow[n],))[1]  # H ẋ
              for n, layer in net.layers.items()}
    return dE, parts, flow, H_flow


@pytest.mark.parametrize("name,params", BIPARTITE)
def test_bipartite_energy_equals_one_layer_at_hidden_steady_state(name, params, binary_patterns):
    """Eliminating the memory layer (h = ξg + b) gives the one-layer energy exactly."""
    bip = na.make_model(name, form="bipartite", **params).bind(binary_patterns)
    one = na.make_model(name, **params).bind(binary_patterns)
    rng = np.random.default_rng(3)
    for _ in range(3):
        v = jnp.asarray(rng.normal(size=binary_patterns.D), jnp.float32)
        (eb, fb), (eo, fo) = _energy_and_visible_field(bip, v), _energy_and_visible_field(one, v)
        np.testing.assert_allclose(eb, eo, rtol=2e-4, atol=2e-4)
        np.testing.assert_allclose(fb, fo, rtol=2e-3, atol=2e-4)


@eqx.filter_jit
def _energy_and_visible_field(net, v):
    """E and the visible vector field at the state whose cue is ``v`` (a hidden layer at
    its steady state given v), in one compiled program."""
    x = net.init_state(v)
    return net.energy(x), net.vector_field(x)["v"]


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
