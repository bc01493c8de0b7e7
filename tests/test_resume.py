"""A sweep killed with SIGKILL leaves no complete-looking results.h5; --resume finishes it
without redoing finished runs and with every run present exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import h5py
from typer.testing import CliRunner

from neuroam.cli import app
from neuroam.store import list_runs, partial_index, read_records, read_summary

SWEEP = """
[scenario]
name = "killme"
seed = 0
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
[sweep]
grid = { "cues.rate" = [0.05, 0.1, 0.15] }  # one shape: one program for the whole sweep
seeds = [0, 1]
"""

# Runs the CLI with every batch slowed down, so that the kill lands mid-sweep.
SLOW_CLI = """
import sys, time
import neuroam.sweep.local as driver
run_batch = driver.run_batch
def slow(*args, **kwargs):
    time.sleep(float(sys.argv[1]))
    return run_batch(*args, **kwargs)
driver.run_batch = slow
from neuroam.cli import main
main(sys.argv[2:])
"""


def finished_partials(out: Path) -> list[Path]:
    d = out / ".neuroam-partial"
    return sorted(p for p in d.rglob("*.npz")) if d.exists() else []


def test_sigkill_mid_sweep_then_resume(tmp_path):
    scen = tmp_path / "sweep.toml"
    scen.write_text(SWEEP)
    out = tmp_path / "out"
    env = {**os.environ, "JAX_PLATFORMS": "cpu"}
    proc = subprocess.Popen([sys.executable, "-c", SLOW_CLI, "0.4", "run", str(scen), "--out",
                             str(out), "--no-progress"], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    deadline = time.monotonic() + 90
    while len(finished_partials(out)) < 2 and proc.poll() is None:
        assert time.monotonic() < deadline, "the sweep made no progress"
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL, proc.stderr.read().decode()[-2000:]

    # nothing that looks complete was left behind: one partial file per finished batch
    # (the seeds of one grid point share a batch), no results.h5
    done = finished_partials(out)
    assert 2 <= len(done) < 3
    assert not (out / "results.h5").exists()
    assert [p.name for p in out.glob("results.h5*")] == [f"results.h5.tmp-{proc.pid}"]
    # a half-written partial (killed while writing) and a corrupt one are both redone
    (done[0].parent / "x.npz.tmp-12345").write_bytes(b"PK half")
    kept = len(partial_index(done[0], None))
    done[-1].write_bytes(done[-1].read_bytes()[:200])

    res = CliRunner().invoke(app, ["run", str(scen), "--out", str(out), "--no-progress"])
    assert res.exit_code == 2 and "already holds results" in res.output
    res = CliRunner().invoke(app, ["run", str(scen), "--out", str(out), "--resume",
                                   "--no-progress"])
    assert res.exit_code == 0, res.output
    assert f"{kept} finished run(s) kept" in res.output

    results = out / "results.h5"
    runs = list_runs(results)
    expected = {f"ideal-discrete/p{i:03d}-s{s}" for i in range(3) for s in (0, 1)}
    assert len(runs) == 6 and set(runs) == expected
    records = read_records(results)
    assert sum(r.pid == proc.pid for r in records) == kept
    assert sum(r.pid == os.getpid() for r in records) == 6 - kept
    assert all(r.ok for r in records)
    assert sorted(read_summary(results)["run"].values.tolist()) == sorted(expected)
    with h5py.File(results, "r") as f:
        assert f.attrs["complete"] == 1
    assert not (out / ".neuroam-partial").exists()
    assert [p.name for p in out.glob("results.h5*")] == ["results.h5"]  # stale tmp removed
