"""Sweeps beyond one process: runs executed on a Dask cluster, written by one writer.

``--workers N`` starts a local cluster of N single-threaded worker processes;
``--scheduler ADDRESS`` (or ``$DASK_SCHEDULER_ADDRESS``) joins an existing one. One
task is a chunk of runs of one shape: one implementation label at one point of the
shared axes (patterns, model, cues), over seeds and over that label's own swept
settings. All runs of a chunk have the same array shapes, so the worker compiles (JAX)
or builds (Brian2 standalone) once and re-uses the program for the rest of the chunk;
runs that share a seed also share their patterns and cues. Chunks are sized so that
there are at least four per worker slot when the sweep is large enough, and handed out
largest shape first (load balance). The runs of a chunk run one after the other through
the compiled program; they are not fused into one batched call.
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

__all__ = ["DaskExecutor", "group_runs", "worker_env"]

def _cpus() -> list[int]:
    return sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else \
        list(range(os.cpu_count() or 1))


def worker_env(threads: int) -> dict[str, str]:
    """Environment of every local worker process (``threads`` CPU threads each)."""
    t = str(max(1, int(threads)))
    return {
        "OMP_NUM_THREADS": t,
        "OPENBLAS_NUM_THREADS": t,
        "MKL_NUM_THREADS": t,
        "JAX_PLATFORMS": os.environ.get("JAX_PLATFORMS", "cpu"),
        # workers share compiled solvers through JAX's persistent cache
        "JAX_COMPILATION_CACHE_DIR": os.path.join(os.path.expanduser("~"), ".cache", "neuroam",
                                                  "jax"),
        "JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS": "0.5",
    }


def group_runs(runs: list[RunPoint], slots: int = 1, per_slot: int = 4) -> list[list[RunPoint]]:
    """Runs chunked by shape: one label at one point of the shared (non-``implementations``)
    axes per chunk, seed-major inside a chunk, at most ``ceil(len(runs) / (per_slot ·
    slots))`` runs per chunk. Chunks of larger shapes first (see :func:`_size_hint`), then
    in the order of their first run."""
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
    return sorted(chunks, key=lambda c: (-_size_hint(c[0]), min(order[r.run_id] for r in c)))


def _size_hint(run: RunPoint) -> float:
    """Product of the positive numbers among a run's shared swept values (K, D, trials,
    ...): larger shapes usually mean more work, so their chunks are handed out first
    (longest first keeps the last busy worker from finishing long after the others)."""
    size = 1.0
    for key, value in run.params.items():
        if not key.startswith("implementations.") and isinstance(value, (int, float)) \
                and not isinstance(value, bool) and value > 0:
            size *= float(value)
    return size


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


def _pin(share: int, dask_worker=None) -> list[int] | None:
    """Run on each local worker before any task: bind worker i to its own ``share`` CPUs.

    XLA's CPU thread pool is sized from the CPUs a process may use when JAX starts; no
    environment variable limits it. Without pinning, every worker spreads over every core
    and N workers fight over them (measured: 2 workers on 2 cores were 1.06x faster than
    1). Worker i gets CPUs [i·share, (i+1)·share) of the allowed ones, wrapping around when
    there are more workers than CPUs. Returns the CPUs, or None where affinity cannot be
    set (macOS, Windows).
    """
    if not hasattr(os, "sched_setaffinity"):
        return None
    cpus = _cpus()
    try:
        index = int(getattr(dask_worker, "name", 0))
    except (TypeError, ValueError):
        index = 0
    start = (index * share) % len(cpus)
    mine = [cpus[(start + j) % len(cpus)] for j in range(min(share, len(cpus)))]
    os.sched_setaffinity(0, set(mine))
    return mine


#: packages that must be imported in a worker's main thread: Brian2 installs a SIGINT
#: handler on import, which Python allows only there, and tasks run in worker threads
MAIN_THREAD_IMPORTS = ("brian2",)


def _worker_plugin(share: int | None):
    from distributed import WorkerPlugin

    class Prepare(WorkerPlugin):
        """On every worker (restarted ones too), in its main thread: import the packages
        of :data:`MAIN_THREAD_IMPORTS` and, on local clusters, pin the CPUs (:func:`_pin`)."""

        name = "neuroam-prepare"

        def __init__(self, share):
            self.share = share

        def setup(self, worker):
            if self.share:
                _pin(self.share, worker)
            for module in MAIN_THREAD_IMPORTS:
                try:
                    __import__(module)
                except ImportError:  # recorded per run as "not installed"
                    pass

    return Prepare(share)


class DaskExecutor:
    """Context manager owning a Dask client (and the local cluster it started, if any)."""

    def __init__(self, workers: int | None = None, scheduler: str | None = None,
                 connect_timeout: float = 5.0, cpus_per_worker: int | None = None):
        """``cpus_per_worker`` (local clusters): CPUs each worker is bound to; default an
        equal share of this machine's, at least one."""
        self.workers = workers
        self.cpus_per_worker = cpus_per_worker
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
            self.client.register_plugin(_worker_plugin(None))  # imports only: not our CPUs
            return self
        n = int(self.workers or 1)
        if n < 1:
            raise ClusterError(f"--workers {n}", "at least 1 worker", "Pass --workers 2, say.")
        share = int(self.cpus_per_worker or max(1, len(_cpus()) // n))
        env = worker_env(share)
        saved = {k: os.environ.get(k) for k in env}
        os.environ.update(env)  # inherited by the spawned worker processes
        try:
            self._cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                                         dashboard_address=None)
            self.client = Client(self._cluster)
            self.client.register_plugin(_worker_plugin(share))
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
