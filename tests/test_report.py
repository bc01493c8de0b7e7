"""Reports from a results file alone: summary table aggregation, report.md and plots."""

from __future__ import annotations

import numpy as np
import pytest

from neuroam.errors import StoreError
from neuroam.patterns import PatternSet
from neuroam.report import make_report, summary_rows, table
from neuroam.results import RecallResult
from neuroam.store import RunRecord, assemble, record_from_result


def run_record(K: int, seed: int, label: str, acc: float, D: int = 20) -> RunRecord:
    """A run whose overlaps relax from 0.6 to ``acc`` with an energy that decreases."""
    rng = np.random.default_rng(seed)
    xi = np.where(rng.standard_normal((K, D)) > 0, 1.0, -1.0)
    T, S = 2 * K, 10
    targets = np.arange(T) % K
    times = np.linspace(0, 9, S)
    ov = np.zeros((T, S, K), np.float32)
    ov[np.arange(T), :, targets] = 0.6 + (acc - 0.6) * (1 - np.exp(-times))[None]
    energy = -ov.max(-1) * D
    result = RecallResult(label, times, None, energy, ov, np.tile(xi[:1], (T, 1)), np.zeros(T),
                          np.full(T, 3.0), np.tile(xi[:1], (T, 1)), targets)
    outcomes = np.where(rng.random(T) < acc, 0, 2)
    variables = record_from_result(result, PatternSet(xi), outcomes)
    point = f"p{[4, 8, 16].index(K):03d}-s{seed}"
    return RunRecord(f"{label}/{point}", label, label, point, seed, {"patterns.K": K}, variables,
                     {"accuracy": acc, "mean_final_overlap": acc, "n_trials": float(T)}, {}, 0.1)


@pytest.fixture
def sweep_file(tmp_path):
    records = [run_record(K, s, label, acc=max(0.0, 1 - K / 16 + 0.05 * s))
               for K in (4, 8, 16) for s in (0, 1) for label in ("ideal-ode", "ideal-discrete")]
    text = "[scenario]\nname = 'sweep'\n[model]\nname = 'hopfield'\n"
    return assemble(tmp_path / "results.h5", records, scenario_text=text, scenario_name="sweep",
                    digest="x", seed=0, extra_attrs={"description": "Capacity sweep."})


def test_summary_rows_average_over_seeds(sweep_file):
    from neuroam.store import read_records

    rows = summary_rows(read_records(sweep_file))
    assert len(rows) == 6  # 3 K values × 2 implementations
    row = next(r for r in rows if r.label == "ideal-ode" and r.params["patterns.K"] == 8)
    mean, std = row.metrics["accuracy"]
    assert row.seeds == [0, 1] and mean == pytest.approx(0.525) and std == pytest.approx(0.025)
    assert row.K == 8 and row.D == 20 and row.n_trials == 32
    header, cells = table(rows)
    assert "K/D" in header and cells[0][header.index("K/D")] == "0.2"


def test_report_writes_markdown_and_every_plot(sweep_file):
    written = make_report(sweep_file)
    names = [p.name for p in written]
    assert names == ["report.md", "trajectories.png", "outcomes.png", "sweep_patterns_K.png"]
    for p in written[1:]:
        assert p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and p.stat().st_size > 5000
    md = written[0].read_text()
    assert "Capacity sweep." in md and "| ideal-discrete | 8 | 0.4 | 2 |" in md
    assert "![sweep_patterns_K](sweep_patterns_K.png)" in md and "```toml" in md


def test_report_on_a_non_results_file_is_a_store_error(tmp_path):
    (tmp_path / "x.h5").write_bytes(b"nope")
    with pytest.raises(StoreError):
        make_report(tmp_path / "x.h5")


def test_summary_headers_stay_distinct_and_axes_readable():
    from neuroam.report.tables import axis_label, short_keys

    keys = ["implementations.a.fault_rate", "implementations.b.fault_rate", "patterns.K",
            "implementations.a.n_draws"]
    shown = short_keys(keys)
    assert len(set(shown)) == len(keys) and shown[2] == "K" and shown[3] == "n_draws"
    label = axis_label("implementations.rram.fault_rate", "crossbar")
    assert "fault" in label and "implementations" not in label
