"""Writing results: partial files per batch while a study runs, ``results.h5`` streamed.

- A **partial file** holds the runs of one finished batch (``.npz``: the arrays plus a
  JSON index of the records); it is written to ``<name>.tmp-<pid>`` and renamed, so a
  killed process leaves either a whole partial file or a stray ``.tmp-*`` file, never a
  half-written one under the real name. ``--resume`` rebuilds a study from them.
- ``results.h5`` is written by :class:`ResultsWriter` as runs arrive (the single writer
  of a study): each run's arrays go to disk and leave memory; only the small per-run
  metadata for the ``/summary`` table is kept. The file is built under
  ``results.h5.tmp-<pid>`` and renamed only after the summary and ``complete = 1`` are in.

Before anything is written the free space is checked against the bytes about to be
written, so a full disk ends in a :class:`~neuroam.errors.StoreError` that names the
folder, not in a crash inside libhdf5; the temporary file is then removed.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import tempfile
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import h5py
import numpy as np

from ..errors import StoreError
from . import provenance
from .layout import FORMAT, PARTIAL_FORMAT, SCHEMA_VERSION
from .netcdf import attr_value, write_group
from .record import RunRecord, Variable
from .summary import summary_variables

__all__ = ["ResultsWriter", "assemble", "atomic_h5", "write_run", "write_partial",
           "read_partial", "partial_index", "check_space", "disk_full", "output_folder"]

#: bytes kept free beyond the estimate of each write
_MARGIN = 4 << 20


def disk_full(folder: Path, need: int | None = None, free: int | None = None) -> StoreError:
    amount = (f" ({need / 1e6:.1f} MB to write, {free / 1e6:.1f} MB free)"
              if need is not None and free is not None else "")
    return StoreError(f"a full disk under {str(folder)!r}{amount}",
                      "free space for the results",
                      "Free some space (or choose another --out) and continue with "
                      "`neuroam run SCENARIO --out DIR --resume`: finished runs are kept.")


def output_folder(out: str | Path, option: str = "--out") -> Path:
    """``out`` as a folder neuroam can write into (created with its parents if missing);
    a StoreError naming ``option`` when it is a file or cannot be written."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise StoreError(f"{option} {str(out)!r}, which is a file", "a folder (created if missing)",
                         f"Give a folder path for {option}.")
    try:
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=out, prefix=".neuroam-probe-"):
            pass
    except OSError as exc:
        raise StoreError(f"{option} {str(out)!r}, a folder that cannot be written "
                         f"({exc.strerror or exc})", "a folder where neuroam may create files",
                         f"Choose another {option} folder or fix its permissions.") from None
    return out


def check_space(folder: Path, need: int) -> None:
    """Raise :func:`disk_full` unless ``folder``'s file system has ``need`` bytes + a margin."""
    try:
        free = shutil.disk_usage(folder).free
    except OSError:
        return
    if free < need + _MARGIN:
        raise disk_full(folder, need, free)


def _storage_error(exc: OSError, path: Path) -> StoreError:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT) or "No space" in str(exc) \
            or "file write failed" in str(exc):
        return disk_full(path.parent)
    return StoreError(f"a folder {str(path.parent)!r} where {path.name} cannot be written "
                      f"({exc})", "a writable output folder",
                      "Choose another --out folder or fix its permissions.")


@contextlib.contextmanager
def atomic_h5(path: str | Path) -> Iterator[h5py.File]:
    """Open ``path.tmp-<pid>`` for writing; rename it to ``path`` only on success."""
    path = Path(path)
    tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}")
    try:
        f = h5py.File(tmp, "w", track_order=True)
    except OSError as exc:
        raise _storage_error(exc, path) from None
    try:
        try:
            with f:
                yield f
        except OSError as exc:
            raise _storage_error(exc, path) from None
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def _run_attrs(record: RunRecord) -> dict[str, Any]:
    attrs: dict[str, Any] = {
        "run_id": record.run_id, "label": record.label,
        "implementation": record.implementation, "point_id": record.point_id,
        "seed": record.seed, "params": record.params, "wall_time": record.wall_time,
        "error": record.error, "pid": record.pid, "finished": record.finished,
        "inputs": record.inputs,
    }
    attrs.update({f"param.{k}": v for k, v in record.params.items()})
    attrs.update({f"attr.{k}": v for k, v in record.attrs.items()})
    return attrs


def write_run(group: h5py.Group, record: RunRecord, *, level: int = 1) -> None:
    """Write one run's variables (gzip ``level``) and attributes into ``group``."""
    write_group(group, dict(record.variables), level=level)
    for key, value in _run_attrs(record).items():
        if value is not None:
            group.attrs[key] = attr_value(value)


