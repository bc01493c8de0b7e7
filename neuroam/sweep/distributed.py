"""Sweeps beyond one process: runs executed on a Dask cluster, written by one writer.

``--workers N`` starts a local cluster of N single-threaded worker processes;
``--scheduler ADDRESS`` (or ``$DASK_SCHEDULER_ADDRESS``) joins an existing one. One
task is a chunk of runs of one shape: one implementation label at one point of the
shared axes (patterns, model, cues), over seeds and over that label's own swept
settings. All runs of a chunk have the same array shapes, so the worker compiles (JAX)
or builds (Brian2 standalone) once and re-uses the program for the rest of the chunk;
runs that share a seed also share their patterns and cues. Chunks are sized so that
there are at least four per worker slot when the sweep is large enough (load balance).
Workers return plain arrays (:class:`~neuroam.store.record.RunRecord`) and the driver
alone writes them, so a worker killed mid-task loses nothing: the scheduler re-runs its
task elsewhere and the driver keeps exactly one record per run. Workers re-load the
scenario from its text, so the scenario's cards must be readable at the same paths on
every worker.
"""

from __future__ import annotations

import functools
import math
import os
from collections.abc import Iterator

from ..errors import ClusterError
from .grid import RunPoint

__all__ = ["DaskExecutor", "group_runs", "WORKER_ENV"]

#: environment of every local worker: one thread each, so N workers use N cores
WORKER_ENV = {
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "XLA_FLAGS": "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1",
    "JAX_PLATFORMS": os.environ.get("JAX_PLATFORMS", "cpu"),
    # workers share compiled solvers through JAX's persistent cache
    "JAX_COMPILATION_CACHE_DIR": os.path.join(os.path.expanduser("~"), ".cache", "neuroam", "jax"),
    "JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS": "0.5",
}


def group_runs(runs: list[RunPoint], slots: int = 1, per_slot: int = 4) -> list[list[RunPoint]]:
    """Runs chunked by shape: one label at one point of the shared (non-``implementations``)
    axes per chunk, seed-major inside a chunk, at most ``ceil(len(runs) / (per_slot ·
    slots))`` runs per chunk. Chunks come out in the order of their first run."""
    groups: dict[tuple, list[RunPoint]] = {}
    for run in runs:
        shared = tuple(sorted((k, repr(v)) for k, v in run.params.items()
                              if not k.startswith("implementations.")))
        groups.setdefault((run.label, shared), []).append(run)
    size = max(1, math.ceil(len(runs) / max(1, per_slot * max(1, slots))))
    chunks = []
    for group in groups.values():
        group = sorted(group, key=lambda r: (r.seed, r.index))
        chunks += [group[i:i + size] for i in range(0, len(group), size)]
    order = {r.run_id: i for i, r in enumerate(runs)}
    return sorted(chunks, key=lambda c: min(order[r.run_id] for r in c))


@functools.lru_cache(maxsize=4)
def _scenario(text: str, source: str, overrides: tuple[str, ...]):
    from ..scenario import loads_scenario

    return loads_scenario(text, source=source, overrides=overrides, deep=False)


def _run_group(text: str, source: str, overrides: tuple[str, ...], runs: list[RunPoint]):
    """Executed on a worker: every run of one group, inputs built once."""
    from .execute import InputCache, run_one

    scenario = _scenario(text, source, overrides)
    cache = InputCache()
    return [run_one(scenario, run, cache) for run in runs]


class DaskExecutor:
    """Context manager owning a Dask client (and the local cluster it started, if any)."""

    def __init__(self, workers: int | None = None, scheduler: str | None = None,
                 connect_timeout: float = 5.0):
        self.workers = workers
        self.scheduler = scheduler or os.environ.get("DASK_SCHEDULER_ADDRESS") or None
        self.connect_timeout = connect_timeout
        self.client = None
        self._cluster = None

    def __enter__(self) -> "DaskExecutor":
        try:
            from distributed import Client, LocalCluster
        except ImportError as exc:  # pragma: no cover - dependency of the package
            raise ClusterError("no `distributed` package", "dask.distributed installed",
                               "pip install 'dask[distributed]'.") from exc
        if self.scheduler:
            try:
                self.client = Client(self.scheduler, timeout=f"{self.connect_timeout}s")
            except (OSError, TimeoutError) as exc:
                raise ClusterError(
                    f"a Dask scheduler at {self.scheduler!r} that did not answer within "
                    f"{self.connect_timeout:g} s ({type(exc).__name__})",
                    "a running scheduler reachable at that address (tcp://host:port)",
                    "Start one with `dask scheduler` plus `dask worker ADDRESS`, check the "
                    "address and firewall, or use --workers N for a local cluster.") from None
            return self
        n = int(self.workers or 1)
        if n < 1:
            raise ClusterError(f"--workers {n}", "at least 1 worker", "Pass --workers 2, say.")
        saved = {k: os.environ.get(k) for k in WORKER_ENV}
        os.environ.update(WORKER_ENV)  # inherited by the spawned worker processes
        try:
            self._cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                                         dashboard_address=None)
            self.client = Client(self._cluster)
        except Exception as exc:  # noqa: BLE001
            raise ClusterError(f"a local Dask cluster of {n} workers that failed to start "
                               f"({type(exc).__name__}: {exc})", "a working local cluster",
                               "Try fewer workers, or run without --workers.") from None
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
        return self

    def __exit__(self, *exc):
        if self.client is not None:
            self.client.close()
        if self._cluster is not None:
            self._cluster.close()

    @property
    def slots(self) -> int:
        """Worker threads of the cluster (at least 1)."""
        try:
            return max(1, sum(self.client.nthreads().values()))
        except Exception:  # noqa: BLE001 - a scheduler without workers yet
            return 1

    def map_groups(self, scenario, groups: list[list[RunPoint]]) -> Iterator:
        """Yield each group's list of RunRecords as its task finishes (any order)."""
        from distributed import as_completed

        futures = [self.client.submit(_run_group, scenario.text, scenario.source,
                                      tuple(scenario.overrides), group, pure=False)
                   for group in groups]
        for future in as_completed(futures):
            yield future.result()
