"""Run a whole study into an output folder: batches in, one streamed ``results.h5`` out.

The study holds the folder's lock (:mod:`.lock`) from start to end. Runs are planned
into batches (:mod:`.plan`); each finished batch is written to a partial file (for
``--resume``) and its runs are streamed into ``results.h5.tmp-<pid>`` (then dropped from
memory) by a writer thread while the next batch computes; once every run is in, the
summary table and ``complete = 1`` are written and the file is renamed into place.

Folder rules: a folder that already holds results (``results.h5`` or unfinished partial
files) is refused unless ``overwrite`` or ``resume``; ``overwrite`` never deletes the old
``results.h5`` before the new one is complete; ``resume`` keeps every finished run made
by the same scenario (same digest of its values) from the same input files (same
content of every card and patterns file the runs read; a changed file is named and the
resume refused) and runs the failed or missing ones. Both remove the temporary files a
killed run left behind.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import queue
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

from .. import inputs
from ..errors import StoreError
from ..store.writer import output_folder
from ..store import (PARTIAL_DIR, RESULTS_NAME, ResultsWriter, partial_index, read_partial,
                     read_records, root_attrs, write_partial)
from ..store.record import RunRecord
from .execute import InputCache
from ..scenario.grid import RunPoint
from .local import LocalExecutor
from .lock import study_lock
from .plan import plan_batches

__all__ = ["StudyOutcome", "prepare_out", "run_study"]

#: progress(event, run, record): event is "start", "done" or "skipped"
Progress = Callable[[str, RunPoint, RunRecord | None], None]

#: card texts up to this size are stored in results.h5 (root attribute input_texts)
_TEXT_LIMIT = 1 << 20


@dataclasses.dataclass(frozen=True)
class StudyOutcome:
    """``records``: every run's metadata and summary (arrays are in ``results``)."""

    results: Path
    records: list[RunRecord]
    n_skipped: int

    @property
    def failed(self) -> list[RunRecord]:
        return [r for r in self.records if not r.ok]


def _partials(out: Path) -> list[Path]:
    d = out / PARTIAL_DIR
    return sorted(d.rglob("*.npz")) if d.is_dir() else []


def prepare_out(out: Path, *, overwrite: bool, resume: bool) -> None:
    """Check the output folder (see the module docstring) and clear stale temporary
    files. Call with the folder's lock held. Raises StoreError."""
    if overwrite and resume:
        raise StoreError("both --overwrite and --resume", "at most one of them",
                         "Use --resume to continue an interrupted run, --overwrite to "
                         "start again.")
    output_folder(out)
    holds = (out / RESULTS_NAME).exists() or bool(_partials(out))
    if holds and not (overwrite or resume):
        raise StoreError(f"an output folder {str(out)!r} that already holds results",
                         "an empty or new folder",
                         "Pass --resume to continue an interrupted run there, --overwrite to "
                         "replace its results, or choose another --out.")
    if overwrite:
        shutil.rmtree(out / PARTIAL_DIR, ignore_errors=True)
    for stale in [*out.glob(f"{RESULTS_NAME}.tmp-*"), *(out / PARTIAL_DIR).rglob("*.tmp-*")]:
        stale.unlink(missing_ok=True)


def _changed(what: str) -> StoreError:
    return StoreError(f"--resume in a folder whose {what} from a different scenario (or "
                      "different --set values)",
                      "the same scenario file and --set values as the interrupted run",
                      "Resume with the same scenario and --set values, use --overwrite to "
                      "start again, or choose another --out.")


def _check_inputs(recorded: dict[str, str]) -> None:
    """Refuse to resume when a file the finished runs read has changed since."""
    changed = [p for p, digest in sorted(recorded.items()) if inputs.digest_of(p) != digest]
    if changed:
        names = ", ".join(repr(p) for p in changed[:5]) + (" ..." if len(changed) > 5 else "")
        raise StoreError(f"--resume after the input file(s) {names} changed (or vanished) "
                         "since the finished runs read them",
                         "the same content of every card and patterns file as the "
                         "interrupted run",
                         "Restore the file(s), or start again with --overwrite (the results "
                         "would otherwise mix old and new inputs).")


