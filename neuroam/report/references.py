"""Published and theoretical values beside the measured ones (the ``[[reference]]`` tables).

Each reference names a label, a summary field and a grid point (or a crossing along a
swept axis). Ours is the mean of that field over the seeds of the matching runs; with
``crossing``, the mean over seeds is taken at every axis value first, and ours is where
that curve crosses the level (linear interpolation between the two grid points around
the crossing, in log(axis) when ``log = true``), times ``scale``.
"""

from __future__ import annotations

import dataclasses
import json
import tomllib
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..scenario.spec import ReferenceSpec
from ..store.record import RunRecord
from .tables import short_keys

__all__ = ["ReferenceRow", "reference_rows", "references_section", "read_references"]


@dataclasses.dataclass(frozen=True)
class ReferenceRow:
    """One ``[[reference]]`` with what the runs gave.

    Attributes:
        ref: the reference as written.
        label: the implementation label compared.
        ours: the measured value (NaN when no run matched or the curve never crossed).
        n_runs: the runs that entered ``ours``.
        status: ``"reproduced"``, ``"outside"``, ``"not run"`` or ``"no crossing"``.
    """

    ref: ReferenceSpec
    label: str | None
    ours: float
    n_runs: int
    status: str

    @property
    def difference(self) -> float:
        return self.ours - self.ref.value


def read_references(scenario_text: str) -> list[ReferenceSpec]:
    """The ``[[reference]]`` tables of a scenario's TOML text (as stored in results.h5)."""
    try:
        data = tomllib.loads(scenario_text)
    except tomllib.TOMLDecodeError:
        return []
    refs = data.get("reference", [])
    return [ReferenceSpec.model_validate(r) for r in refs] if isinstance(refs, list) else []


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) \
            and not isinstance(a, bool) and not isinstance(b, bool):
        return bool(np.isclose(float(a), float(b), rtol=1e-12, atol=0.0))
    return json.dumps(a, sort_keys=True, default=str) == json.dumps(b, sort_keys=True, default=str)


def _matching(records: Sequence[RunRecord], label: str | None, at: dict) -> list[RunRecord]:
    return [r for r in records if r.ok and (label is None or r.label == label)
            and all(k in r.params and _same(r.params[k], v) for k, v in at.items())]


def _mean(runs: Sequence[RunRecord], metric: str) -> float:
    vals = np.array([r.summary.get(metric, np.nan) for r in runs], dtype=float)
    vals = vals[np.isfinite(vals)]
    return float(vals.mean()) if vals.size else float("nan")


def _crossing(runs: Sequence[RunRecord], ref: ReferenceSpec) -> float:
    c = ref.crossing
    by_x: dict[float, list[RunRecord]] = {}
    for r in runs:
        x = r.params.get(c.axis)
        if isinstance(x, (int, float)) and not isinstance(x, bool):
            by_x.setdefault(float(x), []).append(r)
    xs = np.array(sorted(by_x))
    ys = np.array([_mean(by_x[x], ref.metric) for x in xs])
    keep = np.isfinite(ys)
    xs, ys = xs[keep], ys[keep]
    u = np.log(xs) if c.log else xs
    sign = 1.0 if c.direction == "falling" else -1.0
    above = sign * (ys - c.level) >= 0
    for i in range(1, len(xs)):
        if above[i - 1] and not above[i]:
            y0, y1 = ys[i - 1], ys[i]
            t = (y0 - c.level) / (y0 - y1)
            u_c = u[i - 1] + t * (u[i] - u[i - 1])
            return float((np.exp(u_c) if c.log else u_c) * c.scale)
    return float("nan")


def reference_rows(references: Sequence[ReferenceSpec],
                   records: Sequence[RunRecord]) -> list[ReferenceRow]:
    """Each reference with its measured value and verdict."""
    labels = sorted({r.label for r in records})
    rows = []
    for ref in references:
        label = ref.label if ref.label is not None else (labels[0] if len(labels) == 1 else None)
        runs = _matching(records, label, ref.at)
        if ref.crossing is not None:
            ours = _crossing(runs, ref) if runs else float("nan")
        else:
            ours = _mean(runs, ref.metric) if runs else float("nan")
        if not runs:
            status = "not run"
        elif not np.isfinite(ours):
            status = "no crossing" if ref.crossing is not None else "not run"
        else:
            if ref.tolerance is not None:
                ok = abs(ours - ref.value) <= ref.tolerance * (1 + 1e-9)
            else:
                ok = abs(ours / ref.value - 1.0) <= ref.rel_tolerance * (1 + 1e-9)
            status = "reproduced" if ok else "outside"
        rows.append(ReferenceRow(ref, label, ours, len(runs), status))
    return rows


def _where(ref: ReferenceSpec) -> str:
    keys = list(ref.at)
    parts = [f"{k}={json.dumps(v, default=str) if isinstance(v, (dict, list)) else v}"
             for k, v in zip(short_keys(keys), ref.at.values())]
    if ref.crossing is not None:
        c = ref.crossing
        scale = "" if c.scale == 1 else f" × {c.scale:g}"
        parts.append(f"where it {'drops below' if c.direction == 'falling' else 'rises above'}"
                     f" {c.level:g} along {short_keys([c.axis])[0]}{scale}")
    return ", ".join(parts) or "all points"


def _tol(ref: ReferenceSpec) -> str:
    return f"± {ref.tolerance:g}" if ref.tolerance is not None else f"± {100 * ref.rel_tolerance:g} %"


def references_section(references: Sequence[ReferenceSpec], records: Sequence[RunRecord]) -> str:
    """The report's "Published and theoretical values" section ('' without references)."""
    if not references:
        return ""
    rows = reference_rows(references, records)
    n_ok = sum(r.status == "reproduced" for r in rows)
    lines = ["## Published and theoretical values beside ours", "",
             f"{n_ok} of {len(rows)} values reproduced within their stated tolerance. "
             "Ours is the mean over seeds at the named grid point (for a crossing: where the "
             "seed-averaged curve crosses the level, interpolated between grid points).", "",
             "| label | metric | at | published / theory | ours | tolerance | verdict | source |",
             "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for r in rows:
        ours = f"{r.ours:.4g}" if np.isfinite(r.ours) else "–"
        lines.append(f"| {r.label or '?'} | {r.ref.metric} | {_where(r.ref)} | {r.ref.value:.4g} "
                     f"| {ours} | {_tol(r.ref)} | {r.status} | {r.ref.source} |")
    notes = list(dict.fromkeys(f"- {r.ref.source}: {r.ref.note}" for r in rows if r.ref.note))
    if notes:
        lines += ["", "What differs from the published protocol:", "", *notes]
    return "\n".join(lines) + "\n"
