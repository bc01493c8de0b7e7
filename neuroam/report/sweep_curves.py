"""Retrieval vs a swept parameter: mean over seeds with a ± 1 std band, one line per
implementation and per value of the other swept keys."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..store.record import RunRecord
from ..scenario.grid import format_value
from .figures import COLORS, new_figure, save
from .tables import axis_label, sizes, swept_keys

__all__ = ["plot_sweep", "x_key"]

_PANELS = (("accuracy", "retrieved fraction"), ("mean_final_overlap", "final overlap"))


def _numeric(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def x_key(records: Sequence[RunRecord]) -> str | None:
    """The numeric swept key with the most distinct values (``patterns.K`` first)."""
    best, n_best = None, 1
    for key in swept_keys(records):
        values = [r.params[key] for r in records if key in r.params]
        if values and all(_numeric(v) for v in values):
            values = set(values)
            n = len(values) + (0.5 if key == "patterns.K" else 0)
            if n > n_best:
                best, n_best = key, n
    return best


def plot_sweep(records: Sequence[RunRecord], path_for, *, hopfield: bool = False
               ) -> Path | None:
    """``path_for(key)`` gives the PNG path for the x key. None when nothing numeric is
    swept. ``hopfield`` marks the classical capacity K/D ≈ 0.138 when K is swept."""
    ok = [r for r in records if r.ok]
    key = x_key(ok)
    if key is None:
        return None
    lines: dict[str, dict[float, list[RunRecord]]] = {}
    for r in ok:
        if key not in r.params:
            continue
        rest = {k: v for k, v in r.params.items() if k != key}
        name = " ".join([r.label, *(format_value(v) for v in rest.values())])
        lines.setdefault(name, {}).setdefault(float(r.params[key]), []).append(r)
    panels = [p for p in _PANELS if any(p[0] in r.summary for r in ok)]
    if not panels or not lines:
        return None
    fig = new_figure(4.2 * len(panels) + 1.8, 3.6)
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    spread = False
    for ax, (field, title) in zip(axes, panels):
        for i, (name, pts) in enumerate(lines.items()):
            xs = np.array(sorted(pts))
            vals = [np.array([r.summary.get(field, np.nan) for r in pts[x]]) for x in xs]
            mean = np.array([np.nanmean(v) if np.isfinite(v).any() else np.nan for v in vals])
            std = np.array([np.nanstd(v) if np.isfinite(v).any() else np.nan for v in vals])
            color = COLORS[i % len(COLORS)]
            ax.plot(xs, mean, "o-", ms=3, color=color, label=name)
            chips = _chip_bands(pts, xs, field)
            if chips is None:
                ax.fill_between(xs, mean - std, mean + std, color=color, alpha=0.2, lw=0)
            else:  # the spread across chips: 5-95 % light, 25-75 % dark
                for (lo, hi), alpha in zip(chips, (0.15, 0.3)):
                    ax.fill_between(xs, lo, hi, color=color, alpha=alpha, lw=0)
                spread = True
        _x_scale(ax, [x for pts in lines.values() for x in pts])
        ax.set_xlabel(axis_label(key, ok[0].implementation if len(
            {r.implementation for r in ok}) == 1 else None))
        ax.set_ylabel(title)
        ax.set_ylim(-0.05 if field == "accuracy" else None, 1.05)
        _alpha_axis(ax, key, ok, hopfield)
    seeds = sorted({r.seed for r in ok})
    what = (f"mean over {len(seeds)} seed(s); bands: 5–95 % and 25–75 % of chips" if spread
            else f"mean ± std over {len(seeds)} seed(s)")
    fig.suptitle(f"Retrieval vs {key} ({what})", fontsize=10)
    axes[-1].legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return save(fig, path_for(key))


_CHIP_FIELDS = {"accuracy": "accuracy_chip_p", "mean_final_overlap": "overlap_chip_p"}


def _chip_bands(pts: dict[float, list[RunRecord]], xs: np.ndarray, field: str):
    """``[(p05, p95), (p25, p75)]`` arrays over ``xs`` of the spread across chips (mean
    over seeds of each run's percentiles), or None when the runs have no chips."""
    prefix = _CHIP_FIELDS.get(field)
    if prefix is None or not all(f"{prefix}05" in r.summary for x in xs for r in pts[x]):
        return None

    def mean_of(q: int) -> np.ndarray:
        return np.array([np.nanmean([r.summary[f"{prefix}{q:02d}"] for r in pts[x]])
                         for x in xs])

    return [(mean_of(5), mean_of(95)), (mean_of(25), mean_of(75))]


def _x_scale(ax, xs: list[float]) -> None:
    """Log axis when the swept values span more than a decade (base 2 for powers of 2)."""
    xs = np.asarray(xs, dtype=float)
    if xs.size and np.all(xs > 0) and xs.max() / xs.min() >= 16:
        pow2 = np.allclose(np.log2(xs), np.round(np.log2(xs)))
        ax.set_xscale("log", base=2 if pow2 else 10)


def _alpha_axis(ax, key: str, records: Sequence[RunRecord], hopfield: bool) -> None:
    """A top axis with the load α = K/D when K is swept at a fixed D (and a line at the
    Hopfield capacity α ≈ 0.138 when ``hopfield``)."""
    if key != "patterns.K":
        return
    Ds = {sizes(r)[1] for r in records} - {None}
    if len(Ds) != 1:
        return
    D = float(Ds.pop())
    top = ax.secondary_xaxis("top", functions=(lambda k: k / D, lambda a: a * D))
    top.set_xlabel(f"K/D (D = {int(D)})", fontsize=8)
    if hopfield:
        ax.axvline(0.138 * D, color="0.4", ls="--", lw=0.9)
        ax.text(0.138 * D, 0.02, " K/D = 0.138", color="0.3", fontsize=7,
                transform=ax.get_xaxis_transform())