@dataclasses.dataclass
class _Done:
    """Finished runs found in the folder, by run id, and where they are."""

    partials: list[Path] = dataclasses.field(default_factory=list)
    ids: set[str] = dataclasses.field(default_factory=set)
    from_results: bool = False


def _scan(out: Path, digest: str, wanted: set[str]) -> _Done:
    done = _Done()
    recorded: dict[str, str] = {}
    for path in _partials(out):
        any_digest = partial_index(path, None)
        if any_digest is None:  # unreadable: its runs are done again
            path.unlink(missing_ok=True)
            continue
        index = partial_index(path, digest)
        if index is None:
            raise _changed(f"{PARTIAL_DIR}/ holds runs")
        ok = [r for r in index if r.ok and r.run_id in wanted]
        if ok:
            done.partials.append(path)
            done.ids.update(r.run_id for r in ok)
            for r in ok:
                recorded.update(r.inputs)
    results = out / RESULTS_NAME
    if results.exists():
        try:
            attrs = root_attrs(results)
        except StoreError:
            attrs = {}
        if attrs.get("scenario_digest") == digest:
            recs = [r for r in read_records(results) if r.ok and r.run_id in wanted]
            done.from_results = bool(recs)
            done.ids.update(r.run_id for r in recs)
            recorded.update(json.loads(attrs.get("inputs") or "{}"))
        elif not done.partials:
            raise _changed(f"{RESULTS_NAME} was made")
    _check_inputs(recorded)
    return done


def _carried(out: Path, digest: str, done: _Done, wanted: set[str]) -> Iterator[RunRecord]:
    """The finished runs of an earlier attempt, one partial file (or run) at a time."""
    seen: set[str] = set()
    for path in done.partials:
        for record in read_partial(path, digest) or []:
            if record.ok and record.run_id in wanted and record.run_id not in seen:
                seen.add(record.run_id)
                yield record
    if done.from_results:
        for record in read_records(out / RESULTS_NAME):
            if record.ok and record.run_id in wanted and record.run_id not in seen:
                seen.add(record.run_id)
                yield dataclasses.replace(record, variables=dict(record.variables),
                                          attrs=dict(record.attrs))


def _input_attrs(records: list[RunRecord]) -> dict[str, str]:
    files: dict[str, str] = {}
    for r in records:
        files.update(r.inputs)
    texts = {}
    for path, digest in files.items():
        if path.endswith(".toml"):
            try:
                data = Path(path).read_bytes()
                # the text the runs read (a card edited during the study is left out;
                # its digest still says what was read)
                if len(data) <= _TEXT_LIMIT and inputs.sha256(data) == digest:
                    texts[path] = data.decode("utf-8")
            except (OSError, UnicodeDecodeError):
                pass
    return {"inputs": json.dumps(files, sort_keys=True),
            "input_texts": json.dumps(texts, sort_keys=True)}


