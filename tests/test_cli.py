"""The command line: run/validate/list/report/schema and every bad-input class."""

from __future__ import annotations

import json
from pathlib import Path

import h5py
import pytest

from helpers import cli

ROOT = Path(__file__).resolve().parents[1]

TINY = """
[scenario]
name = "tiny"
description = "A tiny Hopfield test."
seed = 1
[patterns]
generator = "random_binary"
K = 3
D = 16
[model]
name = "hopfield"
[cues]
kind = "flip"
rate = 0.1
[implementations.ideal-discrete]
max_sweeps = 5
"""


@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    """One finished run of the tiny scenario: (scenario path, output folder)."""
    d = tmp_path_factory.mktemp("cli")
    scen = d / "tiny.toml"
    scen.write_text(TINY)
    res = cli("run", scen, "--out", d / "out", "--no-progress")
    assert res.exit_code == 0, res.output
    return scen, d / "out"


def test_run_writes_results_report_plots_and_prints_summary(finished):
    scen, out = finished
    assert {p.name for p in out.iterdir()} >= {"results.h5", "report.md", "trajectories.png",
                                               "outcomes.png"}
    assert not (out / ".neuroam-partial").exists()
    text = (out / "report.md").read_text()
    assert "A tiny Hopfield test." in text and "| ideal-discrete |" in text
    with h5py.File(out / "results.h5", "r") as f:
        assert f.attrs["complete"] == 1 and "runs/ideal-ode" not in f
        assert "runs/ideal-discrete/p000-s1" in f


def test_existing_results_are_refused_without_overwrite_or_resume(finished):
    scen, out = finished
    before = (out / "results.h5").read_bytes()
    res = cli("run", scen, "--out", out, "--no-progress")
    assert res.exit_code == 2 and "already holds results" in res.output
    assert "--overwrite" in res.output and "--resume" in res.output
    assert (out / "results.h5").read_bytes() == before
    res = cli("run", scen, "--out", out, "--resume", "--no-progress")
    assert res.exit_code == 0 and "1 finished run(s) kept" in res.output
    res = cli("run", scen, "--out", out, "--overwrite", "--resume")
    assert res.exit_code == 2 and "at most one" in res.output


def test_resume_with_a_changed_scenario_is_refused(finished):
    scen, out = finished
    res = cli("run", scen, "--out", out, "--resume", "--set", "patterns.K=2")
    assert res.exit_code == 2 and "different scenario" in res.output


def test_unwritable_output_folder(tmp_path, finished):
    scen, _ = finished
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    res = cli("run", scen, "--out", blocker / "sub")
    assert res.exit_code == 2 and "cannot be written" in res.output
    res = cli("run", scen, "--out", blocker)
    assert res.exit_code == 2 and "which is a file" in res.output


def test_validate_good_and_bad(tmp_path):
    ok = cli("validate", ROOT / "scenarios" / "quickstart.toml")
    assert ok.exit_code == 0 and "valid" in ok.output
    bad = tmp_path / "bad.toml"
    bad.write_text("this is = not [valid toml\n")
    res = cli("validate", bad)
    assert res.exit_code == 2 and "line 1, column 6" in res.output
    bad.write_text(TINY.replace("rate = 0.1", "rate = 0.1\n[save]\nstate = false"))
    res = cli("validate", bad)
    assert res.exit_code == 2 and "save.state" in res.output and "states" in res.output
    res = cli("validate", tmp_path / "missing.toml")
    assert res.exit_code == 2 and "existing scenario file" in res.output


def test_report_rebuilds_and_refuses_bad_files(tmp_path, finished):
    _, out = finished
    res = cli("report", out / "results.h5", "--out", tmp_path / "rep")
    assert res.exit_code == 0 and (tmp_path / "rep" / "report.md").exists()
    (tmp_path / "corrupt.h5").write_bytes(b"\x89HDF\r\n\x1a\n" + b"garbage" * 20)
    with h5py.File(tmp_path / "foreign.h5", "w") as f:
        f["data"] = [1, 2, 3]
    for name in ("corrupt.h5", "foreign.h5", "missing.h5"):
        res = cli("report", tmp_path / name)
        assert res.exit_code == 2 and "error:" in res.output, (name, res.output)


def test_list_commands(tmp_path, monkeypatch):
    res = cli("list", "implementations")
    assert res.exit_code == 0 and "ideal-ode" in res.output and "ideal-discrete" in res.output
    res = cli("list", "scenarios")
    assert res.exit_code == 0 and "quickstart" in res.output
    monkeypatch.chdir(tmp_path)
    (tmp_path / "devices").mkdir()
    (tmp_path / "devices" / "rram_test.toml").write_text('description = "test card"\n')
    res = cli("list", "devices")
    assert res.exit_code == 0 and "rram_test" in res.output and "test card" in res.output
    assert cli("list", "circuits").exit_code == 0
    res = cli("list", "device")
    assert res.exit_code == 2 and "devices" in res.output


def test_bad_workers_and_unreachable_scheduler_are_refused_cleanly(finished, tmp_path):
    scen, _ = finished
    res = cli("run", scen, "--out", tmp_path / "w", "--workers", "0")
    assert res.exit_code == 2 and "--workers 0" in res.output
    res = cli("run", scen, "--out", tmp_path / "w", "--scheduler", "tcp://127.0.0.1:9")
    assert res.exit_code == 2 and "scheduler" in res.output
    assert not (tmp_path / "w" / "results.h5").exists()


def test_schema_command(tmp_path):
    res = cli("schema")
    assert res.exit_code == 0 and "implementations" in json.loads(res.output)["properties"]
    res = cli("schema", "-o", tmp_path / "s.json")
    assert res.exit_code == 0 and json.loads((tmp_path / "s.json").read_text())


