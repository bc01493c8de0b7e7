"""Sweeps on Dask: unreachable scheduler, a worker killed mid-sweep, failed points."""

import os
import signal
import subprocess
import sys
import time

import h5py
import pytest

from neuroam.errors import ClusterError
from neuroam.scenario import loads_scenario
from neuroam.sweep import run_study
from neuroam.sweep.distributed import DaskExecutor, group_runs

from helpers import scenario_text

SCENARIO = """
[scenario]
name = "dask-test"
seed = 0
[patterns]
generator = "random_binary"
K = 4
D = 32
[model]
name = "hopfield"
[cues]
kind = "flip"
rate = 0.1
[implementations.ideal-discrete]
max_sweeps = 10
[implementations.other]
name = "ideal-discrete"
mode = "sync"
[sweep]
grid = { "patterns.K" = [2, 3, 4, 5, 6, 7] }
seeds = [0, 1]
"""


def test_unreachable_scheduler_fails_fast():
    t0 = time.perf_counter()
    with pytest.raises(ClusterError, match="did not answer"):
        with DaskExecutor(scheduler="tcp://127.0.0.1:9", connect_timeout=2.0):
            pass
    assert time.perf_counter() - t0 < 15


def test_cli_unreachable_scheduler_no_traceback(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(SCENARIO)
    proc = subprocess.run([sys.executable, "-m", "neuroam", "run", str(path), "--out",
                           str(tmp_path / "o"), "--scheduler", "tcp://127.0.0.1:9"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and "did not answer" in proc.stderr
    assert not (tmp_path / "o" / "results.h5").exists()


def test_chunks_hold_one_label_at_one_shared_point():
    sc = loads_scenario(SCENARIO)
    runs = sc.runs()  # 2 labels x 6 K x 2 seeds = 24 runs
    chunks = group_runs(runs, slots=2)
    assert sorted(r.run_id for c in chunks for r in c) == sorted(r.run_id for r in runs)
    assert len(chunks) >= 8  # at least 4 per slot when there are enough runs
    for c in chunks:
        assert len({r.label for r in c}) == 1
        assert len({r.params["patterns.K"] for r in c}) == 1
    assert max(len(c) for c in group_runs(runs, slots=1, per_slot=1)) == 2


def test_larger_shapes_are_handed_out_first():
    chunks = group_runs(loads_scenario(SCENARIO).runs(), slots=2)
    ks = [c[0].params["patterns.K"] for c in chunks]
    assert ks == sorted(ks, reverse=True)  # longest first: no straggler at the end


def test_chunks_span_a_labels_own_axis():
    text = SCENARIO.replace('grid = { "patterns.K" = [2, 3, 4, 5, 6, 7] }',
                            'grid = { "implementations.other.max_sweeps" = [1, 2, 3, 4] }')
    runs = loads_scenario(text).runs()  # ideal-discrete: 2 seeds; other: 4 values x 2 seeds
    chunks = group_runs(runs, slots=1, per_slot=1)
    assert sorted(len(c) for c in chunks) == [2, 8]
    other = next(c for c in chunks if c[0].label == "other")
    assert [r.seed for r in other] == [0, 0, 0, 0, 1, 1, 1, 1]  # seed-major: inputs reused


class _KillOneWorker:
    """Wraps an executor: SIGKILLs a worker process right after the first task returns."""

    def __init__(self, inner):
        self.inner = inner
        self.killed = None

    def map_groups(self, scenario, groups):
        for i, item in enumerate(self.inner.map_groups(scenario, groups)):
            if i == 0:
                pids = self.inner.client.run(os.getpid)
                self.killed = sorted(pids.values())[0]
                os.kill(self.killed, signal.SIGKILL)
            yield item


def test_worker_killed_mid_sweep_loses_and_duplicates_nothing(tmp_path):
    sc = loads_scenario(SCENARIO)
    with DaskExecutor(workers=2) as ex:
        killer = _KillOneWorker(ex)
        outcome = run_study(sc, tmp_path / "o", executor=killer)
    assert killer.killed is not None
    ids = [r.run_id for r in outcome.records]
    assert sorted(ids) == sorted(r.run_id for r in sc.runs()) and len(set(ids)) == len(ids)
    assert all(r.ok for r in outcome.records)
    with h5py.File(outcome.results, "r") as f:
        groups = [f"{label}/{p}" for label in f["runs"] for p in f["runs"][label]]
        assert sorted(groups) == sorted(ids)
        assert f["summary"]["run_id"].shape[0] == len(ids) if "run_id" in f["summary"] else True
    pids = {r.pid for r in outcome.records}
    assert os.getpid() not in pids  # every run executed on a worker


FAILING = scenario_text("one-point-fails", """
[implementations.ideal-discrete]
max_sweeps = 10
[implementations.chip]
name = "crossbar"
device = "ideal-memristor"
circuit = "crossbar-ideal"
n_draws = 1
[sweep.grid]
"implementations.chip.model" = [{ name = "hopfield", rule = "hebbian" }, { name = "polynomial", n = 3 }]
""", K=3, trials_per_pattern=None)


def test_a_failing_point_is_recorded_and_the_rest_completes(tmp_path):
    """A crossbar cannot store a one-layer polynomial DenseAM: that point fails with its
    reason, every other run is stored."""
    outcome = run_study(loads_scenario(FAILING), tmp_path / "o")
    by_id = {r.run_id: r for r in outcome.records}
    assert sorted(by_id) == ["chip/p000-s0", "chip/p001-s0", "ideal-discrete/p000-s0"]
    assert by_id["chip/p000-s0"].ok and by_id["ideal-discrete/p000-s0"].ok
    failed = by_id["chip/p001-s0"]
    assert not failed.ok and "UnsupportedError" in failed.error and "crossbar" in failed.error
    with h5py.File(outcome.results, "r") as f:
        assert f.attrs["complete"]
        errors = [e.decode() if isinstance(e, bytes) else str(e)
                  for e in f["summary"]["error"][...]]
        assert sum(bool(e) for e in errors) == 1 and any("UnsupportedError" in e for e in errors)


def test_a_missing_package_is_recorded_as_not_installed(tmp_path, monkeypatch):
    from neuroam import implementations

    impl = implementations.get("ideal-discrete")

    def recall(*args, **kwargs):
        import neuroam_missing_backend  # noqa: F401 - not installed anywhere

    monkeypatch.setattr(impl, "recall", recall)
    outcome = run_study(loads_scenario(FAILING), tmp_path / "o")
    failed = {r.run_id: r for r in outcome.records if not r.ok}
    assert sorted(failed) == ["chip/p001-s0", "ideal-discrete/p000-s0"]  # + the unsupported
    error = failed["ideal-discrete/p000-s0"].error
    assert "not installed" in error and "neuroam_missing_backend" in error
    assert [r.run_id for r in outcome.records if r.ok] == ["chip/p000-s0"]


def test_workers_are_prepared_in_their_main_thread():
    """Brian2 can only be imported in a main thread (it installs a SIGINT handler) and
    Dask runs tasks in worker threads: the worker plugin imports it at start-up, and
    pins each local worker to its own CPU share."""
    def probe():
        import sys
        import os
        return "brian2" in sys.modules, sorted(os.sched_getaffinity(0))

    with DaskExecutor(workers=2) as ex:
        seen = ex.client.run(probe)
    assert all(imported for imported, _ in seen.values())
    cpus = [tuple(c) for _, c in seen.values()]
    if len(os.sched_getaffinity(0)) >= 2:
        assert len(set(cpus)) == 2  # one share each, no overlap
