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

Progress = Callable[[RunPoint, RunRecord | None, bool], None]


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


def _finished_results(path: Path, digest: str) -> list[RunRecord] | None:
    """Records of a complete results.h5 made from the same scenario, else None."""
    if not path.exists():
        return None
    try:
        with h5py.File(path, "r") as f:
            same = read_attr(f.attrs.get("scenario_digest")) == digest
    except OSError:
        return None
    if not same:
        raise StoreError(f"--resume in a folder whose {RESULTS_NAME} was made from a "
                         "different scenario (or different --set values)",
                         "the same scenario and overrides as the interrupted run",
                         "Use --overwrite to replace those results, or another --out.")
    return read_records(path)


def run_study(scenario, out: str | Path, *, overwrite: bool = False, resume: bool = False,
              progress: Progress | None = None) -> StudyOutcome:
    """Run every run of ``scenario`` into ``out``; return the records (failed ones too)."""
    out = Path(out)
    prepare_out(out, overwrite=overwrite, resume=resume)
    digest = scenario.digest()
    runs = scenario.runs()
    results = out / RESULTS_NAME
    if resume:
        done = _finished_results(results, digest)
        if done is not None and {r.run_id for r in done} == {r.run_id for r in runs} \
                and all(r.ok for r in done):
            return StudyOutcome(results, done, len(done))
    partial_dir = out / PARTIAL_DIR
    partial_dir.mkdir(exist_ok=True)
    for stale in partial_dir.rglob("*.tmp-*"):
        stale.unlink(missing_ok=True)
    records: dict[str, RunRecord] = {}
    skipped = 0
    cache = InputCache()
    for run in runs:
        path = partial_dir / run.label / f"{run.point_id}.h5"
        if resume and path.exists():
            old = read_partial(path, digest)
            if old is not None and old.ok:
                records[run.run_id] = old
                skipped += 1
                if progress:
                    progress(run, old, True)
                continue
        record = run_one(scenario, run, cache)
        path.parent.mkdir(exist_ok=True)
        write_partial(path, record, digest)
        records[run.run_id] = record
        if progress:
            progress(run, record, False)
    ordered = [records[r.run_id] for r in runs]
    assemble(results, ordered, scenario_text=scenario.text, scenario_name=scenario.name,
             digest=digest, seed=scenario.seed, overrides=scenario.overrides,
             extra_attrs={"scenario_path": scenario.source,
                          "description": scenario.spec.scenario.description})
    shutil.rmtree(partial_dir, ignore_errors=True)
    return StudyOutcome(results, ordered, skipped)
