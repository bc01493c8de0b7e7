"""Shared figure helpers: pyplot-free figures (Agg canvas, no global backend change)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

__all__ = ["new_figure", "save", "ffill", "band", "COLORS"]

COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2",
          "#17becf", "#7f7f7f", "#bcbd22"]


def new_figure(width: float, height: float) -> Figure:
    fig = Figure(figsize=(width, height), dpi=110, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def save(fig: Figure, path: Path) -> Path:
    """Write a PNG atomically (tmp file + rename). zlib level 1: the plots are flat
    colours and lines, a quarter of the encoding time for files ~20 % larger."""
    tmp = path.with_name(path.name + ".tmp.png")
    fig.savefig(tmp, format="png", pil_kwargs={"compress_level": 1})
    tmp.replace(path)
    return path


def ffill(x: np.ndarray) -> np.ndarray:
    """Carry the last finite value forward along axis 1 (trials that stopped early keep
    their final value; samples before the first finite one stay NaN)."""
    x = np.array(x, dtype=float, copy=True)
    if x.ndim != 2 or x.shape[1] == 0:
        return x
    idx = np.where(np.isfinite(x), np.arange(x.shape[1])[None, :], 0)
    np.maximum.accumulate(idx, axis=1, out=idx)
    out = x[np.arange(x.shape[0])[:, None], idx]
    out[~np.isfinite(x) & (idx == 0) & ~np.isfinite(x[:, :1])] = np.nan
    return out


def band(ax, t: np.ndarray, y: np.ndarray, color: str, label: str) -> None:
    """Mean over trials (axis 0) with a 10–90 % percentile band."""
    y = y[np.any(np.isfinite(y), axis=1)] if y.ndim == 2 else y
    if y.size == 0:
        return
    with np.errstate(all="ignore"), _quiet():
        mean = np.nanmean(y, axis=0)
        lo, hi = np.nanpercentile(y, [10, 90], axis=0)
    ax.plot(t, mean, color=color, lw=1.6, label=label)
    ax.fill_between(t, lo, hi, color=color, alpha=0.2, lw=0)


class _quiet:
    def __enter__(self):
        import warnings
        self._w = warnings.catch_warnings()
        self._w.__enter__()
        warnings.simplefilter("ignore", RuntimeWarning)

    def __exit__(self, *exc):
        self._w.__exit__(*exc)
