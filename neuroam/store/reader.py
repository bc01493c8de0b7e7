"""Reading results files and partial run files, with clean errors for anything foreign."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import h5netcdf
import h5py
import numpy as np

from ..errors import StoreError
from .encode import read_attr
from .layout import FORMAT, SCHEMA_VERSION
from .record import RunRecord, Variable

__all__ = ["check_results", "root_attrs", "list_runs", "read_record", "read_records",
           "read_partial", "open_run", "read_summary"]

_RUN_KEYS = {"run_id", "label", "implementation", "point_id", "seed", "params", "wall_time",
             "error", "pid", "finished"}


def _fix(path: Path) -> str:
    return (f"Give the results.h5 that `neuroam run` wrote; if that run was interrupted, "
            f"finish it with `neuroam run SCENARIO --out {path.parent} --resume`.")


def check_results(path: str | Path) -> Path:
    """Raise StoreError unless ``path`` is a complete neuroam results file."""
    path = Path(path)
    if not path.is_file():
        raise StoreError(f"the path {str(path)!r}", "an existing results.h5 file",
                         "Check the path; `neuroam run` writes DIR/results.h5.")
    try:
        ok = h5py.is_hdf5(path)
    except OSError:
        ok = False
    if not ok:
        raise StoreError(f"{str(path)!r}, which is not an HDF5 file (corrupt or another "
                         "format)", "an HDF5 results file written by neuroam", _fix(path))
    try:
        with h5py.File(path, "r") as f:
            attrs = {k: read_attr(v) for k, v in f.attrs.items()}
            has_runs = "runs" in f
    except (OSError, RuntimeError, KeyError) as exc:
        raise StoreError(f"{str(path)!r}, which cannot be read ({exc})",
                         "a readable HDF5 results file", _fix(path)) from None
    if attrs.get("format") != FORMAT:
        raise StoreError(f"{str(path)!r}, an HDF5 file without format={FORMAT!r} (a foreign "
                         "file)", "a results file written by `neuroam run`", _fix(path))
    version = str(attrs.get("schema_version", "?"))
    if version.split(".")[0] != SCHEMA_VERSION.split(".")[0]:
        raise StoreError(f"{str(path)!r} with schema_version {version}",
                         f"schema version {SCHEMA_VERSION.split('.')[0]}.x",
                         "Open it with the neuroam version that wrote it "
                         f"(neuroam_version={attrs.get('neuroam_version')}).")
    if attrs.get("complete") != 1 or not has_runs:
        raise StoreError(f"{str(path)!r}, an incomplete results file",
                         "a file whose root attribute complete = 1", _fix(path))
    return path


def root_attrs(path: str | Path) -> dict[str, Any]:
    with h5py.File(check_results(path), "r") as f:
        return {k: read_attr(v) for k, v in f.attrs.items()}


def list_runs(path: str | Path) -> list[str]:
    """Run ids ``"<label>/<point id>"`` in file order."""
    with h5py.File(check_results(path), "r") as f:
        return [f"{label}/{point}" for label in f["runs"] for point in f["runs"][label]]


def read_record(group, skip: tuple[str, ...] = ()) -> RunRecord:
    """A :class:`RunRecord` from an ``h5netcdf`` group written by ``write_run``; the
    variables named in ``skip`` (e.g. ``("state",)``) are not read."""
    attrs = {k: read_attr(v) for k, v in group.attrs.items()}
    variables = {}
    for name, var in group.variables.items():
        if name in skip:
            continue
        vattrs = {k: read_attr(v) for k, v in var.attrs.items() if k != "_FillValue"}
        data = var[...] if var.ndim else np.asarray(var[()])
        if data.dtype.kind in "SO":
            data = np.array([x.decode() if isinstance(x, bytes) else x
                             for x in data.reshape(-1)], dtype=object).reshape(data.shape)
        variables[name] = Variable(tuple(var.dimensions), np.asarray(data), vattrs)
    params = attrs.get("params", "{}")
    return RunRecord(
        run_id=str(attrs["run_id"]), label=str(attrs["label"]),
        implementation=str(attrs["implementation"]), point_id=str(attrs["point_id"]),
        seed=int(attrs["seed"]), params=json.loads(params) if isinstance(params, str) else {},
        variables=variables,
        summary={k[8:]: float(v) for k, v in attrs.items() if k.startswith("summary.")},
        attrs={k[5:]: v for k, v in attrs.items() if k.startswith("attr.")},
        wall_time=float(attrs.get("wall_time", np.nan)), error=str(attrs.get("error", "")),
        pid=int(attrs.get("pid", 0)), finished=str(attrs.get("finished", "")))


def read_records(path: str | Path, skip: tuple[str, ...] = ()) -> list[RunRecord]:
    """Every run of a complete results file, in file order."""
    with h5netcdf.File(check_results(path), "r") as f:
        return [read_record(point, skip) for label in f["runs"].groups.values()
                for point in label.groups.values()]


def read_partial(path: str | Path, digest: str) -> RunRecord | None:
    """The run in a partial file, or None when it is unreadable, foreign or stale."""
    try:
        with h5netcdf.File(path, "r") as f:
            if read_attr(f.attrs.get("scenario_digest")) != digest:
                return None
            if "neuroam_partial" not in f.attrs:
                return None
            return read_record(f)
    except Exception:  # noqa: BLE001 - any unreadable partial is simply redone
        return None


def open_run(path: str | Path, run_id: str | None = None):
    """The run group ``run_id`` (default: the first run) as an ``xarray.Dataset``."""
    import xarray as xr

    runs = list_runs(path)
    run_id = run_id or runs[0]
    if run_id not in runs:
        raise StoreError(f"run {run_id!r}", "one of: " + ", ".join(runs[:20]),
                         "Use `neuroam.store.list_runs(path)` to see the run ids.")
    return xr.open_dataset(path, group=f"runs/{run_id}", engine="h5netcdf")


def read_summary(path: str | Path):
    """The ``/summary`` table as an ``xarray.Dataset`` along ``run``."""
    import xarray as xr

    return xr.open_dataset(check_results(path), group="summary", engine="h5netcdf").load()
