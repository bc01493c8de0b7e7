"""Outcome fractions (target / other / spurious / not converged / non-finite), stacked."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..store.layout import OUTCOME_FLAGS
from ..store.record import RunRecord
from ..scenario.grid import format_value
from .figures import new_figure, save

__all__ = ["plot_outcomes", "outcome_fractions"]

_NAMES = OUTCOME_FLAGS.split()
_MAX_TICKS = 24
_COLORS = ["#2ca02c", "#1f77b4", "#ff7f0e", "#9467bd", "#d62728"]


_FIELDS = ("accuracy", "other_fraction", "spurious_fraction", "not_converged_fraction",
           "non_finite_fraction")  # summary fields, in the order of the outcome codes


def outcome_fractions(runs: Sequence[RunRecord]) -> np.ndarray:
    """``(5,)`` fraction of trials per outcome code, pooled over ``runs`` (from their
    summaries, weighted by their trial counts)."""
    n = np.array([r.summary.get("n_trials", 0.0) for r in runs], dtype=float)
    fr = np.array([[r.summary.get(f, 0.0) for f in _FIELDS] for r in runs], dtype=float)
    return (n[:, None] * np.nan_to_num(fr)).sum(0) / max(1.0, n.sum())


def plot_outcomes(records: Sequence[RunRecord], path: Path) -> Path | None:
    """One panel per implementation, one bar per grid point (seeds pooled)."""
    groups: dict[str, dict[str, list[RunRecord]]] = {}
    for r in records:
        if r.ok and "accuracy" in r.summary:
            key = " ".join(format_value(v) for v in r.params.values()) or r.label
            groups.setdefault(r.label, {}).setdefault(key, []).append(r)
    if not groups:
        return None
    single = all(len(points) == 1 for points in groups.values())
    if single:  # no sweep: one panel, one bar per implementation
        groups = {"": {label: next(iter(points.values())) for label, points in groups.items()}}
    n = len(groups)
    width = max(4.0, min(16.0, sum(0.5 * len(p) + 1.2 for p in groups.values())))
    fig = new_figure(width, 3.4)
    axes = fig.subplots(1, n, squeeze=False)[0]
    for ax, (label, points) in zip(axes, groups.items()):
        names = list(points)
        fr = np.array([outcome_fractions(points[k]) for k in names])
        bottom = np.zeros(len(names))
        for i, outcome in enumerate(_NAMES):
            ax.bar(range(len(names)), fr[:, i], bottom=bottom, color=_COLORS[i],
                   label=outcome.replace("_", " "))
            bottom += fr[:, i]
        every = max(1, -(-len(names) // _MAX_TICKS))  # at most _MAX_TICKS labels
        ax.set_xticks(range(0, len(names), every), names[::every],
                      rotation=45 if len(names) > 3 else 0,
                      ha="right" if len(names) > 3 else "center", fontsize=7)
        ax.set_ylim(0, 1)
        ax.set_title(label, fontsize=9)
    axes[0].set_ylabel("fraction of trials")
    axes[-1].legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    fig.suptitle("Recall outcomes", fontsize=10)
    return save(fig, path)


