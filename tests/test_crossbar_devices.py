"""Crossbar device physics, cards, mapping and faults (no recall: fast)."""

import tomllib
from pathlib import Path

import numpy as np
import pytest

import neuroam as na
from neuroam.cards import load_card
from neuroam.crossbar import (FaultSpec, STUCK_ON, draw_faults, load_circuit,
                              load_device, make_layout, program_array, stuck_codes)
from neuroam.crossbar import drift, mapping, programming
from neuroam.crossbar.faults import fault_grid
from neuroam.errors import CardError, NeuroamError, ValueRangeError

ROOT = Path(__file__).resolve().parents[1]


def _card_copy(tmp_path, name, folder="devices", **changes):
    data = tomllib.loads((ROOT / folder / f"{name}.toml").read_text())
    for key, value in changes.items():
        data["params"][key]["value"] = value
    lines = [f'kind = "{data["kind"]}"', f'name = "{name}-edited"']
    for key, p in data["params"].items():
        v = f'"{p["value"]}"' if isinstance(p["value"], str) else repr(p["value"])
        lines += [f"[params.{key}]", f"value = {v}", f'unit = "{p["unit"]}"',
                  f'source = "test"']
    path = tmp_path / f"{name}-edited.toml"
    path.write_text("\n".join(lines).replace("True", "true").replace("False", "false"))
    return path


def test_shipped_cards_load_and_carry_aihwkit_numbers():
    cards = sorted(p.stem for p in (ROOT / "devices").glob("*.toml")
                   if load_card(p).kind == "memristor")
    assert {"pcm-aihwkit", "rram-hfo2", "ideal-memristor"} <= set(cards)
    pcm = load_device("pcm-aihwkit")
    assert pcm.g_max == 25e-6 and pcm.drift_t0 == 20.0
    assert pcm.prog_noise == (0.26348e-6, 1.9650e-6, -1.1731e-6)
    rram = load_device("rram-hfo2")
    assert rram.on_off == pytest.approx(4.5) and rram.levels == 64 and not rram.drifts
    for name in ("crossbar-64", "crossbar-ideal", "crossbar-offset-32"):
        assert load_circuit(name).tile_rows >= 32


@pytest.mark.parametrize("changes, key, allowed", [
    ({"g_min": 3e-4}, "g_min", "0 ≤ g_min < g_max"),
    ({"g_min": -1e-6}, "g_min", "[0.0, inf]"),
    ({"stuck_on_fraction": 1.5}, "stuck_on_fraction", "[0.0, 1.0]"),
    ({"levels": 2.5}, "levels", "an integer"),
])
def test_bad_device_cards_name_card_key_and_range(tmp_path, changes, key, allowed):
    path = _card_copy(tmp_path, "rram-hfo2", **changes)
    with pytest.raises(CardError) as exc:
        load_device(path)
    msg = str(exc.value)
    assert key in msg and "rram-hfo2-edited" in msg and allowed in msg


def test_bad_circuit_cards(tmp_path):
    with pytest.raises(CardError, match=r"tile_cols = 1 .*too small.*\[2, 65536\]"):
        load_circuit(_card_copy(tmp_path, "crossbar-64", folder="circuits", tile_cols=1))
    with pytest.raises(CardError, match=r"mapping = 'diagonal'.*differential"):
        load_circuit(_card_copy(tmp_path, "crossbar-64", folder="circuits", mapping="diagonal"))
    small = load_circuit(_card_copy(tmp_path, "crossbar-64", folder="circuits", max_tiles=2,
                                    tile_rows=16))
    with pytest.raises(CardError, match=r"needs 4×1 = 4 tiles.*max_tiles = 2"):
        make_layout(64, 64, small)


def test_unknown_card_and_wrong_kind():
    with pytest.raises(CardError, match=r"'rram-hf02'.*available:.*rram-hfo2"):
        load_device("rram-hf02")
    with pytest.raises(CardError, match=r"'crossbar' card.*kind 'memristor'"):
        load_device(ROOT / "circuits" / "crossbar-64.toml")


