"""Report section: every implementation side by side, each over its own noise sweep.

Shown when a study holds at least two implementations and one of them is not a
reference (``role = "hardware"``).
One table row per label at its base point (the first value of each of its own swept
settings, ``implementations.LABEL.*``, and of the shared axes), averaged over seeds:
accuracy, mean final overlap, spurious fraction, time to converge in the label's own
time unit, energy and latency per recall where the implementation estimates them, and
the range of accuracy over the label's own sweep. One figure with one panel per
label: accuracy (solid) and mean final overlap (dashed) against that label's own
noise axis, on the same y scale; the ideal reference is drawn in every panel.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..implementations.registry import reference_rank, references_first
from ..store.record import RunRecord
from ..scenario.grid import format_value
from .figures import COLORS, new_figure, save
from .tables import Row, axis_label, summary_rows

__all__ = ["compare_section", "own_keys", "plot_noise_panels"]


def own_keys(records: Sequence[RunRecord], label: str) -> list[str]:
    """The swept keys that belong to ``label`` alone (``implementations.LABEL.*``)."""
    prefix = f"implementations.{label}."
    keys: list[str] = []
    for r in records:
        if r.label == label:
            keys += [k for k in r.params if k.startswith(prefix) and k not in keys]
    return keys


def _short(key: str, label: str) -> str:
    return key.removeprefix(f"implementations.{label}.")


def _fmt(x: float, spec: str = ".3g") -> str:
    return "–" if not np.isfinite(x) else format(x, spec)


def _unit(runs: Sequence[RunRecord]) -> str:
    for r in runs:
        t = r.variables.get("time")
        if t is not None:
            return str(t.attrs.get("units", ""))
    return ""


def _labels(records: Sequence[RunRecord]) -> dict[str, list[RunRecord]]:
    out: dict[str, list[RunRecord]] = {}
    for r in records:
        out.setdefault(r.label, []).append(r)
    return out


def _rows(records: Sequence[RunRecord]) -> dict[str, list[Row]]:
    """label -> its summary rows (one per grid point, seeds averaged) that have at least
    one finished run, in point order: the first is the label's base point."""
    out: dict[str, list[Row]] = {}
    for row in summary_rows(records):
        if row.metrics:
            out.setdefault(row.label, []).append(row)
    return out


def _m(row: Row, field: str) -> float:
    return row.metrics.get(field, (float("nan"),))[0]


def _table(records: Sequence[RunRecord]) -> str:
    lines = ["| label | implementation | model | own noise axes | accuracy | overlap | "
             "spurious | t conv. | t settle | energy / recall | latency / recall | wall ms / trial | "
             "accuracy over its sweep |",
             "|" + " --- |" * 13]
    rows = _rows(records)
    for label, runs in _labels(records).items():
        if label not in rows:
            lines.append(f"| `{label}` | {runs[0].implementation} | – | – | all runs failed "
                         "| | | | | | | | |")
            continue
        base = rows[label][0]
        done = [r for r in runs if r.ok and r.params == base.params]
        axes = ", ".join(f"{_short(k, label)} ∈ {{{', '.join(format_value(v) for v in vals)}}}"
                         for k, vals in _axis_values(runs, label).items()) or "–"
        accs = [_m(row, "accuracy") for row in rows[label]]
        spread = f"{min(accs):.3g} – {max(accs):.3g}" if len(accs) > 1 else "–"
        trials = base.n_trials
        wall = 1e3 * sum(r.wall_time for r in done) / trials if trials else float("nan")
        t_conv = _m(base, "mean_converge_time")
        unit = _unit(done)
        t_settle = _m(base, "mean_settle_time")
        energy = _m(base, "energy_per_recall_J")
        latency = _m(base, "latency_per_recall_s")
        model = str(done[0].attrs.get("model", "–")).replace("|", "\\|")
        lines.append(
            f"| `{label}` | {base.implementation} | {model} | {axes} | "
            f"{_fmt(_m(base, 'accuracy'))} | {_fmt(_m(base, 'mean_final_overlap'))} | "
            f"{_fmt(_m(base, 'spurious_fraction'))} | "
            f"{_fmt(t_conv)}{' ' + unit if np.isfinite(t_conv) and unit else ''} | "
            f"{_fmt(t_settle)}{' ' + unit if np.isfinite(t_settle) and unit else ''} | "
            f"{_fmt(energy)}{' J' if np.isfinite(energy) else ''} | "
            f"{_fmt(latency)}{' s' if np.isfinite(latency) else ''} | {_fmt(wall, '.3g')} | "
            f"{spread} |")
    return "\n".join(lines)


