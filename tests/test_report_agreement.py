"""The report compares every hardware implementation's final states with the ideal run."""

from neuroam.report import make_report
from neuroam.scenario import loads_scenario
from neuroam.sweep import run_study

SCENARIO = """
[scenario]
name = "agree"
seed = 0
[patterns]
generator = "random_binary"
K = 4
D = 32
[model]
name = "hopfield"
rule = "hebbian"
[cues]
kind = "flip"
rate = 0.1
trials_per_pattern = 2
[implementations.ideal-ode]
t1 = 10.0
[implementations.chip]
name = "crossbar"
device = "ideal-memristor"
circuit = "crossbar-ideal"
n_draws = 1
"""


def test_agreement_section_in_report(tmp_path):
    outcome = run_study(loads_scenario(SCENARIO), tmp_path / "o")
    make_report(outcome.results)
    text = (tmp_path / "o" / "report.md").read_text()
    assert "## Agreement with the ideal model" in text and "`chip` vs `ideal-ode`" in text
    row = [line for line in text.splitlines() if line.startswith("| 4 | 32 | 0 | 8 |")]
    assert row and row[0].rstrip("| ").endswith("1 | 1")  # ideal card: identical final states
