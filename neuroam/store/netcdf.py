"""netCDF-4 groups written and read with plain h5py.

A netCDF-4 file is HDF5 with conventions: every dimension is a dimension scale (a 1-D
dataset marked ``CLASS = DIMENSION_SCALE``; a coordinate variable of the same name is
its own scale, a dimension without one is a placeholder whose ``NAME`` says so), each
variable has its scales attached along its axes, and float variables carry
``_FillValue``. ``xarray.open_dataset(..., group=..., engine="h5netcdf")`` reads such a
group with named dimensions.

h5netcdf writes the same layout but looks dimension names up by object path, which
HDF5 answers by searching the whole file: on a results file with a few hundred runs
that was 0.1–1 s per group, most of a study's bookkeeping. Here scales are attached by
handle when writing, and dimension names are matched by object identity when reading;
no path look-up happens.

Float variables are written with fill value NaN (samples never reached stay NaN);
integer variables get none (``-1`` is data there, e.g. "no target"). Arrays of 16 KiB
and more are chunked (≤ ~256 KiB per chunk) and compressed with gzip (``level``) +
shuffle; smaller ones are stored as they are.
"""

from __future__ import annotations

import json
import math
from typing import Any

import h5py
import numpy as np

from .record import Variable, check_dims

__all__ = ["write_group", "read_group", "read_variable", "variable_names", "attr_value",
           "read_attr", "chunk_shape"]

_CHUNK_BYTES = 256 * 1024
#: arrays smaller than this are stored contiguous and uncompressed (the filter pipeline
#: costs more than it saves on them)
_COMPRESS_BYTES = 16 * 1024
_PLACEHOLDER = "This is a netCDF dimension but not a netCDF variable.%10d"
#: netCDF-4's name for a variable that shares its name with a dimension it is not the
#: coordinate of (e.g. ``draw`` along ``trial`` next to the ``draw`` dimension)
_NON_COORD = "_nc4_non_coord_"
_SCALE = b"DIMENSION_SCALE"


def chunk_shape(shape: tuple[int, ...], itemsize: int) -> tuple[int, ...]:
    """Halve the largest axis until a chunk holds at most ~256 KiB."""
    chunk = [max(1, int(n)) for n in shape]
    while math.prod(chunk) * itemsize > _CHUNK_BYTES and max(chunk) > 1:
        i = int(np.argmax(chunk))
        chunk[i] = (chunk[i] + 1) // 2
    return tuple(chunk)


def attr_value(value: Any) -> Any:
    """A netCDF-friendly attribute: numbers, strings, numeric arrays; else JSON text."""
    if isinstance(value, (bool, np.bool_)):
        return np.int8(value)
    if isinstance(value, (int, np.integer)):
        return np.int64(value)
    if isinstance(value, (float, np.floating)):
        return np.float64(value)
    if isinstance(value, str):
        return value
    if isinstance(value, np.ndarray) and value.dtype.kind in "iuf" and value.ndim == 1:
        return value
    return json.dumps(value, default=str, sort_keys=True)


def read_attr(value: Any) -> Any:
    """Undo the array wrapping HDF5 applies to scalar attributes."""
    if isinstance(value, bytes):
        return value.decode()
    if isinstance(value, np.ndarray) and value.size == 1 and value.ndim <= 1:
        value = value.reshape(()).item()
    if isinstance(value, np.generic):
        value = value.item()
    return value


def _prepare(data: np.ndarray) -> tuple[np.ndarray, Any, Any]:
    data = np.asarray(data)
    if data.dtype.kind in "OUS":
        strings = np.array([str(x) for x in data.reshape(-1)], dtype=object).reshape(data.shape)
        return strings, h5py.string_dtype(), None
    if data.dtype.kind == "b":
        data = data.astype(np.int8)
    if data.dtype.kind == "f":
        return data, data.dtype, data.dtype.type(np.nan)
    return data, data.dtype, None


