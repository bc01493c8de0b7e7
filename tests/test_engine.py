"""The study engine: batched = one by one, provenance of input files, one writer per folder,
a full disk, Ctrl-C and workers that keep dying end cleanly."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import h5py
import numpy as np
import pytest

from neuroam.errors import ClusterError, StoreError
from neuroam.scenario import loads_scenario
from neuroam.store import partial_index, read_records
from neuroam.sweep import plan_batches, run_study
from neuroam.sweep.lock import study_lock

from helpers import cli, scenario_text

ENV = {**os.environ, "JAX_PLATFORMS": "cpu"}

BATCHED = scenario_text("batched", """
[implementations.discrete]
name = "ideal-discrete"
mode = "sync"
max_sweeps = 20
[implementations.chip]
name = "crossbar"
device = "rram-hfo2"
circuit = "crossbar-64"
n_draws = 2
max_steps = 20
[sweep]
seeds = [0, 1]
[sweep.grid]
"implementations.chip.fault_rate" = [0.0, 0.2]
""", K=4, D=32, model='name = "hopfield"\nrule = "hebbian"\ngain = 8.0')


def _arrays(path: Path) -> dict[str, dict[str, np.ndarray]]:
    out = {}
    with h5py.File(path, "r") as f:
        for label in f["runs"]:
            for point in f["runs"][label]:
                g = f["runs"][label][point]
                out[f"{label}/{point}"] = {k: g[k][()] for k in
                                           ("final", "status", "outcome", "overlap", "cues")}
    return out


def test_batched_and_one_by_one_give_the_same_results(tmp_path, monkeypatch):
    import neuroam.sweep.plan as plan

    sc = loads_scenario(BATCHED)
    batches = plan_batches(sc, sc.runs())
    assert any(len(b) > 1 for b in batches)  # something really is batched
    batched = run_study(sc, tmp_path / "batched")
    monkeypatch.setattr(plan, "MAX_RUNS", 1)
    assert all(len(b) == 1 for b in plan_batches(sc, sc.runs()))
    alone = run_study(loads_scenario(BATCHED), tmp_path / "alone")
    assert all(r.ok for r in batched.records + alone.records)
    a, b = _arrays(batched.results), _arrays(alone.results)
    assert sorted(a) == sorted(b) == sorted(r.run_id for r in sc.runs())
    for run_id in a:
        for key in ("status", "outcome", "cues"):
            np.testing.assert_array_equal(a[run_id][key], b[run_id][key], err_msg=run_id)
        # sign states and every random draw: identical (ODE batches against lone runs:
        # tests/test_batched_ideal.py)
        np.testing.assert_array_equal(a[run_id]["final"], b[run_id]["final"], run_id)
        np.testing.assert_allclose(a[run_id]["overlap"], b[run_id]["overlap"], atol=1e-5,
                                   err_msg=run_id)
    meta = {r.run_id: r for r in read_records(batched.results)}
    chip = meta["chip/p000-s0"]
    assert chip.attrs["batch_runs"] > 1  # the crossbar runs shared a batched call


PATTERNS_FILE = """
[scenario]
name = "pf"
seed = 0
[patterns]
file = "p.npy"
[model]
name = "hopfield"
rule = "hebbian"
[cues]
kind = "flip"
rate = 0.1
trials_per_pattern = 2
[implementations.ideal-discrete]
[implementations.chip]
name = "crossbar"
device = "dev.toml"
circuit = "crossbar-64"
n_draws = 1
rule = "hebbian"
[sweep]
seeds = [0, 1]
"""


def _inputs_study(tmp_path: Path) -> Path:
    from neuroam.scenario.search import find_card

    rng = np.random.default_rng(0)
    np.save(tmp_path / "p.npy", np.sign(rng.standard_normal((4, 32))))
    (tmp_path / "dev.toml").write_text(find_card("device", "rram-hfo2").read_text())
    (tmp_path / "s.toml").write_text(PATTERNS_FILE)
    return tmp_path / "s.toml"


def _cli(*args, timeout=300, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "neuroam", *map(str, args)], env=ENV,
                          capture_output=True, text=True, timeout=timeout, **kw)


def test_every_input_file_is_in_the_provenance_and_guards_resume(tmp_path):
    from neuroam.scenario import load_scenario

    scen = _inputs_study(tmp_path)
    out = tmp_path / "out"
    run_study(load_scenario(scen), out)
    results = out / "results.h5"
    pfile, card = str((tmp_path / "p.npy").resolve()), str((tmp_path / "dev.toml").resolve())
    with h5py.File(results, "r") as f:
        inputs = json.loads(f.attrs["inputs"])
        texts = json.loads(f.attrs["input_texts"])
        run_inputs = json.loads(f["runs/chip/p000-s0"].attrs["inputs"])
    assert pfile in inputs and card in inputs and card in texts  # card text stored once
    assert pfile in run_inputs and card in run_inputs
    assert len(read_records(results)) == 4

    # an unchanged resume is a no-op; a changed patterns file or card is refused, named
    assert run_study(load_scenario(scen), out, resume=True).n_skipped == 4
    original = (tmp_path / "p.npy").read_bytes()
    np.save(tmp_path / "p.npy", np.sign(np.random.default_rng(1).standard_normal((4, 32))))
    res = cli("run", scen, "--out", out, "--resume", "--no-progress")  # no traceback either
    assert res.exit_code == 2 and "p.npy" in res.output
    (tmp_path / "p.npy").write_bytes(original)
    card_text = (tmp_path / "dev.toml").read_text()
    (tmp_path / "dev.toml").write_text(card_text.replace("HfO2", "HfO2 (edited)", 1) + "\n")
    with pytest.raises(StoreError, match="dev.toml"):
        run_study(load_scenario(scen), out, resume=True)
    (tmp_path / "dev.toml").write_text(card_text)
    assert run_study(load_scenario(scen), out, resume=True).n_skipped == 4


def test_a_second_writer_on_the_same_folder_is_refused(tmp_path):
    out = tmp_path / "busy"
    out.mkdir()
    scen = tmp_path / "s.toml"
    scen.write_text(scenario_text("busy", "[implementations.ideal-discrete]\n"))
    from neuroam.scenario import load_scenario

    with study_lock(out, "other-study"):
        with pytest.raises(StoreError, match=f"process {os.getpid()}.*other-study|other-study.*process {os.getpid()}"):
            run_study(load_scenario(scen), out, overwrite=True)
        assert not (out / "results.h5").exists()
    # the lock of a process that died is the OS's to drop: the next run takes it over
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; from pathlib import Path; from neuroam.sweep.lock import study_lock\n"
        "with study_lock(Path(sys.argv[1])):\n    print('held', flush=True); time.sleep(60)"),
        str(out)], stdout=subprocess.PIPE, text=True, env=ENV)
    assert holder.stdout.readline().strip() == "held"
    res = cli("run", scen, "--out", out, "--no-progress")
    assert res.exit_code == 2 and str(holder.pid) in res.output, res.output
    holder.kill()
    holder.wait()
    res = cli("run", scen, "--out", out, "--no-progress")
    assert res.exit_code == 0, res.output


FULL_DISK = scenario_text("full", """
[implementations.ideal-discrete]
mode = "sync"
[sweep]
grid = { "patterns.K" = [2, 3, 4, 5] }
""", K=4, D=512, trials_per_pattern=120)


def _mount(where: Path, size: str, remount: bool = False) -> bool:
    opts = f"remount,size={size}" if remount else f"size={size}"
    try:
        r = subprocess.run(["mount", "-t", "tmpfs", "-o", opts, "tmpfs", str(where)],
                           capture_output=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return False
    return r.returncode == 0


@pytest.mark.slow
def test_a_full_disk_is_a_clean_error_and_resume_works_once_space_is_freed(tmp_path):
    disk = tmp_path / "disk"
    disk.mkdir()
    if os.geteuid() != 0 or not _mount(disk, "10m"):
        pytest.skip("cannot mount a small tmpfs here (needs root)")
    try:
        scen = tmp_path / "s.toml"
        scen.write_text(FULL_DISK)
        out = disk / "out"
        proc = _cli("run", scen, "--out", out, "--no-progress")
        assert proc.returncode == 2, (proc.returncode, proc.stderr[-2000:])
        assert "full disk" in proc.stderr and "--resume" in proc.stderr
        assert "Traceback" not in proc.stderr and "Segmentation" not in proc.stderr
        assert not (out / "results.h5").exists()
        assert not list(out.glob("results.h5.tmp-*"))  # nothing that looks complete
        kept = [p for p in (out / ".neuroam-partial").glob("*.npz")]
        assert kept and all(partial_index(p, None) for p in kept)
        assert _mount(disk, "200m", remount=True)
        proc = _cli("run", scen, "--out", out, "--resume", "--no-progress")
        assert proc.returncode == 0, proc.stderr[-2000:]
        assert f"resumed: {len(kept)} finished run(s) kept" in proc.stdout
        assert len(read_records(out / "results.h5")) == 4
    finally:
        subprocess.run(["umount", str(disk)], capture_output=True)


INTERRUPT = scenario_text("ctrlc", """
[implementations.ideal-discrete]
mode = "sync"
[sweep]
grid = { "patterns.K" = [2, 3, 4, 5] }
seeds = [0, 1]
""")

# every batch slowed down, so that Ctrl-C lands mid-study
SLOW = """
import sys, time
import neuroam.sweep.local as driver
import neuroam.sweep.distributed as dist
run_batch = driver.run_batch
def slow(*args, **kwargs):
    time.sleep(1.0)
    return run_batch(*args, **kwargs)
