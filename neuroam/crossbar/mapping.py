"""Weight ↔ conductance mapping: differential pairs and the offset (reference-column) scheme.

With Δg = g_max − g_min and a weight range [−w_max, w_max]:

- differential: g⁺ = g_min + Δg·max(w, 0)/w_max, g⁻ = g_min + Δg·max(−w, 0)/w_max;
  w = (g⁺ − g⁻)·w_max/Δg. A pair with one stuck device keeps a reduced weight range;
  a zeroed weight has g⁺ = g⁻ = g_min.
- offset: g = g_min + Δg·(w + w_max)/(2 w_max), read against a reference column at
  g_ref = (g_min + g_max)/2; w = (g − g_ref)·2 w_max/Δg. A stuck device fixes the weight.

Device arrays carry the tile layout ``(..., nb, nc, tile_rows, tile_cols)``.
"""

from __future__ import annotations

import numpy as np

from .tiling import TileLayout

__all__ = ["STUCK_OFF", "STUCK_ON", "targets", "readback", "weight_bounds", "weight_per_siemens",
           "affected_weights"]

#: codes of a device fault map (int8): 0 = healthy
STUCK_OFF, STUCK_ON = 1, 2


def weight_per_siemens(mapping: str, g_min: float, g_max: float, w_max: float) -> float:
    """Weight units per siemens of conductance difference."""
    dg = g_max - g_min
    return w_max / dg if mapping == "differential" else 2.0 * w_max / dg


def targets(M: np.ndarray, layout: TileLayout, g_min: float, g_max: float, w_max: float,
            *, stuck: np.ndarray | None = None, g_top: np.ndarray | None = None) -> np.ndarray:
    """Target conductances ``(..., nb, nc, tile_rows, tile_cols)`` (S) of logical weights M.

    ``stuck`` (device fault codes, same shape as the result) makes the programming aware
    of stuck devices: the healthy partner of a differential pair is set so that the pair
    gives the weight as closely as its range allows (used by fault-aware training).
    ``g_top`` are the devices' own upper bounds (device-to-device variation).
    """
    w = np.clip(np.asarray(M, dtype=np.float64) / w_max, -1.0, 1.0)
    T = layout.split(w)
    dg = g_max - g_min
    shape = T.shape[:-1] + (layout.tile_cols,)
    G = np.full(shape, g_min)
    k = layout.per_tile
    if layout.mapping == "differential":
        gp = g_min + dg * np.maximum(T, 0.0)
        gm = g_min + dg * np.maximum(-T, 0.0)
        if stuck is not None:
            top = g_max if g_top is None else g_top
            gs = np.where(stuck == STUCK_ON, top, g_min)
            sp, sm = stuck[..., 0:2 * k:2] != 0, stuck[..., 1:2 * k:2] != 0
            tp = top if np.ndim(top) == 0 else top[..., 0:2 * k:2]
            tm = top if np.ndim(top) == 0 else top[..., 1:2 * k:2]
            # w·Δg = g⁺ − g⁻: solve for the healthy device of the pair, within its range
            gm = np.where(sp & ~sm, np.clip(gs[..., 0:2 * k:2] - dg * T, g_min, tm), gm)
            gp = np.where(sm & ~sp, np.clip(gs[..., 1:2 * k:2] + dg * T, g_min, tp), gp)
        G[..., 0:2 * k:2] = gp
        G[..., 1:2 * k:2] = gm
    else:
        G[..., :k] = g_min + dg * (T + 1.0) / 2.0
        G[..., k] = g_min + dg / 2.0
    return G


def readback(G: np.ndarray, layout: TileLayout, g_min: float, g_max: float,
             w_max: float) -> np.ndarray:
    """Logical weights ``(..., n_in, n_out)`` that conductances G represent (no wires, no noise)."""
    k = layout.per_tile
    scale = weight_per_siemens(layout.mapping, g_min, g_max, w_max)
    if layout.mapping == "differential":
        d = G[..., 0:2 * k:2] - G[..., 1:2 * k:2]
    else:
        d = G[..., :k] - G[..., k:k + 1]
    return layout.join(d * scale)


def weight_bounds(stuck: np.ndarray, layout: TileLayout, g_min: float, g_max: float,
                  w_max: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Per-weight range ``(lower, upper)`` ``(..., n_in, n_out)`` left by stuck devices.

    Healthy weights keep [−w_max, w_max]; a stuck device narrows (differential) or fixes
    (offset) the range. Nominal g_max is assumed for stuck-ON devices.
    """
    dg = g_max - g_min
    gs = np.where(stuck == STUCK_ON, g_max, g_min)
    k = layout.per_tile
    if layout.mapping == "differential":
        sp, sm = stuck[..., 0:2 * k:2] != 0, stuck[..., 1:2 * k:2] != 0
        gp, gm = gs[..., 0:2 * k:2], gs[..., 1:2 * k:2]
        lo = np.where(sp, (gp - g_max) / dg, -1.0)
        hi = np.where(sp, (gp - g_min) / dg, 1.0)
        lo = np.where(sm, np.maximum(lo, (g_min - gm) / dg), lo)
        hi = np.where(sm, np.minimum(hi, (g_max - gm) / dg), hi)
        both = sp & sm
        lo = np.where(both, (gp - gm) / dg, lo)
        hi = np.where(both, (gp - gm) / dg, hi)
    else:
        s = stuck[..., :k] != 0
        fixed = (gs[..., :k] - (g_min + dg / 2.0)) * 2.0 / dg
        lo = np.where(s, fixed, -1.0)
        hi = np.where(s, fixed, 1.0)
    return layout.join(lo) * w_max, layout.join(hi) * w_max


def affected_weights(stuck: np.ndarray, layout: TileLayout) -> np.ndarray:
    """``(..., n_in, n_out)`` True where a weight has at least one stuck device."""
    k = layout.per_tile
    s = stuck != 0
    if layout.mapping == "differential":
        hit = s[..., 0:2 * k:2] | s[..., 1:2 * k:2]
    else:
        hit = s[..., :k] | s[..., k:k + 1]
    return layout.join(hit.astype(np.int8)).astype(bool)
