"""Cue generators and the make_cues dispatcher."""

import numpy as np
import pytest

from neuroam.cues import CueSet, exact, flip, make_cues, noise, occlude, random
from neuroam.errors import RegistryError, ShapeError, UnsupportedError, ValueRangeError
from neuroam.patterns import gaussian, random_binary


@pytest.fixture
def pats():
    return random_binary(4, 50, seed=0)


def test_flip_exact_count_targets_and_determinism(pats):
    c = flip(pats, 0.2, trials_per_pattern=3, seed=1)
    assert isinstance(c, CueSet) and c.kind == "flip" and c.states.shape == (12, 50)
    np.testing.assert_array_equal(c.targets, np.repeat(np.arange(4), 3))
    assert np.all((c.states != pats.xi[c.targets]).sum(axis=1) == 10)
    assert set(np.unique(c.states)) == {-1.0, 1.0} and c.clamp is None
    np.testing.assert_array_equal(c.states, flip(pats, 0.2, trials_per_pattern=3, seed=1).states)
    assert not np.array_equal(c.states, flip(pats, 0.2, trials_per_pattern=3, seed=2).states)
    assert len({row.tobytes() for row in c.states[:3]}) == 3  # trials of one pattern differ


@pytest.mark.parametrize("rate, n", [(0.0, 0), (1.0, 50), (0.03, 2), (0.05, 3)])
def test_flip_extremes_and_rounding(pats, rate, n):
    c = flip(pats, rate)
    assert np.all((c.states != pats.xi).sum(axis=1) == n) and c.meta["n_flipped"] == n


def test_flip_bernoulli_and_explicit_targets(pats):
    c = flip(pats, 0.3, targets=[3, 0, 3], exact=False, seed=0)
    np.testing.assert_array_equal(c.targets, [3, 0, 3])
    one = random_binary(1, 10000)
    big = flip(one, 0.3, exact=False)
    assert abs((big.states != one.xi).mean() - 0.3) < 0.02


@pytest.mark.parametrize("kw, err, needle", [
    (dict(rate=1.5), ValueRangeError, "rate=1.5"),
    (dict(rate=-0.1), ValueRangeError, "rate=-0.1"),
    (dict(rate=float("nan")), ValueRangeError, "rate=nan"),
    (dict(rate=0.1, trials_per_pattern=0), ValueRangeError, "trials_per_pattern=0"),
    (dict(rate=0.1, targets=[0, 4]), ValueRangeError, r"\[0, 4\]"),
    (dict(rate=0.1, targets=[[0]]), ValueRangeError, r"targets=\[0\]"),
    (dict(rate=0.1, seed=1.5), ValueRangeError, "seed=1.5"),
])
def test_flip_bad_inputs(pats, kw, err, needle):
    with pytest.raises(err, match=needle):
        flip(pats, **kw)


def test_flip_real_patterns_unsupported():
    with pytest.raises(UnsupportedError, match="noise"):
        flip(gaussian(2, 5), 0.1)


@pytest.mark.parametrize("region", ["random", "block"])
def test_occlude(pats, region):
    c = occlude(pats, 0.4, trials_per_pattern=2, seed=3, region=region)
    assert c.kind == "occlude" and c.clamp.shape == (8, 50) and c.clamp.dtype == bool
    assert np.all((~c.clamp).sum(axis=1) == 20)
    assert np.all(c.states[~c.clamp] == 0.0)
    np.testing.assert_array_equal(c.states[c.clamp], pats.xi[c.targets][c.clamp])
    if region == "block":
        for row in ~c.clamp:
            idx = np.flatnonzero(row)
            assert idx[-1] - idx[0] == 19
    again = occlude(pats, 0.4, trials_per_pattern=2, seed=3, region=region)
    np.testing.assert_array_equal(c.clamp, again.clamp)


def test_occlude_random_fill_and_errors(pats):
    c = occlude(pats, 0.5, fill="random", seed=0)
    assert set(np.unique(c.states)) == {-1.0, 1.0}
    assert occlude(pats, 0.5, fill=0.25).states[~occlude(pats, 0.5).clamp].max() == 0.25
    with pytest.raises(ValueRangeError, match="fraction=1.0"):
        occlude(pats, 1.0)
    with pytest.raises(ValueRangeError, match="region='circle'"):
        occlude(pats, 0.1, region="circle")
    with pytest.raises(UnsupportedError, match="fill='random'"):
        occlude(gaussian(2, 5), 0.1, fill="random")


def test_noise(pats):
    c = noise(pats, 0.5, trials_per_pattern=50, seed=0)
    assert c.kind == "noise" and c.states.shape == (200, 50)
    assert abs((c.states - pats.xi[c.targets]).std() - 0.5) < 0.02
    np.testing.assert_array_equal(noise(pats, 0.0).states, pats.xi)
    assert not np.array_equal(c.states, noise(pats, 0.5, trials_per_pattern=50, seed=1).states)
    with pytest.raises(ValueRangeError, match="sigma=-1"):
        noise(pats, -1)
    g = gaussian(3, 6)
    assert noise(g, 0.1).D == 6


def test_exact_and_random(pats):
    e = exact(pats)
    np.testing.assert_array_equal(e.states, pats.xi)
    np.testing.assert_array_equal(e.targets, np.arange(4))
    r = random(pats, 7, seed=0)
    assert r.states.shape == (7, 50) and np.all(r.targets == -1)
    assert set(np.unique(r.states)) == {-1.0, 1.0}
    assert random(30, 2).D == 30
    np.testing.assert_array_equal(r.states, random(pats, 7, seed=0).states)
    with pytest.raises(ValueRangeError, match="n=0"):
        random(pats, 0)
    r.check_against(pats)


def test_make_cues_dispatch(pats):
    np.testing.assert_array_equal(make_cues(pats, "flip", rate=0.1, seed=4).states,
                                  flip(pats, 0.1, seed=4).states)
    assert make_cues(pats, "exact", seed=9).kind == "exact"  # seed accepted, ignored
    assert make_cues(pats, "random", n=3).n_trials == 3
    assert make_cues(pats, "occlude", fraction=0.2).clamp is not None
    with pytest.raises(RegistryError, match="'flp'.*Did you mean 'flip'"):
        make_cues(pats, "flp")
    with pytest.raises(UnsupportedError, match="Did you mean 'rate'"):
        make_cues(pats, "flip", rat=0.1)


def test_cueset_validation():
    with pytest.raises(ShapeError, match=r"\(3,\)"):
        CueSet(np.ones((2, 4)), [0, 1], clamp=np.ones(3, dtype=bool))
    with pytest.raises(ShapeError, match="3 targets for 2 cues"):
        CueSet(np.ones((2, 4)), [0, 1, 2])
    with pytest.raises(ValueRangeError, match="non-finite"):
        CueSet(np.array([[1.0, np.nan]]), [0])
