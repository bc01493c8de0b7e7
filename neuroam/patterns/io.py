"""Load and save pattern sets as ``.npy`` or HDF5 (``.h5`` / ``.hdf5``) files.

``.npy`` files hold the bare ``(K, D)`` array, or ``(K, H, W)`` for images (the image
shape is then kept). HDF5 files hold the array in dataset ``"patterns"`` with the
attributes ``kind``, ``name``, ``meta`` (JSON) and, for images, ``shape``.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import numpy as np

from .. import inputs
from ..errors import NeuroamError, ShapeError, StoreError, UnsupportedError, ValueRangeError
from .pattern_set import PatternSet

__all__ = ["load", "save"]

_NPY, _H5 = (".npy",), (".h5", ".hdf5")


def load(path: str | os.PathLike, *, kind: str | None = None,
         dataset: str | None = None) -> PatternSet:
    """Read a pattern set from ``path``.

    Args:
        path: a ``.npy``, ``.h5`` or ``.hdf5`` file holding a ``(K, D)`` array (a 1-D
            array is one pattern; a ``(K, H, W)`` array is K images, flattened to
            ``D = H·W`` with ``shape=(H, W)``).
        kind: ``"binary"`` or ``"real"``; ``None`` = the file's ``kind`` attribute (HDF5)
            or auto-detection: binary if every entry is ±1, real otherwise. Data made of
            only 0s and 1s is refused rather than guessed (map it with ``2*x - 1``).
        dataset: HDF5 dataset path; default ``"patterns"``, else the only 2-D dataset.

    Raises:
        StoreError: missing, unreadable or corrupt file, wrong extension, no (unique)
            pattern dataset.
        ShapeError: an array that is not 1-, 2- or 3-D, or is empty.
        ValueRangeError: non-finite or non-±1 entries for binary patterns, {0,1} data.
    """
    p = Path(path)
    ext = p.suffix.lower()
    if ext not in _NPY + _H5:
        raise StoreError(f"the file {str(p)!r} with extension {ext or '(none)'!r}",
                         "a .npy, .h5 or .hdf5 file",
                         "Save the patterns with `neuroam.patterns.save` or `np.save`.")
    if not p.is_file():
        what = "is not a file" if p.exists() else "does not exist"
        raise StoreError(f"the path {str(p)!r}, which {what}", "an existing pattern file",
                         "Check the path" + ("." if p.is_absolute() else
                                             f" (relative to the current folder {os.getcwd()!r})."))
    attrs: dict = {}
    inputs.note(p)  # recorded by content: a study refuses to resume after it changed
    if ext in _NPY:
        if dataset is not None:
            raise UnsupportedError(f"dataset={dataset!r} for the .npy file {str(p)!r}",
                                   "dataset only for HDF5 files", "Drop the `dataset` argument.")
        try:
            arr = np.load(p, allow_pickle=False)
        except (OSError, ValueError, EOFError) as e:
            raise StoreError(f"the unreadable or corrupt .npy file {str(p)!r} ({e})",
                             "a file written by `np.save`", "Re-create the file.") from None
    else:
        arr, attrs, dataset = _read_h5(p, dataset)
    try:
        arr = np.asarray(arr)
        shape = tuple(int(s) for s in attrs["shape"]) if "shape" in attrs else None
        if arr.ndim == 3:
            shape, arr = (arr.shape[1], arr.shape[2]), arr.reshape(arr.shape[0], -1)
        if arr.ndim not in (1, 2) or arr.size == 0:
            raise ShapeError(f"an array of shape {arr.shape}",
                             "a non-empty (K, D) array of K patterns (or (K, H, W) images)",
                             "Store one pattern per row.")
        if kind is None:
            kind = str(attrs["kind"]) if "kind" in attrs else _detect_kind(arr)
        meta = _parse_meta(attrs.get("meta"))
        meta.update(source=str(p), **({"dataset": dataset} if dataset else {}))
        return PatternSet(arr, kind=kind, name=str(attrs.get("name", p.stem)), meta=meta,
                          shape=shape)
    except NeuroamError as e:
        raise type(e)(f"In {str(p)!r}: {e}") from None


def save(patterns: PatternSet, path: str | os.PathLike) -> Path:
    """Write ``patterns`` to a ``.npy`` or ``.h5``/``.hdf5`` file, atomically.

    The data goes to a temporary file in the same folder, which then replaces ``path``
    (``os.replace``), so readers never see a half-written file. ``.npy`` keeps only the
    array (``(K, H, W)`` when ``patterns.shape`` is set); HDF5 also keeps kind, name,
    meta and image shape. Returns the path written.
    """
    if not isinstance(patterns, PatternSet):
        raise UnsupportedError(f"an object of type {type(patterns).__name__}", "a PatternSet",
                               "Wrap the array first: `PatternSet(array, kind='binary')`.")
    p = Path(path)
    ext = p.suffix.lower()
    if ext not in _NPY + _H5:
        raise StoreError(f"the output path {str(p)!r} with extension {ext or '(none)'!r}",
                         "a .npy, .h5 or .hdf5 file name", "Change the file extension.")
    folder = p.parent if str(p.parent) else Path(".")
    if not folder.is_dir():
        raise StoreError(f"the output folder {str(folder)!r}, which does not exist",
                         "an existing folder", "Create it first, e.g. `mkdir -p`.")
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=folder)
        if ext in _NPY:
            xi = patterns.xi if patterns.shape is None else patterns.xi.reshape(
                patterns.K, *patterns.shape)
            with os.fdopen(fd, "wb") as f:
                np.save(f, xi)
        else:
            os.close(fd)
            import h5py

            with h5py.File(tmp, "w") as f:
                ds = f.create_dataset("patterns", data=patterns.xi)
                ds.attrs.update(kind=patterns.kind, name=patterns.name,
                                meta=json.dumps(dict(patterns.meta), default=_jsonable))
                if patterns.shape is not None:
                    ds.attrs["shape"] = np.asarray(patterns.shape, dtype=np.int64)
        os.chmod(tmp, 0o644)
        os.replace(tmp, p)
    except OSError as e:
        raise StoreError(f"an error writing {str(p)!r} ({e})", "a writable location",
                         "Check the permissions and free disk space.") from None
    finally:
        if tmp is not None and os.path.exists(tmp):
            os.remove(tmp)
    return p


def _read_h5(p: Path, dataset: str | None):
    """``(array, attributes, dataset name)`` of the pattern dataset in an HDF5 file."""
    import h5py

    try:
        with h5py.File(p, "r") as f:
            found: dict[str, tuple] = {}
            f.visititems(lambda n, o: found.__setitem__(n, o.shape)
                         if isinstance(o, h5py.Dataset) else None)
            listing = ", ".join(f"{n} {s}" for n, s in found.items()) or "none"
            if dataset is None:
                two_d = [n for n, s in found.items() if len(s) == 2]
                if "patterns" in found:
                    dataset = "patterns"
                elif len(two_d) == 1:
                    dataset = two_d[0]
                else:
                    raise StoreError(
                        f"the HDF5 file {str(p)!r} with {len(two_d)} 2-D datasets "
                        f"(datasets: {listing})",
                        "a dataset named 'patterns' or exactly one 2-D dataset",
                        "Pass `dataset=` naming the pattern array.")
            elif dataset.strip("/") not in found:
                raise StoreError(f"dataset={dataset!r}, absent from {str(p)!r}",
                                 f"one of the datasets: {listing}", "Pick one of those.")
            ds = f[dataset]
            return ds[()], dict(ds.attrs), dataset
    except OSError as e:
        raise StoreError(f"the unreadable or corrupt HDF5 file {str(p)!r} ({e})",
                         "a valid HDF5 file", "Re-create the file.") from None


def _detect_kind(arr: np.ndarray) -> str:
    """``"binary"`` if every entry is ±1, ``"real"`` otherwise; refuses {0, 1} data."""
    if arr.dtype.kind not in "biuf":
        return "real"  # PatternSet explains the dtype problem
    if np.all(np.abs(arr) == 1):
        return "binary"
    if np.all((arr == 0) | (arr == 1)):
        raise ValueRangeError(
            "patterns made only of 0s and 1s", "binary patterns as ±1, or real values",
            "Map {0,1} data to ±1 with `2*x - 1` before saving, or pass kind='real' to "
            "load the values as they are.")
    return "real"


def _parse_meta(raw) -> dict:
    """The ``meta`` attribute decoded from JSON (kept as text if it is not a JSON object)."""
    if raw is None:
        return {}
    try:
        meta = json.loads(raw)
    except (TypeError, ValueError):
        return {"meta_raw": str(raw)}
    return meta if isinstance(meta, dict) else {"meta_raw": meta}


def _jsonable(obj):
    """JSON fallback for numpy scalars and arrays in ``meta``."""
    return obj.tolist() if hasattr(obj, "tolist") else str(obj)
