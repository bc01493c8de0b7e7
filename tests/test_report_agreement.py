"""The report compares every hardware implementation's final states with the ideal run
of the same model on the same cues; a label may recall its own model."""

import numpy as np
import pytest

from neuroam.errors import ScenarioError
from neuroam.report import make_report
from neuroam.report.agreement import agreement_rows
from neuroam.scenario import loads_scenario
from neuroam.store import read_records
from neuroam.sweep import run_study

from helpers import scenario_text

# the reference is the ideal network's fixed-point map: the program of OVERRIDE's ideal-hop
# below (which reference a label is compared with, by role and rank: tests/test_capabilities.py)
SCENARIO = scenario_text("agree", """
[implementations.ideal]
name = "ideal-fixed-point"
[implementations.chip]
name = "crossbar"
device = "ideal-memristor"
circuit = "crossbar-ideal"
n_draws = 2
""")


def test_agreement_section_in_report(tmp_path):
    outcome = run_study(loads_scenario(SCENARIO), tmp_path / "o")
    make_report(outcome.results)
    text = (tmp_path / "o" / "report.md").read_text()
    assert "## Agreement with the ideal model" in text and "`chip` vs `ideal`" in text
    # 2 chips x 8 cues, each chip against the same 8 ideal final states
    row = [line for line in text.splitlines() if line.startswith("| – | 0 | 0.125 | 16 |")]
    assert row and row[0].rstrip("| ").endswith("1.000 | 1.000 | 1.000")


# the chip (2 draws, Hebbian, the default shapes) reuses the compiled loop of SCENARIO's chip
OVERRIDE = scenario_text("override", """
[implementations.ideal-ode]
name = "ideal-fixed-point"
[implementations.ideal-hop]
name = "ideal-fixed-point"
model = { name = "hopfield", rule = "hebbian" }
[implementations.chip]
name = "crossbar"
device = "ideal-memristor"
circuit = "crossbar-ideal"
n_draws = 2
model = { name = "hopfield", rule = "hebbian" }
""", model='name = "exponential"\nform = "bipartite"')


def test_label_model_override_and_matching_reference(tmp_path):
    sc = loads_scenario(OVERRIDE)
    outcome = run_study(sc, tmp_path / "o")
    recs = {r.label: r for r in read_records(outcome.results)}
    assert "exponential" in recs["ideal-ode"].attrs["model"]
    assert "hopfield" in recs["ideal-hop"].attrs["model"]
    assert "hopfield" in recs["chip"].attrs["model"]
    # same patterns and cues for every label, whatever its model
    np.testing.assert_array_equal(recs["chip"].variables["patterns"].data,
                                  recs["ideal-ode"].variables["patterns"].data)
    rows = agreement_rows(list(recs.values()), outcome.results)
    assert [(r["label"], r["reference"]) for r in rows] == [("chip", "ideal-hop")]
    assert rows[0]["exact"] == 1.0


def test_bad_label_model_is_a_scenario_error():
    old = 'n_draws = 2\nmodel = { name = "hopfield", rule = "hebbian" }'
    assert old in OVERRIDE
    with pytest.raises(ScenarioError, match="implementations.chip.model.name"):
        loads_scenario(OVERRIDE.replace(old, 'n_draws = 2\nmodel = { name = "hopfeld" }'))
    with pytest.raises(ScenarioError, match="a table with a model name"):
        loads_scenario(OVERRIDE.replace(old, 'n_draws = 2\nmodel = "hopfield"'))