def test_more_levels_than_the_card_allows():
    rram = load_device("rram-hfo2")
    assert rram.check_levels(16) == 16
    with pytest.raises(CardError, match=r"levels = 128 .*rram-hfo2.*params.levels = 64.*\[2, 64\]"):
        rram.check_levels(128)
    with pytest.raises(ValueRangeError, match="fault_rate"):
        na.implementations.get("crossbar").settings(fault_rate=1.5)
    with pytest.raises(ValueRangeError, match="fault_rate"):
        na.implementations.get("crossbar").settings(fault_rate=-0.1)


def test_programming_noise_follows_the_card_polynomial():
    pcm = load_device("pcm-aihwkit")
    rng = np.random.default_rng(0)
    for frac in (0.1, 0.5, 1.0):
        target = np.full(200_000, frac * pcm.g_max)
        g = programming.program(target, pcm, rng, tops=np.full_like(target, 1e9), write_verify=0)
        expect = 0.26348e-6 + 1.9650e-6 * frac - 1.1731e-6 * frac**2
        assert np.std(g - target) == pytest.approx(expect, rel=0.02)
    # RRAM: CrossSim's RRAMMilo fit in its own units, σ_G(µS) = −0.009107 G(µS) + 4.782321
    # (the card stores it per unit g/g_max); by hand 3.87162 µS at 100 µS, 2.96092 at 200
    rram = load_device("rram-hfo2")
    for g_us, sigma_us in ((100.0, 3.87162), (200.0, 2.96092)):
        target = np.full(200_000, g_us * 1e-6)
        g = programming.program(target, rram, rng, tops=np.full_like(target, 1e9), write_verify=0)
        assert np.std(g - target) == pytest.approx(sigma_us * 1e-6, rel=0.02)


def test_write_verify_and_levels():
    rram = load_device("rram-hfo2")
    rng = np.random.default_rng(1)
    target = np.full(100_000, 150e-6)
    tol = rram.write_verify_tolerance * (rram.g_max - rram.g_min)
    off = [np.mean(np.abs(programming.program(target, rram, rng, tops=np.full_like(target, 1e9),
                                              write_verify=n) - target) > tol) for n in (0, 2, 5)]
    assert off[0] > off[1] > off[2]
    q = programming.quantize(np.linspace(rram.g_min, rram.g_max, 1000), rram, 4)
    assert len(np.unique(np.round(q / 1e-9))) == 4


def test_drift_exponents_are_the_folded_normals_of_the_aihwkit_fit():
    """ν ~ |N(μ_ν, σ_ν)| with aihwkit's PCM fits (quoted in the card's sources):
    μ_ν = clip(−0.0155 ln x + 0.0244, 0.049, 0.1), σ_ν = clip(−0.0125 ln x − 0.0059,
    0.008, 0.045), x = g/g_max. By hand: x = 0.02 (ln x = −3.9120): μ = 0.08504,
    σ = 0.04300; x = 0.2 (ln x = −1.6094): μ = 0.04935, σ = 0.01422; x = 1: both
    clipped, μ = 0.049, σ = 0.008. Mean and spread of 50,000 devices per state against
    SciPy's folded normal."""
    from scipy.stats import foldnorm

    pcm = load_device("pcm-aihwkit")
    x = np.array([0.02, 0.2, 1.0])
    nu = drift.drift_exponents(np.repeat(x[:, None] * pcm.g_max, 50_000, 1), pcm,
                               np.random.default_rng(2))
    for row, mu, sd in zip(nu, (0.08504, 0.04935, 0.049), (0.04300, 0.01422, 0.008)):
        law = foldnorm(mu / sd, scale=sd)
        assert row.mean() == pytest.approx(law.mean(), rel=0.01)
        assert row.std() == pytest.approx(law.std(), rel=0.02)
        assert row.min() >= 0