class ResultsWriter:
    """The single writer of a ``results.h5``: add runs as they finish, then finish().

    Use as a context manager; leaving it without :meth:`finish` (an error, Ctrl-C) removes
    the temporary file and leaves any earlier ``results.h5`` untouched.
    """

    def __init__(self, path: str | Path, root_attrs: dict[str, Any], *, level: int = 1):
        self.path = Path(path)
        self.tmp = self.path.with_name(f"{self.path.name}.tmp-{os.getpid()}")
        self.level = level
        self.metas: list[RunRecord] = []
        self.variables: dict[str, list[str]] = {}  # run id -> its variables' names
        self._patterns_done = False
        check_space(self.path.parent, 0)
        try:
            self.file = h5py.File(self.tmp, "w", track_order=True)
            root = {"format": FORMAT, "schema_version": SCHEMA_VERSION,
                    "neuroam_version": provenance.neuroam_version(),
                    "packages": provenance.package_versions(),
                    "created": provenance.now_iso(), "git_commit": provenance.git_commit()}
            root.update(root_attrs)
            for key, value in root.items():
                self.file.attrs[key] = attr_value(value)
            self.runs = self.file.create_group("runs", track_order=True)
        except OSError as exc:
            self._discard()
            raise _storage_error(exc, self.path) from None

    def __enter__(self) -> "ResultsWriter":
        return self

    def __exit__(self, *exc) -> None:
        if self.file is not None:
            self._discard()

    def _discard(self) -> None:
        f, self.file = getattr(self, "file", None), None
        if f is not None:
            with contextlib.suppress(Exception):
                f.close()
        with contextlib.suppress(OSError):
            self.tmp.unlink()

    def add(self, record: RunRecord) -> None:
        """Write ``record`` (its arrays, then drop them); keep its metadata."""
        check_space(self.path.parent, record.nbytes())
        try:
            if not self._patterns_done and "patterns" in record.variables:
                pat = record.variables["patterns"]
                # dims K, D (not pattern, neuron): run groups may differ in size, and
                # xarray.open_datatree needs every group aligned with the root
                write_group(self.file, {"patterns": Variable(("K", "D"), pat.data, {
                    **pat.attrs, "run_id": record.run_id,
                    "long_name": "stored patterns of the first run (each run group keeps "
                                 "the patterns it recalled)"})}, level=self.level)
                self._patterns_done = True
            label = self.runs.get(record.label) or self.runs.create_group(record.label,
                                                                          track_order=True)
            write_run(label.create_group(record.point_id), record, level=self.level)
        except OSError as exc:
            self._discard()
            raise _storage_error(exc, self.path) from None
        self.variables[record.run_id] = list(record.variables)
        self.metas.append(record.meta() if record.variables else record)

    def finish(self, order: Sequence[str] | None = None,
               extra_attrs: dict[str, Any] | None = None) -> Path:
        """Write ``/summary`` (rows in ``order`` of run ids, default: as added), the
        closing attributes and ``complete = 1``; rename into place. Returns the path."""
        metas = self.metas
        if order is not None:
            by_id = {m.run_id: m for m in metas}
            metas = [by_id[r] for r in order if r in by_id]
        try:
            f = self.file
            attrs = {"n_runs": len(metas), "n_failed": sum(not m.ok for m in metas)}
            attrs.update(extra_attrs or {})
            for key, value in attrs.items():
                f.attrs[key] = attr_value(value)
            if metas:
                write_group(f.create_group("summary"),
                            summary_variables(metas, self.variables), level=self.level)
            f.attrs["complete"] = np.int8(1)
            f.close()
            self.file = None
            os.replace(self.tmp, self.path)
        except OSError as exc:
            self._discard()
            raise _storage_error(exc, self.path) from None
        return self.path


def assemble(path: str | Path, records: Sequence[RunRecord], *, scenario_text: str,
             scenario_name: str, digest: str, seed: int, overrides: Sequence[str] = (),
             extra_attrs: dict[str, Any] | None = None) -> Path:
    """Write a complete ``results.h5`` from finished run records in one go."""
    root = {"scenario": scenario_text, "scenario_name": scenario_name,
            "scenario_digest": digest, "seed": seed, "overrides": list(overrides)}
    root.update(extra_attrs or {})
    with ResultsWriter(path, root) as writer:
        for record in records:
            writer.add(record)
        return writer.finish()


# -- partial files ---------------------------------------------------------------------

