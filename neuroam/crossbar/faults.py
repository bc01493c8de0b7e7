"""Fault injection: which cells are faulty, with five spatial models.

- ``independent``: exactly round(p·N) cells of the grid, chosen uniformly at random;
- ``bernoulli``: each cell faulty with probability p, independently (the count varies
  from draw to draw: He et al. 2025's Bernoulli(p) mask);
- ``bernoulli-symmetric``: as ``bernoulli`` on the upper triangle of a square grid,
  mirrored, so that a faulty weight W_ij has a faulty W_ji (the diagonal draws alone);
- ``lines``: whole broken rows and columns (word and bit lines); each line is broken so
  that the faulty fraction 1 − (1 − r/R)(1 − c/C) ≈ p, with r = round(q R), c = round(q C)
  and q = 1 − √(1 − p); every cell of a broken line shares one stuck state;
- ``clustered``: white noise smoothed by a Gaussian of ``cluster_size`` cells, the
  round(p·N) highest cells are faulty (blobs whose size is set by ``cluster_size``).

Two fault kinds use these grids. The zeroed-weight abstraction of He et al. (2025)
marks logical weights (grid ``(n_in, n_out)``) and sets them to zero. Physical stuck-at
faults mark devices (each tile's ``(tile_rows, tile_cols)`` grid), stuck at g_max (ON)
with probability ``stuck_on_fraction``, else at g_min (OFF).
"""

from __future__ import annotations

import numpy as np
from scipy.ndimage import gaussian_filter

from ..errors import ValueRangeError
from .mapping import STUCK_OFF, STUCK_ON

__all__ = ["FAULT_MODELS", "fault_grid", "stuck_codes"]

FAULT_MODELS = ("independent", "bernoulli", "bernoulli-symmetric", "lines", "clustered")


def _check(rate: float, model: str, cluster_size: float) -> None:
    if not (0.0 <= rate <= 1.0):
        raise ValueRangeError(f"fault_rate = {rate!r}", "a fraction in [0, 1]",
                              "Give the fraction of faulty cells, e.g. 0.1.")
    if model not in FAULT_MODELS:
        raise ValueRangeError(f"fault_model = {model!r}", f"one of {list(FAULT_MODELS)}",
                              "Pick a spatial fault model.")
    if not cluster_size > 0:
        raise ValueRangeError(f"cluster_size = {cluster_size!r}", "a positive number of cells",
                              "Give the cluster radius in cells, e.g. 2.")


def _exact(scores: np.ndarray, rate: float) -> np.ndarray:
    """True on the round(rate·N) largest scores of the last two axes."""
    R, C = scores.shape[-2:]
    n = int(np.floor(rate * R * C + 0.5))
    flat = scores.reshape(*scores.shape[:-2], R * C)
    mask = np.zeros(flat.shape, bool)
    if n:
        idx = np.argpartition(-flat, n - 1, axis=-1)[..., :n]
        np.put_along_axis(mask, idx, True, axis=-1)
    return mask.reshape(scores.shape)


def fault_grid(shape: tuple[int, ...], rate: float, model: str, rng: np.random.Generator,
               *, cluster_size: float = 2.0) -> tuple[np.ndarray, np.ndarray]:
    """Faulty cells of grids ``shape = (..., R, C)`` and a per-cell uniform draw in [0, 1).

    The uniform draw decides the stuck state; cells of one broken line share it.
    Returns ``(mask bool, u float)``, both of ``shape``.
    """
    _check(rate, model, cluster_size)
    R, C = shape[-2:]
    u = rng.random(shape)
    if model == "independent":
        return _exact(rng.random(shape), rate), u
    if model == "bernoulli":
        return rng.random(shape) < rate, u
    if model == "bernoulli-symmetric":
        if R != C:
            raise ValueRangeError(f"fault_model = 'bernoulli-symmetric' on a {R}×{C} grid",
                                  "a square grid (zeroed weights of a D×D weight matrix)",
                                  "Use fault_kind = \"zero\" with a Hopfield weight matrix, or "
                                  "fault_model = \"bernoulli\".")
        upper = np.triu(rng.random(shape) < rate)
        return upper | np.swapaxes(np.triu(upper, 1), -1, -2), u
    if model == "clustered":
        noise = rng.standard_normal(shape)
        sigma = [0.0] * (len(shape) - 2) + [cluster_size, cluster_size]
        smooth = gaussian_filter(noise, sigma=sigma, mode="wrap")
        return _exact(smooth + 1e-9 * rng.random(shape), rate), u
    q = 1.0 - np.sqrt(1.0 - rate)
    lead = shape[:-2]
    rows = _exact(rng.random((*lead, R, 1)), min(1.0, round(q * R) / R))
    cols = _exact(rng.random((*lead, 1, C)), min(1.0, round(q * C) / C))
    u_row = np.broadcast_to(rng.random((*lead, R, 1)), shape)
    u_col = np.broadcast_to(rng.random((*lead, 1, C)), shape)
    mask = rows | cols
    u = np.where(rows, u_row, np.where(cols, u_col, u))
    return mask, u


def stuck_codes(shape: tuple[int, ...], rate: float, model: str, stuck_on: float,
                rng: np.random.Generator, *, cluster_size: float = 2.0) -> np.ndarray:
    """int8 device fault codes of ``shape`` (0 healthy, STUCK_OFF, STUCK_ON)."""
    if not (0.0 <= stuck_on <= 1.0):
        raise ValueRangeError(f"stuck_on_fraction = {stuck_on!r}", "a fraction in [0, 1]",
                              "Give the share of stuck cells that are stuck ON.")
    mask, u = fault_grid(shape, rate, model, rng, cluster_size=cluster_size)
    codes = np.where(u < stuck_on, STUCK_ON, STUCK_OFF).astype(np.int8)
    return np.where(mask, codes, 0).astype(np.int8)
