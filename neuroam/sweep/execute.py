"""Run one :class:`~.plan.Batch`: build inputs, recall in one batched call, package records.

A batch's runs are handed to the implementation's ``recall_batch`` together. When that
call fails, each run is recalled alone, so that one bad point (an unsupported model, a
card the device cannot use) fails on its own and the others still finish. Failures are
returned as records with ``error`` set, never raised: a
:class:`~neuroam.errors.NeuroamError` keeps its message, a package that is not
installed says which, and anything else (a bug) keeps its traceback.
"""

from __future__ import annotations

import collections
import ctypes
import importlib.util
import json
import os
import sys
import threading
import time
import traceback

from .. import inputs
from ..errors import NeuroamError
from ..plugins import PluginError
from ..store.provenance import now_iso
from ..store.record import RunRecord, record_from_result
from ..scenario.build import build_inputs, derive_seed
from ..scenario.grid import RunPoint
from .plan import Batch

__all__ = ["run_batch", "run_one", "InputCache", "return_freed_memory"]

_MALLOC_TUNED = False


def return_freed_memory() -> None:
    """Have glibc hand large freed arrays back to the system (once per process).

    glibc raises its mmap threshold each time a large block is freed, after which
    arrays of up to 32 MiB come from the heap of whichever thread allocated them, and a
    heap fragmented by batches of different sizes in several threads is not returned:
    a 2,400-run study plateaued at 1.1 GB against 0.65 GB for 240 runs, with the same
    batches. A fixed 1 MiB threshold puts every large array in its own mapping, freed
    when the array is (same speed, measured). Skipped off glibc and when the user set
    ``MALLOC_MMAP_THRESHOLD_`` themselves.
    """
    global _MALLOC_TUNED
    if _MALLOC_TUNED:
        return
    _MALLOC_TUNED = True
    if not sys.platform.startswith("linux") or "MALLOC_MMAP_THRESHOLD_" in os.environ:
        return
    try:
        libc = ctypes.CDLL("libc.so.6")
        m_trim_threshold, m_mmap_threshold = -1, -3  # <malloc.h>
        libc.mallopt(m_mmap_threshold, 1 << 20)
        libc.mallopt(m_trim_threshold, 8 << 20)
    except (OSError, AttributeError):  # not glibc (musl, ...): nothing to tune
        pass


class InputCache:
    """The last few built ``(patterns, model, cues, files read)``: runs of one grid point
    and seed (every implementation) share them instead of rebuilding."""

    def __init__(self, size: int = 8):
        self.size = size
        self._items: collections.OrderedDict[str, tuple] = collections.OrderedDict()
        self._lock = threading.Lock()  # batches may run in several threads

    def get(self, scenario, seed: int):
        data = {k: v for k, v in scenario.data.items() if k not in ("implementations", "save")}
        key = json.dumps([data, seed], sort_keys=True, default=str)
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
            with inputs.recording() as files:
                patterns, model, cues = build_inputs(scenario, seed)
            self._items[key] = (patterns, model, cues, dict(files))
            while len(self._items) > self.size:
                self._items.popitem(last=False)
            return self._items[key]


def _failed(run: RunPoint, message: str, wall: float, files=None) -> RunRecord:
    return RunRecord(run_id=run.run_id, label=run.label, implementation=run.implementation,
                     point_id=run.point_id, seed=run.seed, params=run.params, variables={},
                     summary={}, attrs={}, wall_time=wall, error=message, pid=os.getpid(),
                     finished=now_iso(), inputs=dict(files or {}))


def _not_installed(exc: BaseException) -> str | None:
    """The package ``exc`` says is missing, when it is one that is not installed here.

    Only a :class:`ModuleNotFoundError` for a module outside neuroam whose top-level
    package cannot be found qualifies: a broken ``neuroam.*`` import, a missing name in an
    installed package (``from x import y``) or a missing submodule of an installed
    package is a bug or a version mismatch, reported with its traceback.
    """
    if not isinstance(exc, ModuleNotFoundError) or not exc.name:
        return None
    top = exc.name.partition(".")[0]
    if top == "neuroam":
        return None
    try:
        found = importlib.util.find_spec(top) is not None
    except (ImportError, ValueError):  # a broken package's __spec__: not "not installed"
        found = True
    return None if found else exc.name


