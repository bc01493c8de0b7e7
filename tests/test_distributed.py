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


def test_groups_share_point_and_seed():
    sc = loads_scenario(SCENARIO)
    groups = group_runs(sc.runs())
    assert len(groups) == 6 * 2 and all(len(g) == 2 for g in groups)
    assert sorted(r.run_id for g in groups for r in g) == sorted(r.run_id for r in sc.runs())


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
