"""Atomic writes: one small file per finished run, assembled into ``results.h5`` at the end.

Every file is written to ``<name>.tmp-<pid>`` in the target folder and renamed with
``os.replace``, so a killed process leaves either the old file, the new file, or a
stray ``.tmp-*`` file that is ignored, never a half-written file under the real name.
Only the assembled ``results.h5`` carries the root attribute ``complete = 1``.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import h5netcdf
import numpy as np

from ..errors import StoreError
from . import provenance
from .encode import attr_value, write_variables
from .layout import FORMAT, SCHEMA_VERSION
from .record import RunRecord, Variable
from .summary import summary_variables

__all__ = ["atomic_h5", "write_run", "write_partial", "assemble"]


@contextlib.contextmanager
def atomic_h5(path: str | Path) -> Iterator[h5netcdf.File]:
    """Open ``path.tmp-<pid>`` for writing; rename it to ``path`` only on success."""
    path = Path(path)
    tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}")
    try:
        f = h5netcdf.File(tmp, "w")
    except OSError as exc:
        raise StoreError(f"a folder {str(path.parent)!r} where {path.name} cannot be "
                         f"created ({exc})", "a writable output folder",
                         "Choose another --out folder or fix its permissions.") from None
    try:
        with f:
            yield f
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def write_run(group, record: RunRecord, *, level: int = 1) -> None:
    """Write one run's variables (gzip ``level``) and attributes into an ``h5netcdf``
    group."""
    write_variables(group, record.variables, level=level)
    attrs: dict[str, Any] = {
        "run_id": record.run_id, "label": record.label,
        "implementation": record.implementation, "point_id": record.point_id,
        "seed": record.seed, "params": record.params, "wall_time": record.wall_time,
        "error": record.error, "pid": record.pid, "finished": record.finished,
    }
    attrs.update({f"param.{k}": v for k, v in record.params.items()})
    attrs.update({f"summary.{k}": v for k, v in record.summary.items()})
    attrs.update({f"attr.{k}": v for k, v in record.attrs.items()})
    for key, value in attrs.items():
        if value is not None:
            group.attrs[key] = attr_value(value)


def write_partial(path: str | Path, record: RunRecord, digest: str) -> None:
    """One finished run in its own file (root group = the run group), uncompressed: the
    file lives until the study is assembled, and the writer must keep up with workers."""
    with atomic_h5(path) as f:
        write_run(f, record, level=0)
        f.attrs["neuroam_partial"] = SCHEMA_VERSION
        f.attrs["scenario_digest"] = digest


def assemble(path: str | Path, records: Sequence[RunRecord], *, scenario_text: str,
             scenario_name: str, digest: str, seed: int, overrides: Sequence[str] = (),
             extra_attrs: dict[str, Any] | None = None) -> Path:
    """Write the complete ``results.h5`` (atomically) from finished run records."""
    path = Path(path)
    with atomic_h5(path) as f:
        root = {
            "format": FORMAT, "schema_version": SCHEMA_VERSION,
            "neuroam_version": provenance.neuroam_version(), "scenario": scenario_text,
            "scenario_name": scenario_name, "scenario_digest": digest, "seed": seed,
            "overrides": list(overrides), "packages": provenance.package_versions(),
            "created": provenance.now_iso(), "git_commit": provenance.git_commit(),
            "n_runs": len(records), "n_failed": sum(not r.ok for r in records),
        }
        root.update(extra_attrs or {})
        for key, value in root.items():
            f.attrs[key] = attr_value(value)
        first = next((r for r in records if "patterns" in r.variables), None)
        if first is not None:
            pat = first.variables["patterns"]
            # dims K, D (not pattern, neuron): run groups may differ in size, and
            # xarray.open_datatree needs every group aligned with the root
            write_variables(f, {"patterns": Variable(("K", "D"), pat.data, {
                **pat.attrs, "run_id": first.run_id,
                "long_name": "stored patterns of the first run (each run group keeps the "
                             "patterns it recalled)"})})
        runs = f.create_group("runs")
        for record in records:
            label_group = runs.groups.get(record.label) or runs.create_group(record.label)
            write_run(label_group.create_group(record.point_id), record)
        if records:
            write_variables(f.create_group("summary"), summary_variables(records))
        f.attrs["complete"] = np.int8(1)
    return path