class _Sink:
    """Writes finished batches — the partial file, then each run into ``results.h5`` — in
    a thread of its own while the next batch computes (JAX and NumPy release the GIL), at
    most one batch behind. A failure in the thread (a full disk) is raised in the caller
    at its next :meth:`put` or when :meth:`running` ends; an error or Ctrl-C in the caller
    stops the thread after the run it is writing."""

    def __init__(self, writer: ResultsWriter, partial_dir: Path, digest: str, done):
        self.writer, self.partial_dir, self.digest, self.done = writer, partial_dir, digest, done
        self.written: set[str] = set()
        self._queue: queue.Queue = queue.Queue(maxsize=1)
        self._error: BaseException | None = None
        self._stop = threading.Event()

    def add(self, record: RunRecord, event: str) -> None:
        """Write one run now (a re-executed task's second record is dropped)."""
        if record.run_id in self.written:
            return
        self.writer.add(record)
        self.written.add(record.run_id)
        self.done(record, event)

    def _loop(self) -> None:
        while True:
            item = self._queue.get()
            if item is None or self._stop.is_set():
                return
            batch, records = item
            try:
                write_partial(self.partial_dir / f"{batch.id}.npz", records, self.digest)
                for record in records:
                    if self._stop.is_set():
                        return
                    self.add(record, "done")
            except BaseException as exc:  # noqa: BLE001 - handed to the caller
                self._error = exc
                return

    def put(self, batch, records: list[RunRecord]) -> None:
        while True:
            if self._error is not None:
                raise self._error
            try:
                self._queue.put((batch, records), timeout=0.2)
                return
            except queue.Full:
                continue

    @contextlib.contextmanager
    def running(self) -> Iterator[None]:
        thread = threading.Thread(target=self._loop, name="neuroam-writer", daemon=True)
        thread.start()
        try:
            yield
        except BaseException:
            self._stop.set()
            raise
        finally:
            while thread.is_alive():
                try:
                    self._queue.put(None, timeout=0.2)
                    break
                except queue.Full:
                    continue
            thread.join()
        if self._error is not None:
            raise self._error


def run_study(scenario, out: str | Path, *, overwrite: bool = False, resume: bool = False,
              progress: Progress | None = None, executor=None,
              threads: int | None = None) -> StudyOutcome:
    """Run every run of ``scenario`` into ``out``; return the records (failed ones too).

    Batches run in this process, ``threads`` at a time (default: one per CPU, at most 4;
    see :mod:`.local`), or on a Dask cluster when ``executor`` (a
    :class:`~.distributed.DaskExecutor`, entered) is given; this process stays the only
    writer either way.
    """
    out = Path(out)
    output_folder(out)
    executor = executor if executor is not None else LocalExecutor(threads)
    with study_lock(out, scenario.name):
        prepare_out(out, overwrite=overwrite, resume=resume)
        return _run_locked(scenario, out, resume, progress or (lambda *a: None), executor)


def _run_locked(scenario, out: Path, resume: bool, progress: Progress, executor
                ) -> StudyOutcome:
    digest = scenario.digest()
    runs = scenario.runs()
    by_id = {r.run_id: r for r in runs}
    results = out / RESULTS_NAME
    done = _scan(out, digest, set(by_id)) if resume else _Done()
    if resume and not done.partials and done.from_results and done.ids == set(by_id):
        records = read_records(results)  # complete, nothing failed: nothing to do
        for r in records:
            progress("skipped", by_id[r.run_id], r)
        return StudyOutcome(results, records, len(records))
    partial_dir = out / PARTIAL_DIR
    partial_dir.mkdir(exist_ok=True)
    root = {"scenario": scenario.text, "scenario_name": scenario.name,
            "scenario_digest": digest, "seed": scenario.seed,
            "overrides": list(scenario.overrides), "scenario_path": scenario.source,
            "description": scenario.spec.scenario.description}
    with ResultsWriter(results, root) as writer:
        sink = _Sink(writer, partial_dir, digest, lambda r, e: progress(e, by_id[r.run_id], r))
        for record in _carried(out, digest, done, set(by_id)):
            sink.add(record, "skipped")
        skipped = len(sink.written)
        pending = [r for r in runs if r.run_id not in sink.written]
        cache = InputCache()
        batches = plan_batches(scenario, pending, slots=executor.slots, cache=cache)
        if isinstance(executor, LocalExecutor):
            stream = executor.map_batches(scenario, batches, cache=cache, progress=progress)
        else:
            stream = executor.map_batches(scenario, batches)
        with sink.running(), contextlib.closing(stream):
            for batch, records in stream:
                sink.put(batch, records)
                del records
        metas = writer.metas
        writer.finish(order=[r.run_id for r in runs], extra_attrs=_input_attrs(metas))
    shutil.rmtree(partial_dir, ignore_errors=True)
    order = {r.run_id: i for i, r in enumerate(runs)}
    return StudyOutcome(results, sorted(metas, key=lambda m: order[m.run_id]), skipped)
