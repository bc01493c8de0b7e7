"""Run a whole study into an output folder: partial files per run, then ``results.h5``.

Folder rules: a folder that already holds results (``results.h5`` or unfinished partial
runs) is refused unless ``overwrite`` or ``resume``; ``overwrite`` never deletes the old
``results.h5`` before the new one is complete (it is replaced atomically); ``resume``
keeps every finished run whose partial file is valid and was made by the same scenario
(same digest), and redoes failed or missing ones.
"""

from __future__ import annotations

import dataclasses
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import h5py

from ..errors import StoreError
from ..store import (PARTIAL_DIR, RESULTS_NAME, assemble, read_partial, read_records,
                     write_partial)
from ..store.encode import read_attr
from ..store.record import RunRecord
from .execute import InputCache, run_one
from .grid import RunPoint

__all__ = ["StudyOutcome", "prepare_out", "run_study"]

#: progress(event, run, record): event is "start", "done" or "skipped"
Progress = Callable[[str, RunPoint, RunRecord | None], None]


@dataclasses.dataclass(frozen=True)
class StudyOutcome:
    results: Path
    records: list[RunRecord]
    n_skipped: int

    @property
    def failed(self) -> list[RunRecord]:
        return [r for r in self.records if not r.ok]


def _has_partials(d: Path) -> bool:
    return d.is_dir() and any(p.suffix == ".h5" for p in d.rglob("*.h5"))


def prepare_out(out: Path, *, overwrite: bool, resume: bool) -> None:
    """Create/check the output folder (see module docstring). Raises StoreError."""
    if overwrite and resume:
        raise StoreError("both --overwrite and --resume", "at most one of them",
                         "Use --resume to continue an interrupted run, --overwrite to "
                         "start again.")
    if out.exists() and not out.is_dir():
        raise StoreError(f"--out {str(out)!r}, which is a file", "a folder (created if missing)",
                         "Give a folder path for --out.")
    try:
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=out, prefix=".neuroam-probe-"):
            pass
    except OSError as exc:
        raise StoreError(f"an output folder {str(out)!r} that cannot be written "
                         f"({exc.strerror or exc})", "a folder where neuroam may create files",
                         "Choose another --out folder or fix its permissions.") from None
    holds = (out / RESULTS_NAME).exists() or _has_partials(out / PARTIAL_DIR)
    if holds and not (overwrite or resume):
        raise StoreError(f"an output folder {str(out)!r} that already holds results",
                         "an empty or new folder",
                         "Pass --resume to continue an interrupted run there, --overwrite to "
                         "replace its results, or choose another --out.")
    if overwrite:
        shutil.rmtree(out / PARTIAL_DIR, ignore_errors=True)


def _digest_of(path: Path) -> str | None:
    try:
        with h5py.File(path, "r") as f:
            return read_attr(f.attrs.get("scenario_digest"))
    except OSError:
        return None


def _changed(what: str) -> StoreError:
    return StoreError(f"--resume in a folder whose {what} from a different scenario (or "
                      "different --set values)",
                      "the same scenario file and --set values as the interrupted run",
                      "Resume with the same scenario and --set values, use --overwrite to "
                      "start again, or choose another --out.")


def _resumable(out: Path, digest: str) -> list[RunRecord] | None:
    """Check that ``out`` was made by this scenario; return the records of an already
    complete results.h5 of the same scenario, else None."""
    partials = [p for p in (out / PARTIAL_DIR).rglob("*.h5")] if (out / PARTIAL_DIR).is_dir() \
        else []
    if any(_digest_of(p) not in (digest, None) for p in partials):
        raise _changed(f"{PARTIAL_DIR}/ holds runs")
    results = out / RESULTS_NAME
    if not results.exists():
        return None
    same = _digest_of(results) == digest
    if not same and not partials:
        raise _changed(f"{RESULTS_NAME} was made")
    return read_records(results) if same else None


def run_study(scenario, out: str | Path, *, overwrite: bool = False, resume: bool = False,
              progress: Progress | None = None, executor=None) -> StudyOutcome:
    """Run every run of ``scenario`` into ``out``; return the records (failed ones too).

    ``executor`` (a :class:`~.distributed.DaskExecutor`, entered) runs the pending runs
    on a Dask cluster; this process stays the only writer either way.
    """
    out = Path(out)
    prepare_out(out, overwrite=overwrite, resume=resume)
    digest = scenario.digest()
    runs = scenario.runs()
    results = out / RESULTS_NAME
    if resume:
        done = _resumable(out, digest)
        by_id = {r.run_id: r for r in done or []}
        if by_id and set(by_id) == {r.run_id for r in runs} and all(r.ok for r in done):
            ordered = [by_id[r.run_id] for r in runs]
            if progress:
                for run in runs:
                    progress("skipped", run, by_id[run.run_id])
            return StudyOutcome(results, ordered, len(ordered))
    partial_dir = out / PARTIAL_DIR
    partial_dir.mkdir(exist_ok=True)
    for stale in partial_dir.rglob("*.tmp-*"):
        stale.unlink(missing_ok=True)
    records: dict[str, RunRecord] = {}
    skipped = 0
    pending: list[RunPoint] = []
    for run in runs:
        path = partial_dir / run.label / f"{run.point_id}.h5"
        if resume and path.exists():
            old = read_partial(path, digest)
            if old is not None and old.ok:
                records[run.run_id] = old
                skipped += 1
                if progress:
                    progress("skipped", run, old)
                continue
        pending.append(run)

    def keep(run: RunPoint, record: RunRecord) -> None:
        if run.run_id in records:  # a re-executed task (worker lost): first record wins
            return
        path = partial_dir / run.label / f"{run.point_id}.h5"
        path.parent.mkdir(exist_ok=True)
        write_partial(path, record, digest)
        records[run.run_id] = record
        if progress:
            progress("done", run, record)

    if executor is None:
        cache = InputCache()
        for run in pending:
            if progress:
                progress("start", run, None)
            keep(run, run_one(scenario, run, cache))
    else:
        from .distributed import group_runs

        by_id = {r.run_id: r for r in pending}
        for group in executor.map_groups(
                scenario, group_runs(pending, getattr(executor, "slots", 1))):
            for record in group:
                keep(by_id[record.run_id], record)
    ordered = [records[r.run_id] for r in runs]
    assemble(results, ordered, scenario_text=scenario.text, scenario_name=scenario.name,
             digest=digest, seed=scenario.seed, overrides=scenario.overrides,
             extra_attrs={"scenario_path": scenario.source,
                          "description": scenario.spec.scenario.description})
    shutil.rmtree(partial_dir, ignore_errors=True)
    return StudyOutcome(results, ordered, skipped)
