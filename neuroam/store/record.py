"""A finished run as plain arrays with named dimensions: what the store writes and reads."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from ..errors import StoreError
from .layout import OUTCOME_FLAGS, STATUS_FLAGS

__all__ = ["Variable", "RunRecord", "record_from_result", "decimation_index"]


@dataclasses.dataclass(frozen=True)
class Variable:
    """``data`` with one dimension name per axis and netCDF attributes (``units``, ...)."""

    dims: tuple[str, ...]
    data: np.ndarray
    attrs: dict[str, Any] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True)
class RunRecord:
    """One run (implementation × grid point × seed).

    Attributes:
        run_id: ``"<label>/<point id>"``, the group under ``/runs``.
        params: the grid values of this run, ``{dotted key: value}``.
        variables: name -> :class:`Variable` (empty when the run failed).
        summary: the ``neuroam.metrics.summarize`` fields (floats).
        attrs: scalar metadata from the result (solver, tolerances, ...).
        wall_time: seconds spent in ``recall`` (compilation included).
        error: empty, or the message of the exception that stopped the run.
        pid, finished: process id and ISO time of the process that ran it.
    """

    run_id: str
    label: str
    implementation: str
    point_id: str
    seed: int
    params: dict[str, Any]
    variables: dict[str, Variable]
    summary: dict[str, float]
    attrs: dict[str, Any]
    wall_time: float
    error: str = ""
    pid: int = 0
    finished: str = ""

    @property
    def ok(self) -> bool:
        return not self.error


def decimation_index(n: int, every: int) -> np.ndarray:
    """Indices ``0, every, 2*every, ...`` plus the last one, of ``n`` saved times."""
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    idx = np.arange(0, n, max(1, int(every)))
    return idx if idx[-1] == n - 1 else np.append(idx, n - 1)


def record_from_result(result, patterns, outcomes, *, keep_states: bool = True,
                       decimate: int = 1) -> dict[str, Variable]:
    """Variables of a :class:`~neuroam.results.RecallResult` (shapes in its docstring)."""
    idx = decimation_index(result.n_times, decimate)
    v: dict[str, Variable] = {}
    v["time"] = Variable(("time",), result.times[idx], {"units": result.time_unit})
    v["patterns"] = Variable(("pattern", "neuron"), np.asarray(patterns.xi),
                             {"kind": patterns.kind})
    v["cues"] = Variable(("trial", "neuron"), result.cues)
    v["target"] = Variable(("trial",), result.targets, {"long_name": "index of the cued "
                           "pattern (-1: none)"})
    if keep_states and result.states is not None:
        v["state"] = Variable(("trial", "time", "neuron"), result.states[:, idx])
    if result.energies is not None:
        v["energy"] = Variable(("trial", "time"), result.energies[:, idx])
    v["overlap"] = Variable(("trial", "time", "pattern"), result.overlaps[:, idx])
    v["final"] = Variable(("trial", "neuron"), result.final)
    v["status"] = Variable(("trial",), result.status, {
        "flag_values": np.arange(3, dtype=np.int8), "flag_meanings": STATUS_FLAGS})
    v["outcome"] = Variable(("trial",), np.asarray(outcomes, dtype=np.int8), {
        "flag_values": np.arange(5, dtype=np.int8), "flag_meanings": OUTCOME_FLAGS})
    v["converge_time"] = Variable(("trial",), result.converge_time,
                                  {"units": result.time_unit})
    for name, extra in result.extras.items():
        key = name if name not in v else f"extra_{name}"
        data = np.asarray(extra.data)
        dims = tuple(extra.dims)
        if "time" in dims and data.shape[dims.index("time")] == result.n_times:
            data = np.take(data, idx, axis=dims.index("time"))
        v[key] = Variable(dims, data, {"units": extra.units} if extra.units else {})
    check_dims(v)
    return v


def check_dims(variables: dict[str, Variable]) -> dict[str, int]:
    """Sizes of every dimension; raises StoreError when two variables disagree."""
    sizes: dict[str, int] = {}
    for name, var in variables.items():
        if len(var.dims) != np.ndim(var.data):
            raise StoreError(f"variable {name!r} with dims {var.dims} and shape "
                             f"{np.shape(var.data)}", "one dimension name per axis",
                             "Fix the implementation's extras.")
        for dim, n in zip(var.dims, np.shape(var.data)):
            if sizes.setdefault(dim, n) != n:
                raise StoreError(f"dimension {dim!r} of size {n} in {name!r} but "
                                 f"{sizes[dim]} elsewhere", "one size per dimension name",
                                 "Give extras with a different length their own dimension "
                                 "name (e.g. `spike`).")
    return sizes
