"""Studies beyond one process: batches executed on a Dask cluster, written by one writer.

``--workers N`` starts a local cluster of N single-threaded worker processes;
``--scheduler ADDRESS`` (or ``$DASK_SCHEDULER_ADDRESS``) joins an existing one. One
task is one :class:`~.plan.Batch` (runs of one compiled shape, recalled together).
Workers return plain arrays (:class:`~neuroam.store.record.RunRecord`) and the driver
alone writes them, so a worker killed mid-task loses nothing: the scheduler re-runs its
task elsewhere and the driver keeps exactly one record per run. Workers re-load the
scenario from its text, so the scenario's cards must be readable at the same paths on
every worker.

Faults end cleanly:

- a task whose workers keep dying (``max_failures`` deaths, Dask's
  ``allowed-failures``) gives up: its runs are recorded as failed with the reason, and
  the rest of the study goes on;
- a cluster left without any worker for ``idle_timeout`` seconds stops the study with a
  :class:`~neuroam.errors.ClusterError` (finished batches are kept for ``--resume``);
- Ctrl-C cancels the tasks and closes the cluster quietly (worker processes ignore
  SIGINT: the driver stops them), then raises KeyboardInterrupt.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import os
import signal
import time
from collections.abc import Iterator

from ..errors import ClusterError
from ..store.provenance import now_iso
from ..store.record import RunRecord
from .plan import Batch

__all__ = ["DaskExecutor", "worker_env"]


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


@functools.lru_cache(maxsize=4)
def _scenario(text: str, source: str, overrides: tuple[str, ...]):
    from ..scenario import loads_scenario

    return loads_scenario(text, source=source, overrides=overrides, deep=False)


def _run_batch_task(text: str, source: str, overrides: tuple[str, ...], batch: Batch):
    """Executed on a worker: every run of one batch."""
    from .execute import run_batch

    return run_batch(_scenario(text, source, overrides), batch)


def _pin(share: int, dask_worker=None) -> list[int] | None:
    """Bind local worker i to its own ``share`` CPUs.

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


def _worker_plugin(share: int):
    from distributed import WorkerPlugin

    class Prepare(WorkerPlugin):
        """On every worker of a local cluster (restarted ones too), in its main thread: pin
        the CPUs (:func:`_pin`) and ignore SIGINT (Ctrl-C reaches the whole terminal's
        process group; the driver stops its workers itself)."""

        name = "neuroam-prepare"

        def __init__(self, share):
            self.share = share

        def setup(self, worker):
            _pin(self.share, worker)
            with contextlib.suppress(ValueError):  # not the main thread
                signal.signal(signal.SIGINT, signal.SIG_IGN)

    return Prepare(share)


def _imports_plugin(modules: tuple[str, ...]):
    from distributed import WorkerPlugin

    class ImportInMainThread(WorkerPlugin):
        """On every worker (restarted ones too), in its main thread: import the modules the
        study's implementations declare in ``main_thread_imports`` (tasks run in worker
        threads, where e.g. Brian2 cannot be imported)."""

        name = "neuroam-imports"

        def __init__(self, modules):
            self.modules = modules

        def setup(self, worker):
            for module in self.modules:
                with contextlib.suppress(ImportError):  # recorded per run: not installed
                    __import__(module)

    return ImportInMainThread(modules)


def main_thread_imports(batches: list[Batch]) -> set[str]:
    """The modules the implementations of ``batches`` need imported in a worker's main
    thread (:attr:`~neuroam.implementations.base.Implementation.main_thread_imports`)."""
    from ..implementations import get

    return {m for name in {b.implementation for b in batches} for m in get(name).main_thread_imports}


def _failed(batch: Batch, message: str) -> list[RunRecord]:
    return [RunRecord(run_id=r.run_id, label=r.label, implementation=r.implementation,
                      point_id=r.point_id, seed=r.seed, params=r.params, variables={},
                      summary={}, attrs={}, wall_time=0.0, error=message, finished=now_iso())
            for r in batch.runs]


