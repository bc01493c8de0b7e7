"""The ``/summary`` table: one row per run, one 1-D variable per column along ``run``."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import numpy as np

from .record import RunRecord, Variable

__all__ = ["summary_variables", "param_column"]


def param_column(values: list[Any]) -> np.ndarray:
    """Numbers stay numbers (missing: NaN); anything else becomes text (missing: "")."""
    if all(v is None or (isinstance(v, (int, float)) and not isinstance(v, bool))
           for v in values):
        return np.array([np.nan if v is None else float(v) for v in values], dtype=np.float64)
    return np.array(["" if v is None else (v if isinstance(v, str) else
                                          json.dumps(v, sort_keys=True, default=str))
                     for v in values], dtype=object)


def summary_variables(records: Sequence[RunRecord],
                      variables: dict[str, list[str]] | None = None) -> dict[str, Variable]:
    """Columns: run (coordinate: the run id), label, implementation, point_id, seed,
    params (JSON), param.<key>, every summary field (NaN when a run has none), wall_time
    (s), error ("" when the run succeeded), pid, finished, and ``variables`` (the names of
    the run's arrays, space-separated) when given: readers list a run's arrays without
    opening its group."""
    dims = ("run",)
    cols: dict[str, Variable] = {
        "run": Variable(dims, np.array([r.run_id for r in records], dtype=object),
                        {"long_name": "run id <label>/<point id>: the group under /runs"}),
        "label": Variable(dims, np.array([r.label for r in records], dtype=object)),
        "implementation": Variable(dims, np.array([r.implementation for r in records],
                                                  dtype=object)),
        "point_id": Variable(dims, np.array([r.point_id for r in records], dtype=object)),
        "seed": Variable(dims, np.array([r.seed for r in records], dtype=np.int64)),
        "params": Variable(dims, np.array([json.dumps(r.params, sort_keys=True, default=str)
                                           for r in records], dtype=object),
                           {"long_name": "grid values of the run (JSON)"}),
    }
    keys: list[str] = []
    for r in records:
        keys += [k for k in r.params if k not in keys]
    for key in keys:
        cols[f"param.{key}"] = Variable(dims, param_column([r.params.get(key) for r in records]))
    fields: list[str] = []
    for r in records:
        fields += [k for k in r.summary if k not in fields]
    for field in fields:
        cols[field] = Variable(dims, np.array([float(r.summary.get(field, np.nan))
                                               for r in records], dtype=np.float64))
    cols["wall_time"] = Variable(dims, np.array([r.wall_time for r in records]),
                                 {"units": "s"})
    cols["error"] = Variable(dims, np.array([r.error for r in records], dtype=object))
    cols["pid"] = Variable(dims, np.array([r.pid for r in records], dtype=np.int64))
    cols["finished"] = Variable(dims, np.array([r.finished for r in records], dtype=object))
    if variables is not None:
        cols["variables"] = Variable(dims, np.array([" ".join(variables.get(r.run_id, []))
                                                     for r in records], dtype=object),
                                     {"long_name": "arrays stored in the run's group"})
    return cols