def _meta_json(record: RunRecord, arrays: dict[str, np.ndarray], i: int) -> dict[str, Any]:
    variables = {}
    for name, var in record.variables.items():
        data = np.asarray(var.data)
        entry: dict[str, Any] = {"dims": list(var.dims), "attrs": _encode_attrs(var.attrs)}
        if data.dtype.kind in "OUS":
            entry["text"] = [str(x) for x in data.reshape(-1)]
            entry["shape"] = list(data.shape)
        else:
            arrays[f"r{i}.{name}"] = data
        variables[name] = entry
    return {"run_id": record.run_id, "label": record.label,
            "implementation": record.implementation, "point_id": record.point_id,
            "seed": record.seed, "params": record.params, "summary": record.summary,
            "attrs": dict(record.attrs), "wall_time": record.wall_time, "error": record.error,
            "pid": record.pid, "finished": record.finished, "inputs": record.inputs,
            "variables": variables}


def _encode_attrs(attrs: dict[str, Any]) -> dict[str, Any]:
    """Numeric array attributes keep their dtype through JSON."""
    return {k: {"__array__": v.tolist(), "dtype": v.dtype.str} if isinstance(v, np.ndarray)
            else v for k, v in attrs.items()}


def _decode_attrs(attrs: dict[str, Any]) -> dict[str, Any]:
    return {k: np.asarray(v["__array__"], dtype=v["dtype"])
            if isinstance(v, dict) and "__array__" in v else v for k, v in attrs.items()}


def _json_default(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    return str(value)


def write_partial(path: str | Path, records: Sequence[RunRecord], digest: str) -> None:
    """The runs of one finished batch in one file (atomically), tagged with ``digest``."""
    path = Path(path)
    arrays: dict[str, np.ndarray] = {}
    index = {"format": PARTIAL_FORMAT, "scenario_digest": digest,
             "records": [_meta_json(r, arrays, i) for i, r in enumerate(records)]}
    check_space(path.parent, sum(a.nbytes for a in arrays.values()))
    tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}")
    try:
        with open(tmp, "wb") as fh:
            np.savez(fh, __index__=np.frombuffer(
                json.dumps(index, default=_json_default).encode(), dtype=np.uint8), **arrays)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise _storage_error(exc, path) from None
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def _load_index(npz) -> dict[str, Any]:
    return json.loads(bytes(npz["__index__"]).decode())


def _record(meta: dict[str, Any], variables) -> RunRecord:
    return RunRecord(run_id=meta["run_id"], label=meta["label"],
                     implementation=meta["implementation"], point_id=meta["point_id"],
                     seed=int(meta["seed"]), params=meta["params"], variables=variables,
                     summary={k: float(v) for k, v in meta["summary"].items()},
                     attrs=meta["attrs"], wall_time=float(meta["wall_time"]),
                     error=meta["error"], pid=int(meta["pid"]), finished=meta["finished"],
                     inputs=dict(meta.get("inputs", {})))


def _open_partial(path: Path, digest: str | None):
    try:
        npz = np.load(path, allow_pickle=False)
        index = _load_index(npz)
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile,
            json.JSONDecodeError, UnicodeDecodeError):
        return None, None
    if index.get("format") != PARTIAL_FORMAT or \
            (digest is not None and index.get("scenario_digest") != digest):
        npz.close()
        return None, None
    return npz, index


def partial_index(path: str | Path, digest: str | None) -> list[RunRecord] | None:
    """The records of a partial file without their arrays; None when the file is
    unreadable, foreign or made by another scenario (``digest``; None: any)."""
    npz, index = _open_partial(Path(path), digest)
    if npz is None:
        return None
    npz.close()
    return [_record(m, {}) for m in index["records"]]


def read_partial(path: str | Path, digest: str | None) -> list[RunRecord] | None:
    """The records of a partial file with their arrays (see :func:`partial_index`)."""
    npz, index = _open_partial(Path(path), digest)
    if npz is None:
        return None
    out = []
    try:
        with npz:
            for i, meta in enumerate(index["records"]):
                variables = {}
                for name, entry in meta["variables"].items():
                    if "text" in entry:
                        data = np.array(entry["text"], dtype=object).reshape(entry["shape"])
                    else:
                        data = npz[f"r{i}.{name}"]
                    variables[name] = Variable(tuple(entry["dims"]), data,
                                               _decode_attrs(entry["attrs"]))
                out.append(_record(meta, variables))
    except (OSError, ValueError, KeyError, zipfile.BadZipFile):
        return None
    return out