def _error_text(run: RunPoint, exc: BaseException) -> str:
    # an implementation whose entry point failed to import: PluginError from the import error
    missing = _not_installed(exc.__cause__ if isinstance(exc, PluginError) else exc)
    if isinstance(exc, NeuroamError) and not missing:
        return f"{type(exc).__name__}: {exc}"
    if missing:
        return (f"not installed: the {run.implementation!r} implementation needs the "
                f"package {missing!r}, which cannot be imported on this machine ({exc}). "
                f"Install it (pip install {missing.split('.')[0]}) in the environment that "
                "runs the study, or remove that implementation.")
    tb = "".join(traceback.format_exception(exc))
    return f"unexpected {type(exc).__name__}: {exc}\n{tb}"


def _prepare(scenario, run: RunPoint, cache: InputCache):
    """``(job, settings, patterns, save spec, files read)`` of one run."""
    from ..implementations import RecallJob

    point = scenario.at(run)
    cfg = point.implementations[run.label]
    patterns, model, cues, files = cache.get(point, run.seed)
    job = RecallJob(cfg.model(model), patterns, cues, cfg.settings,
                    derive_seed(run.seed, "recall"))
    return job, point.spec.save, files


def _record(run: RunPoint, job, result, save, wall: float, files: dict,
            batch: Batch) -> RunRecord:
    from .. import metrics

    patterns = job.patterns
    outcomes = metrics.outcomes(result, patterns, threshold=save.threshold)
    summary = {k: float(v) for k, v in
               metrics.summarize(result, patterns, threshold=save.threshold,
                                 outcome=outcomes).items()}
    summary["n_patterns"], summary["n_neurons"] = float(patterns.K), float(patterns.D)
    for key in ("energy_per_recall_J", "latency_per_recall_s"):  # cost estimates
        if isinstance(result.attrs.get(key), (int, float)):
            summary[key] = float(result.attrs[key])
    variables = record_from_result(result, patterns, outcomes, keep_states=save.states,
                                   decimate=save.decimate, extras=save.extras)
    attrs = {k: v for k, v in result.attrs.items() if v is not None}
    attrs["settings"] = job.settings.model_dump(mode="json")
    attrs["batch"] = batch.id
    attrs["batch_runs"] = len(batch)
    return RunRecord(run_id=run.run_id, label=run.label, implementation=run.implementation,
                     point_id=run.point_id, seed=run.seed, params=run.params,
                     variables=variables, summary=summary, attrs=attrs, wall_time=wall,
                     pid=os.getpid(), finished=now_iso(), inputs=dict(files))


def _recall(impl, jobs):
    """``(results, seconds, files read)`` of one batched call."""
    with inputs.recording() as files:
        start = time.perf_counter()
        results = impl.recall_batch(jobs)
        wall = time.perf_counter() - start
    if len(results) != len(jobs):
        raise RuntimeError(f"{impl.name}.recall_batch returned {len(results)} results for "
                           f"{len(jobs)} jobs")
    return results, wall, files


def run_batch(scenario, batch: Batch, cache: InputCache | None = None) -> list[RunRecord]:
    """Execute every run of ``batch``; one record per run, in the batch's order."""
    from .. import implementations

    return_freed_memory()
    cache = cache if cache is not None else InputCache()
    records: dict[str, RunRecord] = {}
    ready = []
    for run in batch.runs:
        start = time.perf_counter()
        try:
            ready.append((run, *_prepare(scenario, run, cache)))
        except Exception as exc:  # noqa: BLE001 - recorded as a failed run
            records[run.run_id] = _failed(run, _error_text(run, exc),
                                          time.perf_counter() - start)
    try:
        impl = implementations.get(batch.implementation)
    except NeuroamError as exc:
        return [_failed(r, _error_text(r, exc), 0.0) for r in batch.runs]
    groups = [ready] if impl.batches and len(ready) > 1 else [[item] for item in ready]
    while groups:
        group = groups.pop(0)
        try:
            results, wall, files = _recall(impl, [job for _, job, _, _ in group])
        except Exception as exc:  # noqa: BLE001
            if len(group) > 1:  # find the run(s) that fail: each alone
                groups = [[item] for item in group] + groups
                continue
            run, _, _, built = group[0]
            records[run.run_id] = _failed(run, _error_text(run, exc), 0.0, built)
            continue
        share = wall / len(group)  # runs of one batched call share its time
        for (run, job, save, built), result in zip(group, results):
            try:
                records[run.run_id] = _record(run, job, result, save, share,
                                              {**built, **files}, batch)
            except Exception as exc:  # noqa: BLE001
                records[run.run_id] = _failed(run, _error_text(run, exc), share, built)
    return [records[r.run_id] for r in batch.runs]


def run_one(scenario, run: RunPoint, cache: InputCache | None = None) -> RunRecord:
    """Execute a single run (a batch of one)."""
    return run_batch(scenario, Batch(run.label, run.implementation, (run,)), cache)[0]

