"""The summary table: runs grouped by implementation and grid point, averaged over seeds."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..store.record import RunRecord
from ..scenario.grid import format_value

__all__ = ["Row", "summary_rows", "table", "METRICS", "COMPACT", "format_cell", "swept_keys"]

#: summary fields shown in tables, in order, with their column titles
METRICS = {
    "accuracy": "accuracy",
    "accuracy_chip_p05": "acc. chips p5",
    "accuracy_chip_p50": "acc. chips p50",
    "accuracy_chip_p95": "acc. chips p95",
    "mean_final_overlap": "overlap",
    "other_fraction": "other",
    "spurious_fraction": "spurious",
    "not_converged_fraction": "not conv.",
    "non_finite_fraction": "non-finite",
    "energy_monotone_fraction": "E monotone",
    "mean_converge_time": "t conv.",
    "mean_settle_time": "t settle",
    "stationary_overlap": "|z| late",
    "energy_per_recall_J": "J/recall",
    "latency_per_recall_s": "s/recall",
}


@dataclasses.dataclass(frozen=True)
class Row:
    """One implementation at one grid point: metric -> (mean, std) over its seeds."""

    label: str
    implementation: str
    params: dict[str, Any]
    seeds: list[int]
    n_trials: int
    K: int | None
    D: int | None
    metrics: dict[str, tuple[float, float]]
    wall_time: float
    errors: list[str]


def swept_keys(records: Sequence[RunRecord]) -> list[str]:
    keys: list[str] = []
    for r in records:
        keys += [k for k in r.params if k not in keys]
    return keys


def sizes(record: RunRecord) -> tuple[int | None, int | None]:
    """``(K, D)`` of a run's stored patterns, from its summary (no array read)."""
    K, D = record.summary.get("n_patterns"), record.summary.get("n_neurons")
    if K is not None and D is not None:
        return int(K), int(D)
    pat = record.variables.get("patterns")  # results written before the summary had them
    return (int(pat.data.shape[0]), int(pat.data.shape[1])) if pat is not None else (None, None)


def summary_rows(records: Sequence[RunRecord]) -> list[Row]:
    """Group ``records`` by (label, params) in first-seen order."""
    groups: dict[tuple[str, str], list[RunRecord]] = {}
    for r in records:
        groups.setdefault((r.label, json.dumps(r.params, sort_keys=True, default=str)),
                          []).append(r)
    rows = []
    for (label, _), runs in groups.items():
        ok = [r for r in runs if r.ok]
        fields = [f for f in METRICS if any(f in r.summary for r in ok)]
        metrics = {}
        for f in fields:
            vals = np.array([r.summary.get(f, np.nan) for r in ok], dtype=float)
            finite = vals[np.isfinite(vals)]
            metrics[f] = ((float(finite.mean()), float(finite.std())) if finite.size
                          else (float("nan"), float("nan")))
        K, D = sizes(ok[0]) if ok else (None, None)
        rows.append(Row(label=label, implementation=runs[0].implementation,
                        params=dict(runs[0].params), seeds=[r.seed for r in runs],
                        n_trials=int(sum(r.summary.get("n_trials", 0) for r in ok)), K=K, D=D,
                        metrics=metrics, wall_time=float(sum(r.wall_time for r in runs)),
                        errors=[r.error.splitlines()[0] for r in runs if not r.ok]))
    return rows


def format_cell(mean: float, std: float, n: int, compact: bool = False) -> str:
    """``0.95`` or ``0.95 ± 0.02`` (over several seeds, when the spread is not zero)."""
    if not np.isfinite(mean):
        return "–"
    text = f"{mean:.3g}"
    if n > 1 and np.isfinite(std) and std > 0:
        text += f"±{std:.1g}" if compact else f" ± {std:.2g}"
    return text


#: the metrics the terminal table shows (report.md shows all of METRICS)
COMPACT = ("accuracy", "mean_final_overlap", "spurious_fraction", "not_converged_fraction",
           "non_finite_fraction")


#: readable names of the scenario keys that studies sweep most
_KEY_NAMES = {
    "patterns.K": "stored patterns K", "patterns.D": "neurons D",
    "cues.rate": "fraction of cue entries corrupted", "cues.trials_per_pattern":
    "cues per pattern", "model.n": "interaction order n", "model.beta": "inverse temperature β",
}


def axis_label(key: str, implementation: str | None = None) -> str:
    """A plot axis name for a swept scenario key: ``implementations.rram.fault_rate`` →
    "fraction of faulty cells (fault_rate)", from the implementation's settings
    description; other keys from a short table, else the key's last part."""
    if key in _KEY_NAMES:
        return _KEY_NAMES[key]
    parts = key.split(".")
    if parts[0] == "implementations" and len(parts) >= 3 and implementation:
        from .. import implementations

        try:
            field = implementations.get(implementation).Settings.model_fields.get(parts[2])
        except Exception:  # noqa: BLE001 - an implementation not installed here: plain key
            field = None
        desc = (getattr(field, "description", None) or "").split(":")[0].split(";")[0]
        desc = desc.split(" (")[0].strip().rstrip(".")
        if desc and len(desc) <= 48:
            return f"{desc} ({'.'.join(parts[2:])})"
    return parts[-1].replace("_", " ")


def short_keys(keys: Sequence[str]) -> list[str]:
    """The shortest dotted suffix of each key that no other key ends with:
    ``implementations.rram.fault_rate`` → ``fault_rate``, unless another key ends in
    ``fault_rate`` too (then ``rram.fault_rate``, and so on)."""
    parts = [k.split(".") for k in keys]
    out = []
    for i, p in enumerate(parts):
        n = 1
        while n < len(p) and any(q[-n:] == p[-n:] for j, q in enumerate(parts) if j != i):
            n += 1
        out.append(".".join(p[-n:]))
    return out


def table(rows: Sequence[Row], compact: bool = False) -> tuple[list[str], list[list[str]]]:
    """Header and text cells shared by the terminal table (``compact``) and report.md."""
    keys: list[str] = []
    for r in rows:
        keys += [k for k in r.params if k not in keys]
    show_alpha = len({(r.K, r.D) for r in rows}) > 1 and all(r.K and r.D for r in rows)
    fields = [f for f in METRICS if any(f in r.metrics for r in rows)
              and (not compact or f in COMPACT)]
    shown = short_keys(keys) if compact else keys
    header = ["implementation", *shown, *(["K/D"] if show_alpha else []), "seeds", "trials",
              *(METRICS[f] for f in fields), "wall s", "status"]
    cells = []
    for r in rows:
        n = len(r.seeds) - len(r.errors)
        line = [r.label, *(format_value(r.params[k]) if k in r.params else "" for k in keys)]
        if show_alpha:
            line.append(f"{r.K / r.D:.3g}")
        line += [str(len(r.seeds)), str(r.n_trials)]
        line += [format_cell(*r.metrics[f], n, compact) if f in r.metrics else "–"
                 for f in fields]
        line += [f"{r.wall_time:.1f}", "ok" if not r.errors else f"{len(r.errors)} failed"]
        cells.append(line)
    return header, cells
