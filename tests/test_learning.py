import numpy as np
import pytest

import neuroam as na
from neuroam.learning import hebbian, pseudo_inverse, storkey


def _stable_fraction(W, xi):
    h = xi @ W.T
    return np.mean(np.all(np.sign(h) == xi, axis=1))


def test_rules_are_symmetric_and_store_small_sets():
    pats = na.patterns.random_binary(K=5, D=100, seed=0)
    for rule in ("hebbian", "storkey", "pseudo-inverse"):
        W = na.learning.learn(rule, pats)
        assert W.shape == (100, 100)
        np.testing.assert_allclose(W, W.T)
        assert _stable_fraction(W, pats.xi) == 1.0


def test_hebbian_formula():
    pats = na.patterns.random_binary(K=3, D=10, seed=1)
    xi = pats.xi.astype(np.float64)
    W = xi.T @ xi / 10
    np.fill_diagonal(W, 0)
    np.testing.assert_allclose(hebbian(pats), W)


def test_capacity_order_hebb_storkey_pinv():
    """At K = 0.3 D Hebb fails, pseudo-inverse stores every pattern, Storkey lies between."""
    pats = na.patterns.random_binary(K=30, D=100, seed=2)
    fr = {rule: _stable_fraction(na.learning.learn(rule, pats), pats.xi)
          for rule in ("hebbian", "storkey", "pseudo-inverse")}
    assert fr["pseudo-inverse"] == 1.0
    assert fr["hebbian"] <= fr["storkey"] <= fr["pseudo-inverse"]
    assert fr["hebbian"] < 0.5


def test_pseudo_inverse_is_a_projection():
    pats = na.patterns.random_binary(K=7, D=40, seed=3)
    W = pseudo_inverse(pats).astype(np.float64)
    np.testing.assert_allclose(W @ W, W, atol=1e-8)
    np.testing.assert_allclose(W @ pats.xi.T, pats.xi.T, atol=1e-8)


def test_storkey_single_pattern_equals_hebb():
    pats = na.patterns.random_binary(K=1, D=20, seed=4)
    np.testing.assert_allclose(storkey(pats), hebbian(pats), atol=1e-12)


def test_rules_take_a_plain_array():
    """A (K, D) ±1 array is enough: a few random patterns are fixed points of sign(W x)
    under every rule (K ≪ 0.14 D)."""
    rng = np.random.default_rng(3)
    xi = np.where(rng.random((3, 200)) < 0.5, -1.0, 1.0)
    for rule in (na.learning.hebbian, na.learning.storkey, na.learning.pseudo_inverse):
        W = rule(xi)
        assert W.shape == (200, 200)
        assert np.array_equal(np.sign(xi @ W), xi), rule.__name__


def test_zero_diagonal_for_every_rule():
    """The projector's diagonal sums to its rank K (trace of a projection), Hebb's to K
    when kept; True removes it for every rule; Storkey's rule has none to keep."""
    p = na.patterns.random_binary(K=5, D=40, seed=0)
    assert np.trace(na.learning.learn("pseudo-inverse", p)) == pytest.approx(5, rel=1e-5)
    assert np.trace(na.learning.learn("hebbian", p, zero_diagonal=False)) == pytest.approx(5, rel=1e-5)
    for rule in ("hebbian", "storkey", "pseudo-inverse"):
        assert np.all(np.diag(na.learning.learn(rule, p, zero_diagonal=True)) == 0)
    with pytest.raises(na.errors.LearningRuleError):
        na.learning.learn("storkey", p, zero_diagonal=False)
    m = na.make_model("hopfield", rule="pseudo-inverse", zero_diagonal=True)
    assert m.params()["zero_diagonal"] is True
    with pytest.raises(na.errors.LearningRuleError):
        na.make_model("hopfield", zero_diagonal=True)  # no weights without a rule
