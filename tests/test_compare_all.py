"""scenarios/compare_all.toml: every implementation on the same cues, each over its own noise.

The fast test runs a reduced copy (D = 40, 8 cues, one seed, two crossbar fault rates, the
numpy Brian2 back-end); the slow one runs the scenario as shipped and checks what its
description claims.
"""

from pathlib import Path

import pytest

from neuroam.report import make_report
from neuroam.report.agreement import reference_labels
from neuroam.scenario import load_scenario
from neuroam.store import read_records
from neuroam.sweep import run_study

PATH = Path(__file__).resolve().parents[1] / "scenarios" / "compare_all.toml"
HARDWARE = {"crossbar", "spiking", "oscillator", "astrocyte"}
REDUCED = ["patterns.D=40", "patterns.K=4", "cues.trials_per_pattern=2", "sweep.seeds=[0]",
           "implementations.spiking.backend=\"numpy\"",
           "sweep.grid={\"implementations.crossbar.fault_rate\" = [0.0, 0.3]}"]


def test_every_implementation_with_its_own_noise_axis():
    sc = load_scenario(PATH)
    names = {cfg.name for cfg in sc.implementations.values()}
    assert {"ideal-ode", "ideal-sde"} | HARDWARE <= names
    grid = sc.spec.sweep.grid
    for label, cfg in sc.implementations.items():
        if cfg.name in HARDWARE | {"ideal-sde"}:
            assert any(k.startswith(f"implementations.{label}.") for k in grid), label


@pytest.mark.slow  # every implementation end to end (~80 s CPU); each is tested on its own in the fast suite
def test_reduced_study_runs_and_compares_on_one_page(tmp_path):
    sc = load_scenario(PATH, overrides=REDUCED)
    outcome = run_study(sc, tmp_path / "o")
    assert not outcome.failed, [r.error for r in outcome.failed]
    records = read_records(outcome.results, skip=("state", "cues"))
    assert reference_labels(records) == {"crossbar": "ideal-ode", "spiking": "ideal-exp",
                                         "oscillator": "ideal-ode", "astrocyte": "ideal-ode"}
    xi = {r.label: r.variables["patterns"].data.tobytes() for r in records}
    assert len(set(xi.values())) == 1  # one pattern set for every label
    make_report(outcome.results)
    text = (tmp_path / "o" / "report.md").read_text()
    side = text.split("## Implementations side by side", 1)[1].split("\n## ", 1)[0]
    assert sum(line.startswith("| `") for line in side.splitlines()) == len(sc.implementations)
    for label in ("crossbar", "spiking", "oscillator"):  # hardware cost estimates present
        row = next(line for line in side.splitlines() if line.startswith(f"| `{label}`"))
        assert " J |" in row and " s |" in row
    for pair in ("`spiking` vs `ideal-exp`", "`astrocyte` vs `ideal-ode`", "`oscillator` vs"):
        assert pair in text
    assert (tmp_path / "o" / "compare_noise.png").exists()


@pytest.mark.slow
def test_shipped_study_shows_each_tolerance(tmp_path):
    """Base points retrieve; the strongest noise of every sweep breaks recall."""
    outcome = run_study(load_scenario(PATH), tmp_path / "o")
    assert not outcome.failed
    by_label: dict[str, dict[str, list[float]]] = {}
    for r in outcome.records:
        by_label.setdefault(r.label, {}).setdefault(r.point_id[:4], []).append(
            r.summary["accuracy"])
    for label, points in by_label.items():
        mean = {p: sum(v) / len(v) for p, v in points.items()}
        assert mean["p000"] >= 0.95, label
        if len(mean) > 1:
            assert min(mean.values()) < 0.5, label
