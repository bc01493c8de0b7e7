"""Batches in this process, several at a time.

XLA runs the small operations of a recall loop on one core; two batches in two threads
use two (JAX and NumPy release the GIL while they compute): measured 1.8x on two
crossbar runs on 2 cores. An implementation whose batches may share the process says so
(:meth:`~neuroam.implementations.Implementation.in_threads`); the others (Brian2's
global device) run alone in the calling thread
once the threads are idle. Results are the same in any order and any number of threads:
every run draws from its own seeds.
"""

from __future__ import annotations

import collections
import os
import queue
import threading
from collections.abc import Iterator

from .execute import InputCache, run_batch
from .plan import Batch

__all__ = ["LocalExecutor", "default_threads"]


def default_threads() -> int:
    """The CPUs this process may use, at most 4 (beyond that XLA's own threads already
    keep the cores busy on the operations that are large enough)."""
    try:
        n = len(os.sched_getaffinity(0))
    except AttributeError:
        n = os.cpu_count() or 1
    return max(1, min(4, n))


class LocalExecutor:
    """Run batches in this process, at most ``threads`` at once.

    When the caller stops consuming (an error, Ctrl-C), no new batch starts; the running
    ones are waited for, unless ``abandon`` (the command line, which then ends the
    process at once: see :func:`neuroam.cli.console.leave`).
    """

    def __init__(self, threads: int | None = None, *, abandon: bool = False):
        self.threads = max(1, int(threads or default_threads()))
        self.abandon = abandon

    @property
    def slots(self) -> int:
        return self.threads

    def _parallel(self, scenario, batch: Batch) -> bool:
        from .. import implementations

        try:
            impl = implementations.get(batch.implementation)
            settings = scenario.at(batch.runs[0]).implementations[batch.label].settings
        except Exception:  # noqa: BLE001 - the batch reports its own error when it runs
            return False
        return impl.in_threads(settings)

    def map_batches(self, scenario, batches: list[Batch], *, cache: InputCache | None = None,
                    progress=None) -> Iterator[tuple[Batch, list]]:
        """Yield ``(batch, records)`` as batches finish (in any order when threaded)."""
        cache = cache if cache is not None else InputCache()
        started = progress or (lambda *a: None)

        def start(batch: Batch) -> None:
            for run in batch.runs:
                started("start", run, None)

        if self.threads == 1:
            for batch in batches:
                start(batch)
                yield batch, run_batch(scenario, batch, cache)
            return
        done: queue.Queue = queue.Queue()

        def work(batch: Batch) -> None:
            try:
                done.put((batch, run_batch(scenario, batch, cache)))
            except BaseException as exc:  # noqa: BLE001 - raised in the caller
                done.put((batch, exc))

        waiting = collections.deque(batches)
        threads: list[threading.Thread] = []
        try:
            yield from self._loop(scenario, waiting, done, work, start, cache, threads)
        finally:
            if not self.abandon:
                for thread in threads:
                    thread.join()

    def _loop(self, scenario, waiting, done, work, start, cache, threads):
        running = 0
        while waiting or running:
            while waiting and running < self.threads and self._parallel(scenario, waiting[0]):
                batch = waiting.popleft()
                start(batch)
                thread = threading.Thread(target=work, args=(batch,), daemon=True,
                                          name=f"neuroam-batch-{batch.id}")
                thread.start()
                threads.append(thread)
                running += 1
            if waiting and running == 0:  # a batch that must run alone, in this thread
                batch = waiting.popleft()
                start(batch)
                yield batch, run_batch(scenario, batch, cache)
                continue
            while True:
                try:
                    batch, records = done.get(timeout=0.5)  # Ctrl-C is seen between waits
                    break
                except queue.Empty:
                    continue
            running -= 1
            if isinstance(records, BaseException):
                raise records
            yield batch, records
