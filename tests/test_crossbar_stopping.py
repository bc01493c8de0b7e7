"""When a crossbar trial stops under read noise (``noise_margin``), and the σ of a read.

Oracles: without noise the margin changes nothing (every flip needs a non-zero field);
a chip whose only non-ideality is read noise far below the fields recalls exactly as
ideal-discrete (same finals, same converge sweeps); since trial t draws sweep s from
fold_in(key_t, s) in both runs, a run with a margin follows the run without one sweep
for sweep until it stops earlier, at a sweep that flipped only neurons within the
noise, while trials flipping real neurons to the last sweep stay MAX_STEPS; the σ a
read reports is the spread of repeated reads.
"""

import tomllib
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import neuroam as na
from neuroam.crossbar.chip import program_model
from neuroam.crossbar.read import forward, make_reader
from neuroam.results import Status

ROOT = Path(__file__).resolve().parents[1]
HEBB = na.make_model("hopfield", rule="hebbian")
XBAR = na.implementations.get("crossbar")


def _card(tmp_path, folder, name, tag, **changes):
    """A copy of a shipped card with some values changed."""
    data = tomllib.loads((ROOT / folder / f"{name}.toml").read_text())
    lines = [f'kind = "{data["kind"]}"', f'name = "{name}-{tag}"']
    for key, p in data["params"].items():
        v = changes.get(key, p["value"])
        v = f'"{v}"' if isinstance(v, str) else repr(v)
        lines += [f"[params.{key}]", f"value = {v}", f'unit = "{p["unit"]}"', 'source = "test"']
    path = tmp_path / f"{name}-{tag}.toml"
    path.write_text("\n".join(lines))
    return str(path)


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    """He et al.'s size (D = 64, K = 10, two cues with 10 % flips per pattern: the
    shapes of tests/test_crossbar_recall.py) and three chips: PCM without any noise
    (programming noise, drift and faults only), the ideal chip with output noise (read
    noise is its only non-ideality), the same with loud output noise, and PCM with every
    non-ideality and 10 % stuck devices."""
    tmp = tmp_path_factory.mktemp("cards")
    pats = na.patterns.random_binary(K=10, D=64, seed=0)
    cues = na.cues.flip(pats, rate=0.1, trials_per_pattern=2, seed=1)
    chips = {
        "quiet": dict(device=_card(tmp, "devices", "pcm-aihwkit", "quiet", read_noise_q=0.0),
                      circuit=_card(tmp, "circuits", "crossbar-64", "quiet", output_noise=0.0),
                      fault_rate=0.1, drift_time=86400.0),
        "faint": dict(device="ideal-memristor",
                      circuit=_card(tmp, "circuits", "crossbar-ideal", "faint", output_noise=0.01)),
        "loud": dict(device="ideal-memristor",
                     circuit=_card(tmp, "circuits", "crossbar-ideal", "loud", output_noise=0.3)),
        "pcm": dict(device="pcm-aihwkit", circuit="crossbar-64", fault_rate=0.1,
                    drift_time=86400.0, drift_compensation=True),
    }
    return pats, cues, chips


def _both(pats, cues, **settings):
    """The same run with noise_margin 3 and 0 (every flip counts)."""
    return [XBAR.recall(HEBB, pats, cues, XBAR.settings(noise_margin=m, **settings), seed=0)
            for m in (3.0, 0.0)]


def test_without_noise_the_margin_changes_nothing(setup):
    """No read, output or 1/f noise: σ = 0, so every flip is real and a margin gives the
    results of the old rule (a sweep that flips nothing) bit for bit — here with stuck
    devices whose sync 2-cycles keep some trials flipping to max_steps (MAX_STEPS)."""
    pats, cues, chips = setup
    a, b = _both(pats, cues, **chips["quiet"])
    for key in ("final", "status", "converge_time", "overlaps", "energies"):
        np.testing.assert_array_equal(getattr(a, key), getattr(b, key), key)
    np.testing.assert_array_equal(a.extras["n_steps"].data, b.extras["n_steps"].data)
    stuck = a.status == Status.MAX_STEPS
    assert 0 < stuck.sum() < stuck.size  # cycling trials are not passed off as converged
    assert np.all(a.extras["n_steps"].data[stuck] == 100)