def test_drift_is_a_power_law_of_the_time_since_t0():
    """A power law loses the same fraction per decade of (t + t0) whenever the decade
    lies: 10^(−ν) per decade (by hand: 0.89125, 0.85114, 0.79433 for ν = 0.05, 0.07,
    0.1) and its square over two decades; nothing at t = 0, nothing at ν = 0."""
    pcm = load_device("pcm-aihwkit")
    t0 = pcm.drift_t0  # 20 s, aihwkit's first read
    g0 = np.array([0.3, 0.6, 0.9]) * pcm.g_max
    nu = np.array([0.05, 0.07, 0.1])
    g = lambda t: drift.drift(g0.copy(), nu.copy(), t, pcm)  # noqa: E731
    per_decade = np.array([0.89125, 0.85114, 0.79433])
    for a in (t0, 100 * t0, 1e5 * t0):  # (t + t0) from a to 10 a: t = a − t0 to 10 a − t0
        ratio = g(10 * a - t0) / (g(a - t0) if a > t0 else g0)
        np.testing.assert_allclose(ratio, per_decade, rtol=1e-4)
    np.testing.assert_allclose(g(100 * t0 - t0) / g0, per_decade ** 2, rtol=1e-4)
    np.testing.assert_array_equal(g(0.0), g0)
    flat = drift.drift(g0.copy(), np.zeros(3), 3.15e7, pcm)
    np.testing.assert_array_equal(flat, g0)


def _program(device, circuit, M, *, t=0.0, comp=False, faults=None, seed=0, **kw):
    layout = make_layout(*M.shape[-2:], load_circuit(circuit))
    rng = np.random.default_rng(seed)
    faults = faults or draw_faults(layout, 4, FaultSpec(), rng)
    return program_array(M, layout, load_device(device), load_circuit(circuit), faults, rng,
                         drift_time=t, compensation=comp, **kw)


def test_drift_lowers_conductance_and_compensation_restores_the_scale():
    """The least-squares scale of the read-back weights on the programmed ones: without
    compensation it follows ((t + t0)/t0)^(−ν) with ν ≈ 0.049 (the clipped μ_ν of the
    high-conductance devices that carry the weights; by hand 0.664 at one day,
    0.497 at one year); with aihwkit's global compensation it stays 1 within 2 %, and the
    weights stay closer to the programmed ones than uncompensated."""
    W = na.learning.learn("hebbian", na.patterns.random_binary(K=10, D=64, seed=0))
    scale = lambda w, ref: np.sum(w * ref, axis=(1, 2)) / np.sum(ref * ref, axis=(1, 2))  # noqa: E731
    err = lambda w, ref: np.linalg.norm(w - ref) / np.linalg.norm(ref)  # noqa: E731
    for t, expected in ((1.0, 1.0), (86_400.0, 0.664), (3.15e7, 0.497)):
        drifted = _program("pcm-aihwkit", "crossbar-64", W.T, t=t, seed=1)
        comp = _program("pcm-aihwkit", "crossbar-64", W.T, t=t, comp=True, seed=1)
        ref = comp.weights(programmed=True)
        np.testing.assert_allclose(scale(drifted.weights(), ref), expected, atol=0.03)
        np.testing.assert_allclose(scale(comp.weights(), ref), 1.0, atol=0.02)
        if t > 1.0:
            assert err(comp.weights(), ref) < 0.5 * err(drifted.weights(), ref)


def test_ideal_device_programs_exactly_and_offset_mapping_tiles():
    rng = np.random.default_rng(3)
    M = rng.standard_normal((64, 64))
    arr = _program("ideal-memristor", "crossbar-ideal", M)
    np.testing.assert_allclose(arr.weights(), np.broadcast_to(M, (4, 64, 64)), atol=1e-12)
    off = _program("ideal-memristor", "crossbar-offset-32", M, ir_mode="off")
    assert off.layout.tile_shape == (2, 2, 32, 33)
    np.testing.assert_allclose(off.weights(), np.broadcast_to(M, (4, 64, 64)), atol=1e-12)


@pytest.mark.parametrize("model", ["independent", "clustered", "lines"])
def test_fault_masks_have_the_rate_and_the_spatial_structure(model):
    rng = np.random.default_rng(4)
    p = 0.2
    mask, _ = fault_grid((8, 64, 128), p, model, rng, cluster_size=3.0)
    rate = mask.mean()
    if model == "lines":
        assert rate == pytest.approx(p, abs=0.03)
        rows, cols = mask.all(axis=2, keepdims=True), mask.all(axis=1, keepdims=True)
        assert np.all(mask == (rows | cols))  # every fault lies on a broken line
    else:
        assert np.all(mask.sum(axis=(1, 2)) == round(p * 64 * 128))
    right = mask[:, :, 1:] & mask[:, :, :-1]
    neighbour = right.sum() / mask[:, :, :-1].sum()  # P(right neighbour faulty | faulty)
    if model == "independent":
        assert neighbour == pytest.approx(p, abs=0.02)
    else:
        assert neighbour > p + 0.3