def _axis_values(runs: Sequence[RunRecord], label: str) -> dict[str, list]:
    out: dict[str, list] = {}
    for key in own_keys(runs, label):
        vals: list = []
        for r in runs:
            if key in r.params and r.params[key] not in vals:
                vals.append(r.params[key])
        out[key] = vals
    return out


def _reference(rows: dict[str, list[Row]]) -> tuple[str, float] | None:
    """(label, accuracy) of the preferred reference label (:func:`references_first`:
    ideal-ode first) at its base point."""
    refs = references_first({label: mine[0].implementation for label, mine in rows.items()})
    return (refs[0], _m(rows[refs[0]][0], "accuracy")) if refs else None


def plot_noise_panels(records: Sequence[RunRecord], path: Path) -> Path | None:
    """One panel per label with its own swept settings (see module docstring)."""
    rows = _rows(records)
    panels = {label: runs for label, runs in _labels(records).items()
              if own_keys(runs, label) and label in rows}
    if not panels:
        return None
    ref = _reference(rows)
    n = len(panels)
    fig = new_figure(2.9 * n + 0.8, 3.3)
    axes = fig.subplots(1, n, squeeze=False, sharey=True)[0]
    for ax, (label, runs) in zip(axes, panels.items()):
        values = _axis_values(runs, label)
        x_key = max(values, key=lambda k: len(values[k]))  # the longest axis on x
        xs = values[x_key]
        rest = [k for k in values if k != x_key]
        lines: dict[str, dict[int, Row]] = {}
        for row in rows[label]:
            if x_key not in row.params:
                continue
            name = " ".join(f"{_short(k, label)}={format_value(row.params[k])}" for k in rest
                            if k in row.params)
            lines.setdefault(name, {})[xs.index(row.params[x_key])] = row
        for i, (name, pts) in enumerate(lines.items()):
            pos = sorted(pts)
            color = COLORS[i % len(COLORS)]
            ax.plot(pos, [_m(pts[p], "accuracy") for p in pos], "o-", ms=3, color=color,
                    label=name or "accuracy")
            ax.plot(pos, [_m(pts[p], "mean_final_overlap") for p in pos], "s--", ms=2.5,
                    lw=0.9, color=color, alpha=0.7)
        if ref is not None:
            ax.axhline(ref[1], color="0.5", lw=0.8, ls=":")
        ax.set_xticks(range(len(xs)), [format_value(v) for v in xs], fontsize=7,
                      rotation=30 if len(xs) > 3 else 0)
        ax.set_xlabel(axis_label(x_key, runs[0].implementation), fontsize=8)
        ax.set_title(f"{label} ({runs[0].implementation})", fontsize=8)
        ax.set_ylim(-0.05, 1.05)
        if rest:
            ax.legend(fontsize=6, loc="lower left")
    axes[0].set_ylabel("accuracy (solid), final overlap (dashed)", fontsize=8)
    seeds = sorted({r.seed for r in records if r.ok})
    title = ("Each implementation against its own noise (mean over "
             f"{len(seeds)} seed(s))")
    if ref is not None:
        title += f"; dotted: {ref[0]} accuracy"
    fig.suptitle(title, fontsize=9)
    return save(fig, path)


def compare_section(records: Sequence[RunRecord], out: Path) -> tuple[list[Path], str]:
    """``(plots, markdown)``; ``([], "")`` when there is nothing to compare."""
    names = {r.implementation for r in records}
    if len(names) < 2 or all(reference_rank(n) is not None for n in names):
        return [], ""
    plot = plot_noise_panels(records, out / "compare_noise.png")
    parts = ["## Implementations side by side", "",
             "One row per implementation label on the same patterns and cues, at its base "
             "point (the first value of every swept key), mean over seeds. t conv. is the "
             "mean time to a steady state (noisy dynamics never are: their horizon) and t "
             "settle the mean time after which the overlap with the cued pattern stays "
             "within 0.02 of its final value, both in the implementation's own time unit "
             "(τ: neuron time constant or 1/coupling rate; sweep: synchronous update "
             "sweeps; iteration: iterations of the fixed-point update map; s: simulated "
             "seconds). Energy and latency per recall are the estimates from the "
             "device, circuit and processor cards (the run attributes `cost_basis` name "
             "them and their sources). The last column is the range of accuracy over the "
             "label's own swept settings.", "", _table(records), ""]
    plots = [plot] if plot is not None else []
    for p in plots:
        parts += [f"![{p.stem}]({p.name})", ""]
    return plots, "\n".join(parts)