def test_fields_far_above_the_noise_recall_exactly_as_ideal(setup):
    """Read noise 1 % of a cell's current, pseudo-inverse weights (fields ≥ 0.5): every
    trial stops at the ideal sweep, in the ideal final state, on every chip."""
    pats, cues, chips = setup
    model = na.make_model("hopfield", rule="pseudo-inverse")
    ideal = na.recall(model, pats, cues, "ideal-discrete", mode="sync", max_sweeps=100)
    res = XBAR.recall(HEBB, pats, cues, XBAR.settings(rule="pseudo-inverse", **chips["faint"]),
                      seed=0)
    T = cues.n_trials
    assert np.all(ideal.status == Status.CONVERGED)
    for d in range(4):
        part = slice(d * T, (d + 1) * T)
        np.testing.assert_array_equal(res.final[part], ideal.final)
        np.testing.assert_array_equal(res.status[part], ideal.status)
        np.testing.assert_array_equal(res.converge_time[part], ideal.converge_time)


@pytest.mark.parametrize("chip", ["loud", "pcm"])
def test_a_margin_ends_only_trials_that_the_noise_keeps_flipping(setup, chip):
    """Loud output noise on the ideal chip, or every non-ideality of PCM with 10 % stuck
    devices; Hebbian weights at K/D = 0.16 (neurons with fields near 0). With the margin
    each trial follows the run without it sweep for sweep and stops no later —
    identically where it stops at the same sweep — and some stop earlier, CONVERGED, at
    a sweep whose flips were all within 3 σ. Trials that flip real neurons (fields
    beyond 3 σ: the stuck devices' 2-cycles) to the last sweep stay MAX_STEPS."""
    pats, cues, chips = setup
    a, b = _both(pats, cues, **chips[chip])
    na_, nb_ = a.extras["n_steps"].data, b.extras["n_steps"].data
    assert np.all(na_ <= nb_)
    same = na_ == nb_
    np.testing.assert_array_equal(a.final[same], b.final[same])
    np.testing.assert_array_equal(a.status[same], b.status[same])
    early = ~same
    assert early.sum() >= 5
    assert np.all(a.status[early] == Status.CONVERGED)
    # the rows both runs recorded agree: the margin only ends trials, never alters them
    rows = np.arange(a.overlaps.shape[1])[None, :] < na_[:, None] - 1
    np.testing.assert_array_equal(a.overlaps[rows], b.overlaps[rows])
    cycling = a.status == Status.MAX_STEPS
    assert np.all(b.status[cycling] == Status.MAX_STEPS)
    assert np.all(na_[cycling] == 100) and np.all(np.isnan(a.converge_time[cycling]))
    if chip == "pcm":
        assert cycling.sum() >= 5


@pytest.mark.parametrize("circuit", ["crossbar-64", "loud"])
def test_sigma_of_a_read_is_its_spread_from_read_to_read(setup, circuit):
    """σ returned by a forward read against the spread of 4000 reads of one input: PCM
    read noise, output noise and a 9-bit ADC whose rounding the noise dithers
    (crossbar-64); output noise alone (the loud ideal chip)."""
    pats, _, chips = setup
    kw = dict(device="pcm-aihwkit", circuit="crossbar-64") if circuit == "crossbar-64" \
        else chips["loud"]
    chip = program_model(HEBB, pats, XBAR.settings(n_draws=1, **kw), seed=0)
    draws, per = make_reader(chip.array)
    d0 = jax.tree_util.tree_map(lambda a: a[0], draws)
    x = jnp.asarray(np.asarray(pats.xi[0], np.float32))
    keys = jax.random.split(jax.random.key(1), 4000)
    y, sd = jax.jit(jax.vmap(lambda k: forward(d0, per, x, k, binary=True)))(keys)
    spread, sd = np.std(np.asarray(y), axis=0), np.asarray(sd[0])
    if circuit == "loud":  # Gaussian noise alone: σ per output (std error of 4000: 1 %)
        np.testing.assert_allclose(spread, sd, rtol=0.05)
    else:
        # the ADC step is 3.6 σ of a tile's current: the rounding is only partly
        # dithered, and its spread depends on where the mean falls between two levels
        # (here 0.75–1.25 σ per output); σ is right on average over the outputs
        rms = lambda a: np.sqrt(np.mean(a ** 2))  # noqa: E731
        assert rms(spread) == pytest.approx(rms(sd), rel=0.1)
        np.testing.assert_allclose(spread, sd, rtol=0.35)
