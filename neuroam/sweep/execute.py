"""Run one :class:`~.grid.RunPoint`: build inputs, recall, measure, package a RunRecord."""

from __future__ import annotations

import json
import os
import time
import traceback

from ..errors import NeuroamError
from ..store.provenance import now_iso
from ..store.record import RunRecord, record_from_result
from .build import build_inputs, derive_seed
from .grid import RunPoint

__all__ = ["run_one", "InputCache"]


class InputCache:
    """Keeps the last built ``(patterns, model, cues)``: consecutive runs of one grid
    point and seed (every implementation) share them instead of rebuilding."""

    def __init__(self):
        self._key: str | None = None
        self._value = None

    def get(self, scenario, seed: int):
        data = {k: v for k, v in scenario.data.items() if k not in ("implementations", "save")}
        key = json.dumps([data, seed], sort_keys=True, default=str)
        if key != self._key:
            self._value, self._key = None, None
            self._value = build_inputs(scenario, seed)
            self._key = key
        return self._value


def _failed(run: RunPoint, message: str, wall: float) -> RunRecord:
    return RunRecord(run_id=run.run_id, label=run.label, implementation=run.implementation,
                     point_id=run.point_id, seed=run.seed, params=run.params, variables={},
                     summary={}, attrs={}, wall_time=wall, error=message, pid=os.getpid(),
                     finished=now_iso())


def run_one(scenario, run: RunPoint, cache: InputCache | None = None) -> RunRecord:
    """Execute one run. Failures are returned as a record with ``error`` set, not raised:
    a NeuroamError keeps its message, anything else keeps its traceback."""
    from .. import implementations, metrics

    start = time.perf_counter()
    try:
        point = scenario.at(run)
        cfg = point.implementations[run.label]
        patterns, model, cues = (cache or InputCache()).get(point, run.seed)
        model = cfg.model(model)  # the label's own [implementations.LABEL.model], if any
        impl = implementations.get(cfg.name)
        start = time.perf_counter()
        result = impl.recall(model, patterns, cues, cfg.settings,
                             seed=derive_seed(run.seed, "recall"))
        wall = time.perf_counter() - start
        save = point.spec.save
        outcomes = metrics.outcomes(result, patterns, threshold=save.threshold)
        summary = {k: float(v) for k, v in
                   metrics.summarize(result, patterns, threshold=save.threshold).items()}
        for key in ("energy_per_recall_J", "latency_per_recall_s"):  # cost estimates
            if isinstance(result.attrs.get(key), (int, float)):
                summary[key] = float(result.attrs[key])
        variables = record_from_result(result, patterns, outcomes, keep_states=save.states,
                                       decimate=save.decimate)
    except NeuroamError as exc:
        return _failed(run, f"{type(exc).__name__}: {exc}", time.perf_counter() - start)
    except ImportError as exc:  # an implementation whose package is not installed here
        missing = getattr(exc, "name", None) or str(exc)
        return _failed(run, f"not installed: the {run.implementation!r} implementation needs "
                       f"the package {missing!r}, which cannot be imported on this machine "
                       f"({exc}). Install it (pip install {missing.split('.')[0]}) in the "
                       "environment that runs the study, or remove that implementation.",
                       time.perf_counter() - start)
    except Exception as exc:  # noqa: BLE001 - a bug in an implementation: keep the traceback
        tb = "".join(traceback.format_exception(exc))
        return _failed(run, f"unexpected {type(exc).__name__}: {exc}\n{tb}",
                       time.perf_counter() - start)
    attrs = {k: v for k, v in result.attrs.items() if v is not None}
    attrs["settings"] = cfg.settings.model_dump(mode="json")
    return RunRecord(run_id=run.run_id, label=run.label, implementation=run.implementation,
                     point_id=run.point_id, seed=run.seed, params=run.params,
                     variables=variables, summary=summary, attrs=attrs, wall_time=wall,
                     pid=os.getpid(), finished=now_iso())