def test_stuck_states_follow_the_card_share():
    rng = np.random.default_rng(5)
    codes = stuck_codes((16, 64, 128), 0.3, "independent", 0.838, rng)
    stuck = codes != 0
    assert stuck.mean() == pytest.approx(0.3, abs=1e-3)
    assert np.mean(codes[stuck] == STUCK_ON) == pytest.approx(0.838, abs=0.01)
    lines = stuck_codes((16, 64, 128), 0.3, "lines", 0.5, rng)
    broken_rows = (lines != 0).all(axis=2)
    for d, i in zip(*np.nonzero(broken_rows)):
        assert len(np.unique(lines[d, i])) == 1  # one state per broken line


def test_zeroed_weights_differ_from_stuck_devices():
    W = na.learning.learn("storkey", na.patterns.random_binary(K=10, D=64, seed=0)).T
    layout = make_layout(64, 64, load_circuit("crossbar-64"))
    p = 0.2
    zero = draw_faults(layout, 4, FaultSpec(rate=p, kind="zero"), np.random.default_rng(6))
    stuck = draw_faults(layout, 4, FaultSpec(rate=p, kind="stuck", stuck_on=0.838),
                        np.random.default_rng(6))
    a_zero = _program("ideal-memristor", "crossbar-64", W, faults=zero, ir_mode="off")
    a_stuck = _program("ideal-memristor", "crossbar-64", W, faults=stuck, ir_mode="off")
    wz, ws = a_zero.weights(), a_stuck.weights()
    assert np.all(wz[zero.zero] == 0) and zero.zero.mean() == pytest.approx(p, abs=1e-3)
    hit = mapping.affected_weights(stuck.stuck, layout)
    assert hit.mean() == pytest.approx(1 - (1 - p) ** 2, abs=0.01)  # two devices per weight
    w_max = np.abs(W).max()
    # a stuck-ON device pins its pair near ±w_max: large weights, not zeros
    assert np.mean(np.abs(ws[hit]) > 0.5 * w_max) > 0.5
    assert np.mean(np.abs(wz[zero.zero])) == 0 < np.mean(np.abs(ws[hit]) - np.abs(np.broadcast_to(W, ws.shape)[hit]))


def test_fault_aware_programming_reaches_every_feasible_weight():
    layout = make_layout(64, 64, load_circuit("crossbar-64"))
    dev = load_device("ideal-memristor")
    rng = np.random.default_rng(7)
    faults = draw_faults(layout, 2, FaultSpec(rate=0.3, kind="stuck"), rng)
    lo, hi = mapping.weight_bounds(faults.stuck, layout, dev.g_min, dev.g_max, 1.0)
    M = rng.uniform(-1, 1, (2, 64, 64))
    arr = _program("ideal-memristor", "crossbar-64", M, faults=faults, ir_mode="off",
                   w_max=1.0, known_faults=True)
    np.testing.assert_allclose(arr.weights(), np.clip(M, lo, hi), atol=1e-12)
    assert np.all(lo <= hi) and np.mean(lo == hi) > 0.05  # pairs with both devices stuck


def test_fault_aware_rule_is_registered_and_needs_binary_patterns():
    pats = na.patterns.random_binary(K=5, D=32, seed=0)
    mask = np.random.default_rng(0).random((32, 32)) < 0.5
    W = na.learning.learn("fault-aware", pats, mask=mask, steps=100)
    assert W.shape == (32, 32)
    raw = na.learning.fault_aware(pats, mask=mask, steps=100, bias=False).W
    assert np.all(raw[mask] == 0) and np.all(np.diag(raw) == 0)
    with pytest.raises(NeuroamError, match="binary"):
        na.learning.fault_aware(na.patterns.PatternSet(np.random.default_rng(0).standard_normal((3, 8)),
                                                       kind="real"))