driver.run_batch = slow
from neuroam.cli import main
main(sys.argv[1:])
"""


# slow: test_resume's SIGKILL test keeps "interrupted, then resumed" in the fast suite
@pytest.mark.slow
@pytest.mark.parametrize("workers", [None, 2])
def test_ctrl_c_exits_130_with_a_resume_hint_and_no_tracebacks(tmp_path, workers):
    scen = tmp_path / "s.toml"
    scen.write_text(INTERRUPT)
    out = tmp_path / "out"
    extra = ["--workers", str(workers)] if workers else []
    proc = subprocess.Popen([sys.executable, "-c", SLOW, "run", str(scen), "--out", str(out),
                             "--no-progress", *extra], env=ENV, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    deadline = time.monotonic() + 120
    part = out / ".neuroam-partial"
    while not (part.is_dir() and list(part.glob("*.npz"))) and proc.poll() is None:
        assert time.monotonic() < deadline, "the study made no progress"
        time.sleep(0.1)
    os.killpg(proc.pid, signal.SIGINT)  # as a terminal does: the whole process group
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr[-3000:]
    assert "--resume" in stderr and "Traceback" not in stderr, stderr[-3000:]
    assert len(stderr.strip().splitlines()) <= 6, stderr[-3000:]
    assert not (out / "results.h5").exists()
    res = _cli("run", scen, "--out", out, "--resume", "--no-progress")
    assert res.returncode == 0 and "finished run(s) kept" in res.stdout


@pytest.mark.slow
def test_workers_that_keep_dying_end_the_study_in_bounded_time(tmp_path):
    """Every worker is killed over and over: the batches are given up after
    max_failures deaths and recorded as failed (or, with no worker left, the study stops
    with a ClusterError), within a bounded time and without a hang."""
    from neuroam.sweep.distributed import DaskExecutor

    sc = loads_scenario(INTERRUPT.replace('"patterns.K" = [2, 3, 4, 5]',
                                          '"patterns.K" = [2, 3]'))
    stop = threading.Event()
    start = time.monotonic()
    with DaskExecutor(workers=2, max_failures=2, idle_timeout=30) as ex:
        def killer():
            while not stop.is_set():
                try:
                    pids = ex.client.run(os.getpid, wait=True)
                except Exception:  # noqa: BLE001 - workers restarting
                    pids = {}
                for pid in pids.values():
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except OSError:
                        pass
                stop.wait(0.5)

        thread = threading.Thread(target=killer, daemon=True)
        thread.start()
        try:
            outcome = run_study(sc, tmp_path / "o", executor=ex)
        except ClusterError as exc:
            assert "--resume" in str(exc)
            outcome = None
        finally:
            stop.set()
            thread.join(10)
    assert time.monotonic() - start < 240
    if outcome is not None:
        assert len(outcome.records) == len(sc.runs())
        died = [r for r in outcome.failed if "worker died" in r.error]
        assert died, [r.error[:80] for r in outcome.records]
        assert (tmp_path / "o" / "results.h5").exists()
