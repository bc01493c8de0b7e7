"""``[[reference]]``: published and theoretical values beside the measured ones.

The measured side is checked on synthetic run records whose curves have a known answer
(a straight line crossing a level at a known load, a power law in log K), and the
scenario side through ``validate`` on the CLI (user errors exit 2).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from neuroam.report.references import reference_rows, references_section
from neuroam.scenario.spec import ReferenceSpec
from neuroam.store.record import RunRecord

from typer.testing import CliRunner

from neuroam.cli import app
from helpers import scenario_text


def _rec(label: str, params: dict, seed: int, **summary) -> RunRecord:
    return RunRecord(run_id=f"{label}/{seed}-{sorted(params.items())}", label=label,
                     implementation="ideal-discrete", point_id="p", seed=seed, params=params,
                     variables={}, summary=summary, attrs={}, wall_time=0.0)


def test_crossing_of_a_line_is_where_it_meets_the_level():
    # accuracy = 1 - K/300 (seed 0) and 1 - K/300 + 0.02 (seed 1) -> mean 1.01 - K/300
    # crosses 0.5 at K = 153 exactly; the grid brackets it between 140 and 160
    records = [_rec("ideal", {"patterns.K": K}, s, accuracy=1 - K / 300 + 0.02 * s)
               for K in (100, 120, 140, 160, 180) for s in (0, 1)]
    ref = ReferenceSpec(metric="accuracy", value=0.138, tolerance=0.01, source="AGS 1985",
                        crossing={"axis": "patterns.K", "level": 0.5, "scale": 1 / 1000})
    (row,) = reference_rows([ref], records)
    assert row.ours == pytest.approx(0.153, abs=1e-12)
    assert row.status == "outside" and row.n_runs == 10
    ref_ok = ref.model_copy(update={"tolerance": 0.016})
    assert reference_rows([ref_ok], records)[0].status == "reproduced"


def test_log_crossing_recovers_a_power_law():
    # retrieved fraction falls linearly in log2 K: y = 1 - (log2 K - 4)/4 crosses 0.5 at
    # K = 2^6 = 64 although the grid has 32 and 128 only around it
    records = [_rec("dense", {"patterns.K": K, "model": {"n": 3}}, 0,
                    accuracy=1 - (math.log2(K) - 4) / 4) for K in (16, 32, 128, 256)]
    records += [_rec("dense", {"patterns.K": K, "model": {"n": 2}}, 0, accuracy=0.0)
                for K in (16, 32, 128, 256)]
    ref = ReferenceSpec(metric="accuracy", value=60.0, rel_tolerance=0.1, source="KH 2016",
                        at={"model": {"n": 3}},
                        crossing={"axis": "patterns.K", "level": 0.5, "log": True})
    (row,) = reference_rows([ref], records)
    assert row.ours == pytest.approx(64.0, rel=1e-12)
    assert row.status == "reproduced" and row.n_runs == 4
    # a curve that starts below the level never crosses it
    never = ref.model_copy(update={"at": {"model": {"n": 2}}})
    assert reference_rows([never], records)[0].status == "no crossing"


def test_point_reference_averages_seeds_and_reports_missing_points():
    records = [_rec("chip", {"rule": r}, s, mean_final_overlap=v)
               for r, vals in (("hebbian", (0.5, 0.6)), ("storkey", (0.7, 0.9)))
               for s, v in enumerate(vals)]
    refs = [ReferenceSpec(label="chip", metric="mean_final_overlap", at={"rule": "storkey"},
                          value=0.75, tolerance=0.05, source="paper"),
            ReferenceSpec(label="chip", metric="mean_final_overlap", at={"rule": "pinv"},
                          value=0.75, tolerance=0.05, source="paper")]
    rows = reference_rows(refs, records)
    assert rows[0].ours == pytest.approx(0.8) and rows[0].status == "reproduced"
    assert rows[1].status == "not run" and np.isnan(rows[1].ours)
    text = references_section(refs, records)
    assert "1 of 2 values reproduced" in text and "not run" in text


@pytest.mark.parametrize("block, needle", [
    ('metric = "acuracy"\nvalue = 1\ntolerance = 0.1\nsource = "x"', "Did you mean `accuracy`"),
    ('metric = "accuracy"\nvalue = 1\nsource = "x"', "exactly one of `tolerance`"),
    ('metric = "accuracy"\nvalue = 1\ntolerance = 0.1\nsource = "x"\nat = { "patterns.K" = 7 }',
     "one of the swept values"),
    ('metric = "accuracy"\nvalue = 1\ntolerance = 0.1\nsource = "x"\nlabel = "idael"',
     "one of the labels"),
    ('metric = "accuracy"\nvalue = 0\nrel_tolerance = 0.1\nsource = "x"', "nonzero `value`"),
])
def test_bad_references_are_refused_by_validate(tmp_path, block, needle):
    body = ('[implementations.ideal-discrete]\nmode = "sync"\n'
            '[sweep.grid]\n"patterns.K" = [4, 8]\n\n[[reference]]\n' + block + "\n")
    path = tmp_path / "s.toml"
    path.write_text(scenario_text("refs", body))
    result = CliRunner().invoke(app, ["validate", str(path)])
    out = " ".join(result.output.split())
    assert result.exit_code == 2 and needle in out and "Traceback" not in out
