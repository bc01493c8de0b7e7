"""The report puts every implementation side by side, each over its own noise axis."""

import pytest

from neuroam.report import make_report
from neuroam.report.compare import own_keys
from neuroam.scenario import loads_scenario
from neuroam.store import read_records
from neuroam.sweep import run_study

from helpers import scenario_text

SCENARIO = scenario_text("side-by-side", """
[implementations.ideal-ode]
t1 = 10.0
[implementations.chip]
name = "crossbar"
device = "ideal-memristor"
circuit = "crossbar-ideal"
fault_kind = "zero"
n_draws = 1
[implementations.noisy]
name = "ideal-sde"
t1 = 10.0
dt = 0.1
[sweep.grid]
"implementations.chip.fault_rate" = [0.0, 0.9]
"implementations.noisy.temperature" = [0.0, 0.02, 5.0]
""")


@pytest.mark.slow
def test_side_by_side_section(tmp_path):
    sc = loads_scenario(SCENARIO)
    assert len(sc.runs()) == 1 + 2 + 3  # each label only over its own axis
    outcome = run_study(sc, tmp_path / "o")
    records = read_records(outcome.results, skip=("state", "cues"))
    assert own_keys(records, "chip") == ["implementations.chip.fault_rate"]
    assert own_keys(records, "ideal-ode") == []
    paths = make_report(outcome.results)
    assert tmp_path / "o" / "compare_noise.png" in paths
    text = (tmp_path / "o" / "report.md").read_text()
    section = text.split("## Implementations side by side", 1)[1].split("\n## ", 1)[0]
    rows = {line.split("|")[1].strip(): line for line in section.splitlines()
            if line.startswith("| `")}
    assert set(rows) == {"`ideal-ode`", "`chip`", "`noisy`"}
    cells = [c.strip() for c in rows["`chip`"].split("|")[1:-1]]
    assert cells[1] == "crossbar" and "fault_rate ∈ {0, 0.9}" in cells[3]
    assert cells[4] == "1"  # base point: no faults, every cue retrieved
    lo, hi = (float(x) for x in cells[-1].split("–"))
    assert hi == 1.0 and lo < 0.5  # 90 % of the weights zeroed: recall breaks
    assert "sweep" in cells[7] and "sweep" in cells[8]  # own time unit: conv., settle
    assert float(rows["`noisy`"].split("|")[-2].split("–")[0]) < 1.0  # T = 5 breaks recall
    assert "J" in rows["`ideal-ode`"].split("|")[10]  # energy estimate of the processor card


def test_no_section_for_ideal_only_studies(tmp_path):
    # one reference label (the fixed-point program of test_report_agreement's study)
    text = scenario_text("ideal-only", '[implementations.ideal]\nname = "ideal-fixed-point"\n')
    outcome = run_study(loads_scenario(text), tmp_path / "o")
    make_report(outcome.results)
    assert "side by side" not in (tmp_path / "o" / "report.md").read_text()
