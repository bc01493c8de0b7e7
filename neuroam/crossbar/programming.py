"""The memristor's programming (:class:`~.memristor.Memristor`): window, levels,
programming noise, write-verify. :func:`quantize` serves every technology.

All functions act on device arrays of any shape (siemens) and use a NumPy generator, so
that one call programs every fault draw at once. Few fresh arrays, as in :mod:`.drift`.
"""

from __future__ import annotations

import numpy as np

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .device import DeviceModel
    from .memristor import Memristor as Device

__all__ = ["device_tops", "quantize", "prog_sigma", "program"]


def device_tops(device: Device, shape, rng: np.random.Generator) -> np.ndarray:
    """Each device's own upper conductance bound (S): g_max·(1 + d2d·z), ≥ g_min."""
    if device.d2d_variation == 0:
        return np.full(shape, device.g_max)
    top = rng.standard_normal(shape)
    top *= device.d2d_variation
    top += 1.0
    top *= device.g_max
    return np.maximum(top, device.g_min + 1e-3 * (device.g_max - device.g_min), out=top)


def quantize(g: np.ndarray, device: "DeviceModel", levels: int) -> np.ndarray:
    """Round targets to ``levels`` evenly spaced conductances in [g_min, g_max] (0: analog)."""
    if levels == 0:
        return g
    dg = device.g_max - device.g_min
    step = dg / (levels - 1)
    return device.g_min + np.clip(np.round((g - device.g_min) / step), 0, levels - 1) * step


def prog_sigma(g: np.ndarray, device: Device) -> np.ndarray:
    """Programming noise σ(g) = c0 + c1 (g/g_max) + c2 (g/g_max)² (S), never negative."""
    c0, c1, c2 = device.prog_noise
    x = g / device.g_max
    quad = np.multiply(x, c2)
    quad *= x
    x *= c1
    x += c0
    x += quad
    return np.maximum(x, 0.0, out=x)


def program(target: np.ndarray, device: Device, rng: np.random.Generator, *,
            tops: np.ndarray, write_verify: int) -> np.ndarray:
    """Programmed conductances (S) for ``target``: one write plus ``write_verify`` passes.

    Each verify pass re-programs the devices whose error exceeds
    ``write_verify_tolerance``·(g_max − g_min); values are clipped to [0, own top].
    """
    target = np.clip(target, device.g_min, tops)
    sigma = prog_sigma(target, device)

    def write():
        g = rng.standard_normal(target.shape)
        g *= sigma
        g += target
        return np.clip(g, 0.0, tops, out=g)

    g = write()
    tol = device.write_verify_tolerance * (device.g_max - device.g_min)
    for _ in range(write_verify):
        redo = np.abs(g - target) > tol
        if not redo.any():
            break
        g = np.where(redo, write(), g)
    return g
