"""Spiking runs in the report: raster plots and overlaps next to the ideal ODE.

Used only when a run stored spike trains (``spike_time``/``spike_neuron``/``spike_count``
in the ragged layout). :func:`spiking_section` returns the extra plots and a markdown
section; it pairs every spiking run with the ``ideal-ode`` run of the same grid point and
seed (same patterns and cues). The agreement of final states is computed for every
hardware implementation alike, in :mod:`.agreement`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..store.record import RunRecord
from .agreement import reference_labels, shared_key
from .figures import COLORS, band, ffill, new_figure, save
from .trajectories import target_overlap

__all__ = ["has_spikes", "plot_raster", "plot_spiking_vs_ideal",
           "spiking_section", "REFERENCE"]

#: the implementation spiking runs are compared with
REFERENCE = "ideal-ode"
_MAX_RASTERS = 8
_UNITS = {"s": 1.0, "ms": 1e-3, "us": 1e-6, "µs": 1e-6}


def has_spikes(record: RunRecord) -> bool:
    return record.ok and "spike_time" in record.variables and "spike_count" in record.variables


def _trial_spikes(record: RunRecord, prefix: str, unit: str, trial: int):
    t = record.variables[f"{prefix}spike_time"].data
    n = record.variables[f"{prefix}spike_{unit}"].data
    c = np.asarray(record.variables[f"{prefix}spike_count"].data, dtype=np.int64)
    start = int(c[:trial].sum())
    return t[start:start + c[trial]], n[start:start + c[trial]]


def _cue_duration(record: RunRecord) -> float | None:
    try:
        rows = json.loads(str(record.attrs.get("parameters", "[]")))
    except json.JSONDecodeError:
        return None
    for name, value, *_ in rows:
        if name == "cue_duration":
            m = re.match(r"^\s*([-+0-9.eE]+)\s*([a-zµ]*)", str(value))
            if m and m.group(2) in _UNITS:
                return float(m.group(1)) * _UNITS[m.group(2)]
    return None


def _point(record: RunRecord) -> str:
    """``hopfield rule=hebbian, K=5``: the grid values of a run, short."""
    from ..scenario.grid import format_value

    return ", ".join(format_value(v) if isinstance(v, dict) else
                     f"{k.split('.')[-1]}={format_value(v)}"
                     for k, v in record.params.items() if not k.startswith("implementations."))


def plot_raster(record: RunRecord, path: Path, n_trials: int = 3) -> Path | None:
    """Feature (and memory) spikes of the first ``n_trials`` trials of one spiking run.

    Feature neurons are sorted by the cued pattern: those that should fire for it on top
    (for ON/OFF pairs: ON neurons of +1 units and OFF neurons of −1 units), so a retrieved
    pattern shows as a filled upper block and a silent lower one.
    """
    if not has_spikes(record):
        return None
    T = len(record.variables["spike_count"].data)
    n = min(n_trials, T)
    if n == 0:
        return None
    dense = "memory_spike_time" in record.variables
    xi = record.variables["patterns"].data
    tgt = np.asarray(record.variables["target"].data, dtype=int)
    outcome = record.variables.get("outcome")
    labels = ["target", "other", "spurious", "not converged", "non-finite"]
    rows = 2 if dense else 1
    fig = new_figure(3.4 * n + 0.5, 2.6 * rows + 0.6)
    axes = np.atleast_2d(fig.subplots(rows, n, squeeze=False, sharex=True))
    cue = _cue_duration(record)
    pairs = "spike_neuron_layout" in record.attrs
    for k in range(n):
        t, i = _trial_spikes(record, "", "neuron", k)
        D = xi.shape[1]
        sign = xi[tgt[k]] if tgt[k] >= 0 else np.ones(D)
        should = np.concatenate([sign > 0, sign < 0]) if pairs else sign > 0
        N = should.size
        order = np.argsort(~should, kind="stable")
        rank = np.empty(N, dtype=int)
        rank[order] = np.arange(N)
        y = N - 1 - rank[i]
        ax = axes[0, k]
        on = should[i]
        ax.scatter(t[on] * 1e3, y[on], s=1.5, c=COLORS[0], lw=0)
        ax.scatter(t[~on] * 1e3, y[~on], s=1.5, c=COLORS[1], lw=0)
        if cue:
            ax.axvspan(0, cue * 1e3, color="0.85", zorder=-1, lw=0)
        oc = labels[int(outcome.data[k])] if outcome is not None else ""
        ax.set_title(f"trial {k}, cue of pattern {tgt[k]} → {oc}", fontsize=8)
        ax.set_ylim(-1, N)
        if k == 0:
            ax.set_ylabel("feature neuron\n(target's active ones on top)")
        if dense:
            mt, mu = _trial_spikes(record, "memory_", "unit", k)
            ax2 = axes[1, k]
            hit = mu == tgt[k]
            ax2.scatter(mt[~hit] * 1e3, mu[~hit], s=3, c="0.3", lw=0)
            ax2.scatter(mt[hit] * 1e3, mu[hit], s=6, c=COLORS[2], lw=0)
            if cue:
                ax2.axvspan(0, cue * 1e3, color="0.85", zorder=-1, lw=0)
            ax2.set_ylim(-1, xi.shape[0])
            if k == 0:
                ax2.set_ylabel("memory neuron\n(target in green)")
            ax2.set_xlabel("time [ms]")
        else:
            ax.set_xlabel("time [ms]")
    fig.suptitle(f"{record.label} {_point(record)} seed={record.seed}: spikes (blue: should "
                 "fire, red: should be silent; grey band: cue)", fontsize=9)
    return save(fig, path)


def _pairs(records: Sequence[RunRecord]) -> list[tuple[RunRecord, RunRecord | None]]:
    """Every spiking run with the run of its ideal reference (the label
    :func:`~.agreement.reference_labels` picks) on the same cues, or None."""
    refs = reference_labels(records)
    by_key = {(r.label, *shared_key(r)): r for r in records if r.ok}
    return [(r, by_key.get((refs.get(r.label), *shared_key(r)))) for r in records
            if has_spikes(r)]


def plot_spiking_vs_ideal(records: Sequence[RunRecord], path: Path) -> Path | None:
    """Overlap with the cued pattern over time: one column per spiking run, its spiking
    trajectory (seconds) above the ideal ODE's on the same cues (units of τ)."""
    seen, pairs = set(), []
    for s, r in _pairs(records):  # one spiking run per grid point and seed
        key = (_point(s), s.seed)
        if key not in seen:
            seen.add(key)
            pairs.append((s, r))
    pairs = pairs[:_MAX_RASTERS]
    if not pairs:
        return None
    n = len(pairs)
    fig = new_figure(2.9 * n + 0.6, 5.0)
    axes = np.atleast_2d(fig.subplots(2, n, squeeze=False))
    for j, (s, r) in enumerate(pairs):
        for row, rec, color in ((0, s, COLORS[1]), (1, r, COLORS[0])):
            ax = axes[row, j]
            if rec is None:
                ax.text(0.5, 0.5, f"no {REFERENCE} run", ha="center", transform=ax.transAxes)
                continue
            t = rec.variables["time"].data
            ov = target_overlap(rec)
            band(ax, t * (1e3 if row == 0 else 1.0), ffill(ov), color, rec.label)
            ax.set_ylim(min(-0.05, float(np.nanmin(ov)) - 0.05) if np.isfinite(ov).any()
                        else -0.05, 1.05)
            ax.axhline(1.0, color="0.6", lw=0.6, ls=":")
            ax.set_xlabel("time [ms]" if row == 0 else "time [τ]")
            if j == 0:
                ax.set_ylabel(f"{'spiking' if row == 0 else REFERENCE}\noverlap with target")
        axes[0, j].set_title(f"{s.label}\n{_point(s)} seed={s.seed}", fontsize=8)
    fig.suptitle("Spiking (top) and ideal ODE (bottom) recall of the same cues: overlap with "
                 "the cued pattern, mean over trials, band = 10–90 %", fontsize=9)
    return save(fig, path)


def _markdown(plots: list[Path]) -> str:
    lines = ["## Spiking mirror", "",
             "Spike rasters of the first trials and overlap trajectories next to the "
             f"{REFERENCE} run on the same cues; the agreement of final states is in "
             "\"Agreement with the ideal model\".", ""]
    for p in plots:
        lines += [f"![{p.stem}]({p.name})", ""]
    return "\n".join(lines)


def spiking_section(records: Sequence[RunRecord], results: Path, out: Path
                    ) -> tuple[list[Path], str]:
    """``(plots, markdown)`` for runs with spike trains; ``([], "")`` when there are none."""
    spiking = [r for r in records if has_spikes(r)]
    if not spiking:
        return [], ""
    plots = [plot_spiking_vs_ideal(records, out / "spiking_vs_ideal.png")]
    for r in spiking[:_MAX_RASTERS]:
        name = f"raster_{r.run_id.replace('/', '_')}.png"
        plots.append(plot_raster(r, out / name))
    plots = [p for p in plots if p is not None]
    return plots, _markdown(plots)