class DaskExecutor:
    """Context manager owning a Dask client (and the local cluster it started, if any)."""

    def __init__(self, workers: int | None = None, scheduler: str | None = None,
                 connect_timeout: float = 5.0, cpus_per_worker: int | None = None,
                 max_failures: int = 2, idle_timeout: float = 60.0):
        """``cpus_per_worker`` (local clusters): CPUs each worker is bound to; default an
        equal share of this machine's, at least one. ``max_failures``: worker deaths
        while running one task before its runs are recorded as failed (local clusters;
        a remote scheduler keeps its own ``allowed-failures``). ``idle_timeout``: seconds
        without any worker before the study stops."""
        self.workers = workers
        self.cpus_per_worker = cpus_per_worker
        self.scheduler = scheduler or os.environ.get("DASK_SCHEDULER_ADDRESS") or None
        self.connect_timeout = connect_timeout
        self.max_failures = max(1, int(max_failures))
        self.idle_timeout = float(idle_timeout)
        self.client = None
        self._cluster = None
        self._imported: set[str] = set()  # modules already imported on every worker

    def __enter__(self) -> "DaskExecutor":
        try:
            from distributed import Client, LocalCluster
        except ImportError as exc:  # pragma: no cover - dependency of the package
            raise ClusterError("no `distributed` package", "dask.distributed installed",
                               "pip install 'dask[distributed]'.") from exc
        if self.scheduler:
            try:
                self.client = Client(self.scheduler, timeout=f"{self.connect_timeout}s")
            except (OSError, TimeoutError, ValueError, TypeError) as exc:
                raise ClusterError(
                    f"a Dask scheduler at {self.scheduler!r} that did not answer within "
                    f"{self.connect_timeout:g} s ({type(exc).__name__}: {exc})",
                    "a running scheduler reachable at that address (tcp://host:port)",
                    "Start one with `dask scheduler` plus `dask worker ADDRESS`, check the "
                    "address and firewall, or use --workers N for a local cluster.") from None
            return self
        import dask

        n = int(self.workers or 1)
        if n < 1:
            raise ClusterError(f"--workers {n}", "at least 1 worker", "Pass --workers 2, say.")
        share = int(self.cpus_per_worker or max(1, len(_cpus()) // n))
        env = worker_env(share)
        saved = {k: os.environ.get(k) for k in env}
        os.environ.update(env)  # inherited by the spawned worker processes
        try:
            with dask.config.set({"distributed.scheduler.allowed-failures":
                                  self.max_failures - 1}):
                self._cluster = LocalCluster(n_workers=n, threads_per_worker=1,
                                             processes=True, dashboard_address=None,
                                             silence_logs=logging.CRITICAL)
            self.client = Client(self._cluster)
            self.client.register_plugin(_worker_plugin(share))
        except Exception as exc:  # noqa: BLE001
            self.__exit__()
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

    def __exit__(self, *exc) -> None:
        """Close quietly: a cluster torn down mid-task has nothing more to say."""
        for name in ("distributed", "tornado", "asyncio"):
            logging.getLogger(name).setLevel(logging.CRITICAL)
        client, cluster, self.client, self._cluster = self.client, self._cluster, None, None
        if client is not None:
            with contextlib.suppress(Exception):
                client.close(timeout=10)
        if cluster is not None:
            with contextlib.suppress(Exception):
                cluster.close(timeout=10)

    @property
    def slots(self) -> int:
        """Worker threads of the cluster (at least 1)."""
        try:
            return max(1, sum(self.client.nthreads().values()))
        except Exception:  # noqa: BLE001 - a scheduler without workers yet
            return 1

    def _n_workers(self) -> int:
        try:
            return len(self.client.scheduler_info(n_workers=-1)["workers"])
        except TypeError:
            return len(self.client.scheduler_info()["workers"])
        except Exception:  # noqa: BLE001 - scheduler gone: no workers either
            return 0

    def map_batches(self, scenario, batches: list[Batch]) -> Iterator[tuple[Batch, list]]:
        """Yield ``(batch, records)`` as each batch's task finishes (any order)."""
        from distributed import wait
        from distributed.scheduler import KilledWorker

        if not batches:
            return
        modules = main_thread_imports(batches)
        if not modules <= self._imported:  # before any task: imported in each main thread
            self._imported |= modules
            self.client.register_plugin(_imports_plugin(tuple(sorted(self._imported))))
        futures = {self.client.submit(_run_batch_task, scenario.text, scenario.source,
                                      tuple(scenario.overrides), batch, pure=False): batch
                   for batch in batches}
        pending = set(futures)
        interrupted = []
        previous = signal.getsignal(signal.SIGINT)

        def on_sigint(signum, frame):  # remembered even if a library swallows the exception
            interrupted.append(True)
            raise KeyboardInterrupt

        restore = False
        with contextlib.suppress(ValueError):  # not the main thread: keep the default
            signal.signal(signal.SIGINT, on_sigint)
            restore = True
        try:
            idle_since = None
            while pending:
                try:
                    finished, _ = wait(list(pending), timeout=2.0,
                                       return_when="FIRST_COMPLETED")
                except (TimeoutError, asyncio.TimeoutError):
                    finished = set()
                if interrupted:
                    raise KeyboardInterrupt
                for future in finished:
                    pending.discard(future)
                    batch = futures[future]
                    if future.status == "finished":
                        yield batch, future.result()
                        continue
                    exc = future.exception()
                    if isinstance(exc, KilledWorker):
                        reason = (f"worker died: the Dask worker running this batch died "
                                  f"{self.max_failures} time(s) (killed, out of memory or a "
                                  "crash in native code); its runs were given up")
                    else:
                        reason = f"task failed on the cluster: {type(exc).__name__}: {exc}"
                    yield batch, _failed(batch, reason)
                if not finished:
                    if self._n_workers() == 0:
                        idle_since = idle_since or time.monotonic()
                        if time.monotonic() - idle_since > self.idle_timeout:
                            raise ClusterError(
                                f"a Dask cluster without any worker for {self.idle_timeout:g} s "
                                f"with {len(pending)} batch(es) left",
                                "workers that stay up",
                                "Check the workers (memory, crashes), then continue with "
                                "`neuroam run SCENARIO --out DIR --resume`: finished runs are "
                                "kept.")
                    else:
                        idle_since = None
            if interrupted:
                raise KeyboardInterrupt
        finally:
            if restore:
                signal.signal(signal.SIGINT, previous)
            if pending:
                with contextlib.suppress(Exception):
                    self.client.cancel(list(pending))
