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
from neuroam.store import read_summary
from neuroam.sweep import run_study
from neuroam.sweep import plan_batches
from neuroam.sweep.distributed import DaskExecutor

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


@pytest.mark.slow
def test_cli_unreachable_scheduler_no_traceback(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(SCENARIO)
    proc = subprocess.run([sys.executable, "-m", "neuroam", "run", str(path), "--out",
                           str(tmp_path / "o"), "--scheduler", "tcp://127.0.0.1:9"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and "did not answer" in proc.stderr
    assert not (tmp_path / "o" / "results.h5").exists()


def test_batches_hold_one_label_at_one_shared_point():
    sc = loads_scenario(SCENARIO)
    runs = sc.runs()  # 2 labels x 6 K x 2 seeds = 24 runs
    batches = plan_batches(sc, runs, slots=2)
    assert sorted(r.run_id for b in batches for r in b.runs) == sorted(r.run_id for r in runs)
    for b in batches:
        assert len({r.label for r in b.runs}) == 1
        assert len({r.params["patterns.K"] for r in b.runs}) == 1  # K changes shapes


def test_larger_shapes_are_handed_out_first_on_a_cluster():
    sc = loads_scenario(SCENARIO)
    ks = [b.runs[0].params["patterns.K"] for b in plan_batches(sc, sc.runs(), slots=2)]
    assert ks == sorted(ks, reverse=True)  # longest first: no straggler at the end


def test_batches_span_seeds_and_the_batchable_settings():
    """Seeds always share a batch when the implementation batches; a swept setting does
    when the implementation declares it batchable, else it splits the batches."""
    from neuroam import implementations

    text = SCENARIO.replace('grid = { "patterns.K" = [2, 3, 4, 5, 6, 7] }',
                            'grid = { "implementations.other.max_sweeps" = [1, 2, 3, 4] }')
    sc = loads_scenario(text)
    impl = implementations.get("ideal-discrete")
    batches = plan_batches(sc, sc.runs())
    if not impl.batches:
        assert all(len(b) == 1 for b in batches)
        return
    mine = [b for b in batches if b.label == "ideal-discrete"]
    assert len(mine) == 1 and sorted(r.seed for r in mine[0].runs) == [0, 1]
    other = [b for b in batches if b.label == "other"]
    if "max_sweeps" in impl.batchable:
        assert len(other) == 1 and len(other[0]) == 8
    else:
        assert len(other) == 4 and all(len(b) == 2 for b in other)


class _KillOneWorker:
    """Wraps an executor: SIGKILLs a worker process right after the first task returns."""

    def __init__(self, inner):
        self.inner = inner
        self.killed = None
        self.slots = inner.slots

    def map_batches(self, scenario, batches):
        for i, item in enumerate(self.inner.map_batches(scenario, batches)):
            if i == 0:
                pids = self.inner.client.run(os.getpid)
                self.killed = sorted(pids.values())[0]
                os.kill(self.killed, signal.SIGKILL)
            yield item


@pytest.mark.slow
def test_a_spiking_label_runs_on_dask_workers(tmp_path):
    """A spiking label on a Dask worker: Brian2 is imported in the worker's main thread
    (in a task's thread its import fails: it installs a SIGINT handler) and the run
    succeeds."""
    from neuroam.sweep.distributed import main_thread_imports

    sc = loads_scenario(scenario_text("dask-spiking", """
[implementations.spiking]
""", K=2, D=16, trials_per_pattern=1))
    assert main_thread_imports(plan_batches(sc, sc.runs())) == {"brian2"}
    with DaskExecutor(workers=1) as ex:
        outcome = run_study(sc, tmp_path / "o", executor=ex)
        seen = ex.client.run(_probe_worker)
    assert all(r.ok for r in outcome.records), [r.error for r in outcome.records]
    assert all(imported for imported, _ in seen.values())
    assert {r.pid for r in outcome.records} != {os.getpid()}


def _probe_worker():
    import os
    import sys

    return "brian2" in sys.modules, sorted(os.sched_getaffinity(0))


def test_worker_killed_mid_sweep_loses_and_duplicates_nothing(tmp_path):
    """Each local worker is pinned to its own CPU share. A study imports in every worker's
    main thread what its implementations need there (Brian2 installs a SIGINT handler,
    and Dask runs tasks in worker threads) and nothing else: this one has no spiking
    label, so no worker pays Brian2's import. One worker is killed mid-sweep: nothing is
    lost, nothing is stored twice."""
    from neuroam.sweep.distributed import main_thread_imports

    # two shapes x two labels x two seeds: most runs are still to come when a worker dies
    sc = loads_scenario(SCENARIO.replace("[2, 3, 4, 5, 6, 7]", "[2, 3]"))
    assert main_thread_imports(plan_batches(sc, sc.runs())) == set()
    with DaskExecutor(workers=2) as ex:
        seen = ex.client.run(_probe_worker)
        cpus = [tuple(c) for _, c in seen.values()]
        if len(os.sched_getaffinity(0)) >= 2:
            assert len(set(cpus)) == 2  # one share each, no overlap
        killer = _KillOneWorker(ex)
        outcome = run_study(sc, tmp_path / "o", executor=killer)
        seen = ex.client.run(_probe_worker)  # the restarted worker too
        assert not any(imported for imported, _ in seen.values())
    assert killer.killed is not None
    ids = [r.run_id for r in outcome.records]
    assert sorted(ids) == sorted(r.run_id for r in sc.runs()) and len(set(ids)) == len(ids)
    assert all(r.ok for r in outcome.records)
    with h5py.File(outcome.results, "r") as f:
        groups = [f"{label}/{p}" for label in f["runs"] for p in f["runs"][label]]
        assert sorted(groups) == sorted(ids)
    table = read_summary(outcome.results)  # one row per run id, each with its own result
    assert sorted(str(r) for r in table["run"].values) == sorted(ids)
    assert (table["n_patterns"].values == table["param.patterns.K"].values).all()
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
"implementations.chip.levels" = [0, 1]
""", K=3, trials_per_pattern=None)


def test_a_failing_point_is_recorded_and_the_rest_completes(tmp_path):
    """One conductance level is no programmable window (checked against the device card
    when the chip is programmed): that point fails with its reason, every other run is
    stored. (An unsupported model no longer gets this far: validation refuses it.)"""
    outcome = run_study(loads_scenario(FAILING), tmp_path / "o")
    by_id = {r.run_id: r for r in outcome.records}
    assert sorted(by_id) == ["chip/p000-s0", "chip/p001-s0", "ideal-discrete/p000-s0"]
    assert by_id["chip/p000-s0"].ok and by_id["ideal-discrete/p000-s0"].ok
    failed = by_id["chip/p001-s0"]
    assert not failed.ok and "CardError" in failed.error and "levels = 1" in failed.error
    with h5py.File(outcome.results, "r") as f:
        assert f.attrs["complete"]
        errors = [e.decode() if isinstance(e, bytes) else str(e)
                  for e in f["summary"]["error"][...]]
        assert sum(bool(e) for e in errors) == 1 and any("CardError" in e for e in errors)


def _import_missing_backend():
    import neuroam_missing_backend  # noqa: F401 - a third-party package installed nowhere


def _import_broken_internal_module():
    import neuroam.no_such_module  # noqa: F401 - a bug in neuroam, not a missing package


def _import_missing_name():
    from numpy import no_such_name  # noqa: F401 - numpy is installed: a version mismatch


def _import_missing_submodule():
    import numpy.no_such_submodule  # noqa: F401 - numpy is installed


@pytest.mark.parametrize("importer, installed, name", [
    (_import_missing_backend, False, "neuroam_missing_backend"),
    (_import_broken_internal_module, True, "neuroam.no_such_module"),
    (_import_missing_name, True, "no_such_name"),
    (_import_missing_submodule, True, "numpy.no_such_submodule"),
])
def test_only_a_missing_package_is_recorded_as_not_installed(monkeypatch, importer, installed,
                                                             name):
    """A third-party package that cannot be found is "not installed" with its pip
    command; any other ImportError (a broken neuroam import, a name or submodule missing
    from an installed package) is a bug, recorded with its message and traceback."""
    from neuroam import implementations
    from neuroam.sweep.execute import run_one

    def recall_batch(*args, **kwargs):
        importer()

    monkeypatch.setattr(implementations.get("ideal-discrete"), "recall_batch", recall_batch)
    sc = loads_scenario(FAILING)
    run = next(r for r in sc.runs() if r.label == "ideal-discrete")
    record = run_one(sc, run)
    assert not record.ok and name in record.error
    if not installed:
        assert record.error.startswith("not installed")
        assert f"pip install {name}" in record.error and "Traceback" not in record.error
    else:
        assert "not installed" not in record.error and "pip install" not in record.error
        assert record.error.startswith("unexpected ") and "Traceback" in record.error
        assert importer.__name__ in record.error  # the traceback points at the import