def test_failed_runs_exit_nonzero_and_are_recorded(tmp_path):
    scen = tmp_path / "fail.toml"
    # one conductance level is no programmable window: it passes validation, and the chip
    # fails when it is programmed (checked against the device card at run time); the
    # ideal-discrete run of the same point succeeds
    scen.write_text(TINY + '[implementations.chip]\nname = "crossbar"\ndevice = "ideal-memristor"\n'
                    'circuit = "crossbar-ideal"\nrule = "hebbian"\nn_draws = 1\nlevels = 1\n')
    res = cli("run", scen, "--out", tmp_path / "o", "--no-progress")
    assert res.exit_code != 0 and "run failed" in res.output
    with h5py.File(tmp_path / "o" / "results.h5", "r") as f:
        assert f.attrs["n_failed"] == 1 and f.attrs["n_runs"] == 2
        assert "levels = 1" in " ".join(str(e) for e in f["summary"]["error"][...])
    assert "Failed runs" in (tmp_path / "o" / "report.md").read_text()


SWEPT = TINY + '[sweep]\ngrid = { "patterns.K" = [2, 3] }\n'

#: (case, scenario text, extra CLI arguments, text the message must contain)
USER_ERRORS = [
    ("order as a word", TINY.replace('name = "hopfield"', 'name = "polynomial"'),
     ["--set", "model.n=three"], "n='three'"),
    ("empty value", TINY.replace('name = "hopfield"', 'name = "polynomial"'),
     ["--set", "model.n="], "integer n"),
    ("gain as a word", TINY, ["--set", "model.gain=abc"], "gain='abc'"),
    ("rectified as a number", TINY.replace('name = "hopfield"', 'name = "polynomial"'),
     ["--set", "model.rectified=2"], "true or false"),
    ("rate as a string", TINY, ["--set", 'cues.rate="0.1"'], "without quotes"),
    ("infinite t1", TINY, ["--set", "implementations.ideal-ode.t1=inf"], "t1"),
    ("nan rate", TINY, ["--set", "cues.rate=nan"], "rate=nan"),
    ("too large for memory", TINY, ["--set", "patterns.D=10000000",
                                    "--set", "patterns.K=1000"], "GiB"),
    ("nested 5000 deep", TINY.replace("rate = 0.1", "rate = 0.1\nx = " + "[" * 5000
                                      + "]" * 5000), [], "nested deeper"),
    ("--set on a swept key", SWEPT, ["--set", "patterns.K=4"], 'sweep.grid."patterns.K"'),
    ("file on a generator", TINY, ["--set", 'patterns.file="x.npy"'], "patterns={file="),
    ("bad quoted key", TINY, ["--set", 'sweep.grid."patterns.K=[1]'], "dotted path"),
]


@pytest.mark.parametrize("case, text, args, needle", USER_ERRORS, ids=[c[0] for c in USER_ERRORS])
def test_user_errors_exit_2_with_one_message(tmp_path, case, text, args, needle):
    scen = tmp_path / "s.toml"
    scen.write_text(text)
    res = cli("validate", scen, *args)
    assert res.exit_code == 2, res.output
    assert "error:" in res.output and needle in " ".join(res.output.split()), res.output


def test_one_grid_axis_can_be_overridden(tmp_path):
    scen = tmp_path / "s.toml"
    scen.write_text(SWEPT)
    res = cli("validate", scen, "--set", 'sweep.grid."patterns.K"=[2, 3, 4]')
    assert res.exit_code == 0 and "3 run(s)" in res.output, res.output


def test_output_paths_that_cannot_be_written(tmp_path, finished):
    _, out = finished
    (tmp_path / "afile").write_text("x")
    res = cli("report", out / "results.h5", "--out", tmp_path / "afile")
    assert res.exit_code == 2 and "is a file" in res.output
    res = cli("report", out / "results.h5", "--out", tmp_path / "afile" / "sub")
    assert res.exit_code == 2 and "cannot be written" in res.output
    res = cli("schema", "-o", tmp_path / "afile" / "s.json")
    assert res.exit_code == 2 and "--output" in res.output
    res = cli("schema", "-o", tmp_path / "new" / "dir" / "s.json")  # folders are made
    assert res.exit_code == 0 and (tmp_path / "new" / "dir" / "s.json").is_file()


def test_damaged_numbers_in_results_are_detected(tmp_path, finished):
    """A flipped bit inside a stored array is an error when read (per-chunk checksums),
    not a silently different report."""
    _, out = finished
    good = (out / "results.h5").read_bytes()
    with h5py.File(out / "results.h5", "r") as f:
        ds = f["summary/accuracy"]  # every report reads the summary table
        assert ds.fletcher32
        offset = ds.id.get_chunk_info(0).byte_offset
    bad = bytearray(good)
    bad[offset + 3] ^= 0x10
    (tmp_path / "r").mkdir()
    (tmp_path / "r" / "results.h5").write_bytes(bytes(bad))
    res = cli("report", tmp_path / "r" / "results.h5")
    assert res.exit_code == 2 and "damaged" in res.output, res.output


def test_report_marks_the_description_as_written_under_overrides(tmp_path):
    scen = tmp_path / "tiny.toml"
    scen.write_text(TINY)
    res = cli("run", scen, "--out", tmp_path / "o", "--no-progress", "--set", "cues.rate=0.2")
    assert res.exit_code == 0, res.output
    text = (tmp_path / "o" / "report.md").read_text()
    assert "as written" in text and "> A tiny Hopfield test." in text
    assert "`--set cues.rate=0.2`" in text
