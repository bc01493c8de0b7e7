"""Reading results files, with clean errors for anything foreign, corrupt or unfinished.

Reading back is lazy: :func:`read_records` builds every record from the ``/summary``
table alone (one read, whatever the number of runs); a run's arrays and attributes are
read from its group only when something asks for them (a plot, the agreement section).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import h5py
import numpy as np

from ..errors import StoreError
from .layout import FORMAT, SCHEMA_VERSION
from .netcdf import read_attr, read_group, read_variable, variable_names
from .record import RunRecord, Variable

__all__ = ["check_results", "root_attrs", "list_runs", "read_records", "open_run",
           "read_summary", "summary_table"]

_SUMMARY_TEXT = ("run", "label", "implementation", "point_id", "params", "error", "finished",
                 "variables")
_SUMMARY_FIXED = (*_SUMMARY_TEXT, "seed", "wall_time", "pid")


def _fix(path: Path) -> str:
    return (f"Give the results.h5 that `neuroam run` wrote; if that run was interrupted, "
            f"finish it with `neuroam run SCENARIO --out {path.parent} --resume`.")


def _unreadable(path: Path, exc: Exception) -> StoreError:
    return StoreError(f"{str(path)!r}, which cannot be read ({type(exc).__name__}: {exc}); "
                      "the file is damaged", "a readable HDF5 results file", _fix(path))


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
    except Exception as exc:  # noqa: BLE001 - libhdf5 reports damage in many ways
        raise _unreadable(path, exc) from None
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
    path = check_results(path)
    try:
        with h5py.File(path, "r") as f:
            return {k: read_attr(v) for k, v in f.attrs.items()}
    except Exception as exc:  # noqa: BLE001
        raise _unreadable(path, exc) from None


def summary_table(path: str | Path) -> dict[str, Variable]:
    """The ``/summary`` columns as :class:`Variable` objects (empty when no runs)."""
    path = check_results(path)
    try:
        with h5py.File(path, "r") as f:
            return read_group(f["summary"]) if "summary" in f else {}
    except Exception as exc:  # noqa: BLE001
        raise _unreadable(path, exc) from None


def list_runs(path: str | Path) -> list[str]:
    """Run ids ``"<label>/<point id>"`` in study order."""
    cols = summary_table(path)
    return [str(r) for r in cols["run"].data] if cols else []


class _RunGroup:
    """Where a run's group lives; opens the file only when data is asked for."""

    def __init__(self, path: Path, run_id: str):
        self.path, self.where = path, f"runs/{run_id}"

    def read(self, fn):
        try:
            with h5py.File(self.path, "r") as f:
                return fn(f[self.where])
        except Exception as exc:  # noqa: BLE001
            raise _unreadable(self.path, exc) from None


class LazyVariables(Mapping):
    """A run's variables, read from the file on first access (then kept)."""

    def __init__(self, group: _RunGroup, skip: tuple[str, ...] = (),
                 names: list[str] | None = None):
        self._group, self._skip = group, skip
        self._names = None if names is None else [n for n in names if n not in skip]
        self._cache: dict[str, Variable] = {}

    def _keys(self) -> list[str]:
        if self._names is None:
            names = self._group.read(variable_names)
            self._names = [n for n in names if n not in self._skip]
        return self._names

    def __getitem__(self, name: str) -> Variable:
        if name not in self._cache:
            if name not in self._keys():
                raise KeyError(name)
            self._cache[name] = self._group.read(lambda g: read_variable(g, name))
        return self._cache[name]

    def __contains__(self, name: object) -> bool:  # a name look-up reads no data
        return name in self._keys()

    def get(self, name, default=None):
        return self[name] if name in self else default

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys())

    def __len__(self) -> int:
        return len(self._keys())


class LazyAttrs(Mapping):
    """A run's result attributes (``attr.*`` of its group), read on first access."""

    def __init__(self, group: _RunGroup):
        self._group = group
        self._data: dict[str, Any] | None = None

    def _load(self) -> dict[str, Any]:
        if self._data is None:
            raw = self._group.read(lambda g: {k: read_attr(v) for k, v in g.attrs.items()})
            self._data = {k[5:]: v for k, v in raw.items() if k.startswith("attr.")}
        return self._data

    def __getitem__(self, key: str) -> Any:
        return self._load()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._load())

    def __len__(self) -> int:
        return len(self._load())


def read_records(path: str | Path, skip: tuple[str, ...] = ()) -> list[RunRecord]:
    """Every run of a complete results file, in study order. Metadata and summary
    numbers come from ``/summary``; ``variables`` and ``attrs`` load on first use
    (``skip``: variables never listed)."""
    path = check_results(path)
    cols = summary_table(path)
    if not cols:
        return []
    n = len(cols["run"].data)
    fields = [k for k in cols if k not in _SUMMARY_FIXED and not k.startswith("param.")]
    out = []
    for i in range(n):
        run_id = str(cols["run"].data[i])
        group = _RunGroup(path, run_id)
        params = cols["params"].data[i] if "params" in cols else "{}"
        names = str(cols["variables"].data[i]).split() if "variables" in cols else None
        out.append(RunRecord(
            run_id=run_id, label=str(cols["label"].data[i]),
            implementation=str(cols["implementation"].data[i]),
            point_id=str(cols["point_id"].data[i]), seed=int(cols["seed"].data[i]),
            params=json.loads(params) if params else {},
            variables=LazyVariables(group, skip, names), attrs=LazyAttrs(group),
            summary={k: float(cols[k].data[i]) for k in fields
                     if np.isfinite(cols[k].data[i])},
            wall_time=float(cols["wall_time"].data[i]), error=str(cols["error"].data[i]),
            pid=int(cols["pid"].data[i]) if "pid" in cols else 0,
            finished=str(cols["finished"].data[i]) if "finished" in cols else ""))
    return out


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

    cols = summary_table(path)
    data = {k: (v.dims, v.data, v.attrs) for k, v in cols.items() if k != "run"}
    return xr.Dataset(data, coords={"run": ("run", cols["run"].data, cols["run"].attrs)})
