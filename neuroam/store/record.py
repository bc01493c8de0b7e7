"""A finished run as plain arrays with named dimensions: what the store writes and reads."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ..errors import StoreError
from .layout import OUTCOME_FLAGS, STATUS_FLAGS

__all__ = ["Variable", "RunRecord", "record_from_result", "decimation_index", "reached_times",
           "check_dims"]


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
        variables: name -> :class:`Variable` (empty when the run failed); records read
            back from a results file load them on first use.
        summary: the ``neuroam.metrics.summarize`` fields (floats).
        attrs: scalar metadata from the result (solver, tolerances, ...).
        wall_time: seconds spent in recall (compilation included); runs recalled in one
            batched call share its time equally.
        error: empty, or the message of the exception that stopped the run.
        pid, finished: process id and ISO time of the process that ran it.
        inputs: ``{absolute path: sha256}`` of every input file the run read (cards,
            pattern files).
    """

    run_id: str
    label: str
    implementation: str
    point_id: str
    seed: int
    params: dict[str, Any]
    variables: Mapping[str, Variable]
    summary: dict[str, float]
    attrs: Mapping[str, Any]
    wall_time: float
    error: str = ""
    pid: int = 0
    finished: str = ""
    inputs: dict[str, str] = dataclasses.field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.error

    def meta(self) -> "RunRecord":
        """This record without its arrays (what the summary table and resume need)."""
        return dataclasses.replace(self, variables={}, attrs=dict(self.attrs))

    def nbytes(self) -> int:
        """Bytes of the record's arrays."""
        return int(sum(np.asarray(v.data).nbytes for v in self.variables.values()))


def decimation_index(n: int, every: int) -> np.ndarray:
    """Indices ``0, every, 2*every, ...`` plus the last one, of ``n`` saved times."""
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    idx = np.arange(0, n, max(1, int(every)))
    return idx if idx[-1] == n - 1 else np.append(idx, n - 1)


def reached_times(result) -> int:
    """Saved time points up to the last one any trial reached (later ones are all NaN:
    every trial had stopped)."""
    ov = np.asarray(result.overlaps)
    if ov.ndim != 3 or ov.shape[1] == 0:
        return int(result.n_times)
    reached = np.isfinite(ov).any(axis=(0, 2)) if ov.size else np.ones(ov.shape[1], bool)
    hit = np.nonzero(reached)[0]
    return int(hit[-1] + 1) if hit.size else int(result.n_times)


def record_from_result(result, patterns, outcomes, *, keep_states: bool = True,
                       decimate: int = 1, extras: bool | Sequence[str] = True
                       ) -> dict[str, Variable]:
    """Variables of a :class:`~neuroam.results.RecallResult` (shapes in its docstring).

    Saved times after every trial had stopped are not kept (they hold only NaN); of the
    rest every ``decimate``-th plus the last. ``extras``: keep every implementation
    extra (True), none (False) or the named ones.
    """
    idx = decimation_index(reached_times(result), decimate)
    v: dict[str, Variable] = {}
    v["time"] = Variable(("time",), np.asarray(result.times)[idx], {"units": result.time_unit})
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
    keep = (lambda name: True) if extras is True else (lambda name: False) if not extras \
        else (lambda name, _names=frozenset(extras): name in _names)
    for name, extra in result.extras.items():
        if not keep(name):
            continue
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
