"""Overlap with the target and energy vs time, one column per implementation."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..store.record import RunRecord
from .figures import COLORS, band, ffill, new_figure, save

__all__ = ["plot_trajectories", "target_overlap"]


def target_overlap(record: RunRecord) -> np.ndarray:
    """``(trial, time)`` overlap of each trial with its cued pattern (trials with a
    target only)."""
    ov = record.variables["overlap"].data
    tgt = np.asarray(record.variables["target"].data).astype(int)
    keep = tgt >= 0
    return ov[np.nonzero(keep)[0], :, tgt[keep]] if keep.any() else np.zeros((0, ov.shape[1]))


def plot_trajectories(records: Sequence[RunRecord], path: Path) -> Path | None:
    """One run per implementation (its first): mean ± 10–90 % band over trials."""
    firsts: dict[str, RunRecord] = {}
    for r in records:
        if r.ok and "overlap" in r.variables:
            firsts.setdefault(r.label, r)
    if not firsts:
        return None
    n = len(firsts)
    has_energy = any("energy" in r.variables for r in firsts.values())
    rows = 2 if has_energy else 1
    fig = new_figure(3.2 * n + 0.6, 2.6 * rows + 0.4)
    axes = np.atleast_2d(fig.subplots(rows, n, squeeze=False))
    for j, (label, r) in enumerate(firsts.items()):
        t = r.variables["time"].data
        unit = r.variables["time"].attrs.get("units", "")
        color = COLORS[j % len(COLORS)]
        ax = axes[0, j]
        band(ax, t, ffill(target_overlap(r)), color, label)
        ov = target_overlap(r)
        low = np.nanmin(ov) if np.isfinite(ov).any() else 0.0
        ax.set_ylim(min(-0.05, float(low) - 0.05), 1.05)
        ax.axhline(1.0, color="0.6", lw=0.6, ls=":")
        point = " ".join(f"{k}={v}" for k, v in r.params.items())
        ax.set_title(f"{label}\n{point} seed={r.seed}".strip(), fontsize=8)
        ax.set_ylabel("overlap with target" if j == 0 else "")
        if rows == 2:
            ax2 = axes[1, j]
            if "energy" in r.variables:
                band(ax2, t, ffill(r.variables["energy"].data), color, label)
            else:
                ax2.text(0.5, 0.5, "no energy", ha="center", transform=ax2.transAxes)
            ax2.set_ylabel("energy" if j == 0 else "")
            ax2.set_xlabel(f"time [{unit}]")
        else:
            ax.set_xlabel(f"time [{unit}]")
    fig.suptitle("Recall trajectories: mean over trials, band = 10–90 % (trials that "
                 "stopped early keep their last value)", fontsize=9)
    return save(fig, path)