def write_group(group: h5py.Group, variables: dict[str, Variable], *, level: int = 1) -> None:
    """Write ``variables`` into ``group`` as netCDF-4 variables with named dimensions.

    ``level``: gzip level of chunked arrays (0: none). A variable named like its only
    dimension (``time``) is that dimension's coordinate.
    """
    sizes = check_dims(variables)
    scales: dict[str, h5py.Dataset] = {}
    datasets: dict[str, h5py.Dataset] = {}
    for name, var in variables.items():
        data, dtype, fill = _prepare(var.data)
        kwargs: dict[str, Any] = {}
        if level and data.ndim and data.dtype != object and data.nbytes >= _COMPRESS_BYTES:
            kwargs = dict(chunks=chunk_shape(data.shape, data.dtype.itemsize),
                          compression="gzip", compression_opts=int(level), shuffle=True)
        if data.ndim and data.size and data.dtype != object:
            # a Fletcher-32 checksum per chunk: a flipped bit in the numbers is an error
            # when read, not a silently wrong result (HDF5 checksums only its metadata)
            kwargs.setdefault("chunks", chunk_shape(data.shape, data.dtype.itemsize))
            kwargs["fletcher32"] = True
        stored = _NON_COORD + name if name in sizes and var.dims != (name,) else name
        ds = group.create_dataset(stored, data=data, dtype=dtype, fillvalue=fill, **kwargs)
        if fill is not None:
            ds.attrs["_FillValue"] = fill
        for key, value in var.attrs.items():
            ds.attrs[key] = attr_value(value)
        datasets[name] = ds
        if var.dims == (name,):
            ds.make_scale(name)
            scales[name] = ds
    for i, (dim, n) in enumerate(sizes.items()):
        if dim in scales:
            continue
        ds = group.create_dataset(dim, shape=(n,), dtype="f4")
        ds.make_scale(_PLACEHOLDER % n)
        ds.attrs["_Netcdf4Dimid"] = np.int32(i)
        scales[dim] = ds
    for name, var in variables.items():
        if var.dims == (name,):
            continue
        for axis, dim in enumerate(var.dims):
            datasets[name].dims[axis].attach_scale(scales[dim])


def _is_scale(ds: h5py.Dataset) -> bool:
    return ds.attrs.get("CLASS") == _SCALE


def _is_placeholder(ds: h5py.Dataset) -> bool:
    name = ds.attrs.get("NAME", b"")
    name = name.decode() if isinstance(name, bytes) else str(name)
    return name.startswith("This is a netCDF dimension but not a netCDF variable")


def variable_names(group: h5py.Group) -> list[str]:
    """The variables of a netCDF group (dimension placeholders left out)."""
    return [k.removeprefix(_NON_COORD) for k, v in group.items()
            if isinstance(v, h5py.Dataset) and not (_is_scale(v) and _is_placeholder(v))]


def _dims(group: h5py.Group, ds: h5py.Dataset, name: str, by_id=None) -> tuple[str, ...]:
    """Dimension names of ``ds``: its attached scales, matched by object identity with the
    group's datasets (no attribute reads, no path search)."""
    refs = ds.attrs.get("DIMENSION_LIST")
    if refs is None:
        return (name,) if ds.ndim == 1 else tuple(f"dim_{i}" for i in range(ds.ndim))
    if by_id is None:
        by_id = {group[k].id: k for k in group if isinstance(group[k], h5py.Dataset)}
    return tuple(by_id[group.file[r[-1]].id] for r in refs)


def read_variable(group: h5py.Group, name: str, by_id=None) -> Variable:
    """One variable of a group written by :func:`write_group` (or by netCDF tools)."""
    ds = group[_NON_COORD + name] if _NON_COORD + name in group else group[name]
    data = ds[()]
    if ds.dtype.kind == "O" or h5py.check_string_dtype(ds.dtype) is not None:
        data = np.array([x.decode() if isinstance(x, bytes) else x
                         for x in np.asarray(data).reshape(-1)], dtype=object).reshape(ds.shape)
    attrs = {k: read_attr(v) for k, v in ds.attrs.items()
             if k not in ("_FillValue", "CLASS", "NAME", "DIMENSION_LIST", "REFERENCE_LIST",
                          "_Netcdf4Dimid")}
    return Variable(_dims(group, ds, name, by_id), np.asarray(data), attrs)


def read_group(group: h5py.Group, names=None, skip: tuple[str, ...] = ()) -> dict[str, Variable]:
    """Variables of a group (``names``: only these), without the ``skip`` ones."""
    wanted = variable_names(group) if names is None else list(names)
    by_id = {group[k].id: k for k in group if isinstance(group[k], h5py.Dataset)}
    return {n: read_variable(group, n, by_id) for n in wanted if n not in skip}
