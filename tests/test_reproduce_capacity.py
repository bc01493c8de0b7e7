"""Shipped capacity reproductions (scenarios/reproduce/): each run as shipped (slow), and
our number computed here from the stored final states and patterns — not from the
summary or the report — against the published law.

The fast tests run a reduced point of each scenario and check the physics a
reproduction rests on at a size where it is cheap: the pattern sample of ``max_patterns``,
and that the exact energy difference (not the synchronous gradient sign, whose
self-interaction freezes every state of a dense polynomial memory) decides stability.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import h5py
import numpy as np
import pytest
from typer.testing import CliRunner

from neuroam.cli import app

ROOT = Path(__file__).resolve().parents[1]
REPRO = ROOT / "scenarios" / "reproduce"


def _run(tmp_path: Path, name: str, *sets: str) -> Path:
    out = tmp_path / name
    args = ["run", str(REPRO / f"{name}.toml"), "--out", str(out), "--no-progress"]
    for s in sets:
        args += ["--set", s]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    return out / "results.h5"


def _exact_fraction(f: h5py.File, threshold: float) -> dict[tuple, list[float]]:
    """(grid point as JSON) -> per-seed fraction of trials whose final state has overlap
    ≥ threshold with the pattern it started from / was cued with (from the stored arrays)."""
    out: dict[tuple, list[float]] = {}
    for label in f["runs"]:
        for run in f["runs"][label]:
            g = f["runs"][label][run]
            xi = g["patterns"][...]
            final = np.sign(g["final"][...])
            target = g["target"][...]
            m = np.sum(final * xi[target], axis=1) / xi.shape[1]
            out.setdefault(g.attrs["params"], []).append(float(np.mean(m >= threshold - 1e-6)))
    return out


def _crossing(xs, ys, level, log=False):
    """First x where ys drops below level, linear in x (or log x) between grid points."""
    u = np.log(xs) if log else np.asarray(xs, float)
    for i in range(1, len(xs)):
        if ys[i - 1] >= level > ys[i]:
            t = (ys[i - 1] - level) / (ys[i - 1] - ys[i])
            c = u[i - 1] + t * (u[i] - u[i - 1])
            return float(np.exp(c) if log else c)
    return math.nan


def _curve(fractions, pick):
    pts = sorted((json.loads(p)["patterns.K"], np.mean(v)) for p, v in fractions.items()
                 if pick(json.loads(p)))
    return [k for k, _ in pts], [y for _, y in pts]


def error_free_law(D: int, n: int) -> float:
    """Krotov & Hopfield 2016: D^(n-1) / (2 (2n-3)!! ln D)."""
    dfact = math.prod(range(2 * n - 3, 0, -2))
    return D ** (n - 1) / (2 * dfact * math.log(D))


@pytest.mark.slow
def test_hopfield_transition_near_alpha_c(tmp_path):
    with h5py.File(_run(tmp_path, "hopfield_capacity"), "r") as f:
        ks, ys = _curve(_exact_fraction(f, 0.95), lambda p: True)
        overlap: dict[int, list[float]] = {}
        for label in f["runs"]:
            for run in f["runs"][label]:
                g = f["runs"][label][run]
                xi, final = g["patterns"][...], np.sign(g["final"][...])
                m = np.sum(final * xi[g["target"][...]], axis=1) / xi.shape[1]
                overlap.setdefault(xi.shape[0], []).append(float(m.mean()))
    half = _crossing(ks, ys, 0.5) / 1000  # half the patterns lost
    first = _crossing(sorted(overlap), [np.mean(overlap[k]) for k in sorted(overlap)],
                      0.967) / 1000  # the mean overlap below the theory's m(α_c)
    assert abs(half - 0.138) <= 0.025 and abs(first - 0.138) <= 0.025, (half, first)
    assert first < 0.138 + 0.005 and half > first  # α_c lies within the smeared transition


@pytest.mark.slow
def test_krotov_hopfield_error_free_capacity(tmp_path):
    with h5py.File(_run(tmp_path, "krotov_hopfield_capacity"), "r") as f:
        frac = _exact_fraction(f, 1.0)
    for n in (2, 3, 4):
        ks, ys = _curve(frac, lambda p: p["model"]["n"] == n)
        kmax = _crossing(ks, ys, 0.9, log=True)
        assert abs(kmax / error_free_law(100, n) - 1) <= 0.25, (n, kmax, list(zip(ks, ys)))


@pytest.mark.slow
def test_exponential_capacity_beyond_d(tmp_path):
    with h5py.File(_run(tmp_path, "exponential_capacity"), "r") as f:
        frac = _exact_fraction(f, 1.0)
    exact = {json.loads(p)["patterns.K"]: np.mean(v) for p, v in frac.items()
             if json.loads(p)["cues"]["kind"] == "exact"}
    flipped = {json.loads(p)["patterns.K"]: np.mean(v) for p, v in frac.items()
               if json.loads(p)["cues"]["kind"] == "flip"}
    assert exact[4096] >= 0.98 and 4096 == 2 ** (24 // 2)  # Demircigil et al.: 2^(D/2)
    assert flipped[96] >= 0.98  # below exp(D I(1-2ρ)/2) ≈ 131 at ρ = 1/12
    assert exact[16384] > 0.5  # 683 D: far beyond any pairwise network


def test_max_patterns_samples_the_first_patterns_and_polynomial_stability():
    """D = 40, n = 3 at K = 1.5 × the error-free law, recalled as krotov_hopfield_capacity
    does (exact cues on a sample of max_patterns, async, 2 sweeps): the fraction of exact
    fixed points matches a NumPy count of patterns that no single flip lowers (the
    independent oracle of energy differences)."""
    import neuroam as na

    K, D = round(1.5 * error_free_law(40, 3)), 40
    patterns = na.patterns.random_binary(K=K, D=D, seed=3)
    cues = na.cues.make_cues(patterns, "exact", max_patterns=32)
    assert cues.targets.tolist() == list(range(32))
    model = na.models.make_model("polynomial", n=3)
    result = na.recall(model, patterns, cues, "ideal-discrete", mode="async", max_sweeps=2,
                       save_states=False)
    xi = np.asarray(patterns.xi, dtype=float)
    ours = float(np.mean(np.all(np.sign(np.asarray(result.final)) == xi[:32], axis=1)))
    ov = xi[:32] @ xi.T  # (32, K) overlaps of each sampled pattern with all
    stable = []
    for mu in range(32):
        base = np.sum(ov[mu] ** 3)
        flipped = np.sum((ov[mu][:, None] - 2 * xi * xi[mu]) ** 3, axis=0)  # (D,)
        stable.append(np.all(flipped <= base))
    assert 0.05 < np.mean(stable) < 0.95  # the point is inside the transition
    assert ours == pytest.approx(np.mean(stable), abs=1e-12)
    with pytest.raises(na.errors.ValueRangeError, match="one of them"):
        na.cues.make_cues(patterns, "exact", max_patterns=4, targets=[0, 1])
