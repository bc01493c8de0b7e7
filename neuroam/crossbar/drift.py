"""The memristor's conductance drift, accumulated 1/f noise and per-read noise (aihwkit's
PCM statistics; :class:`~.memristor.Memristor`), and global drift compensation (any
technology).

Times: ``t`` is the time since programming finished (s); the drift law is referred to
t0 (the first read after programming), g(t) = g_prog·((t + t0)/t0)^(−ν).

Written with few fresh arrays (in-place steps, in the order of the formulas, so the
results are those of the plain expressions): a chip of 16 tiles of 64×128 devices has
1 MiB arrays, and each fresh one costs page faults (~0.4 ms here) that dominated.
"""

from __future__ import annotations

import numpy as np

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .device import DeviceModel
    from .memristor import Memristor as Device

__all__ = ["drift_exponents", "drift", "read_sigma_rel", "accumulated_noise", "compensation"]


def _log_ratio(g: np.ndarray, g_max: float, floor: float) -> np.ndarray:
    """ln(max(|g|/g_max, floor)), a fresh array."""
    x = np.abs(g)
    x /= g_max
    np.maximum(x, floor, out=x)
    return np.log(x, out=x)


def _clipped_log_fit(log_g: np.ndarray, coeffs, out=None) -> np.ndarray:
    """clip(slope·ln(g/g_max) + offset, lo, hi) from ``log_g`` = ln(g/g_max)."""
    slope, offset, lo, hi = coeffs
    y = np.multiply(log_g, slope, out=out)
    y += offset
    return np.clip(y, lo, hi, out=y)


def drift_exponents(g_target: np.ndarray, device: Device, rng: np.random.Generator) -> np.ndarray:
    """ν per device, ~ |N(μ_ν(g), σ_ν(g))| with the state-dependent fits of the card."""
    if not device.drifts:
        return np.zeros_like(g_target)
    log_g = _log_ratio(g_target, device.g_max, 1e-7)
    mu = _clipped_log_fit(log_g, device.drift_nu_mean)
    sd = _clipped_log_fit(log_g, device.drift_nu_std, out=log_g)
    z = rng.standard_normal(g_target.shape)
    z *= sd
    z += mu
    return np.abs(z, out=z)


def drift(g: np.ndarray, nu: np.ndarray, t: float, device: Device) -> np.ndarray:
    """g·((t + t0)/t0)^(−ν): the power law, t ≥ 0 seconds after programming."""
    if t <= 0:
        return g
    y = np.multiply(nu, -np.log((t + device.drift_t0) / device.drift_t0))
    np.exp(y, out=y)
    y *= g
    return y


def read_sigma_rel(g: np.ndarray, device: Device) -> np.ndarray:
    """Relative σ of one read: min(q·(g/g_max)^(−a), q_max) (dimensionless)."""
    if device.read_noise_q == 0:
        return np.zeros_like(g)
    # exp(−a·ln x) rather than x**(−a): NumPy's power is several times slower
    y = _log_ratio(g, device.g_max, 1e-3)
    y *= -device.read_noise_exponent
    np.exp(y, out=y)
    y *= device.read_noise_q
    return np.minimum(y, device.read_noise_max, out=y)


def accumulated_noise(g: np.ndarray, g_prog: np.ndarray, t: float, device: Device,
                      rng: np.random.Generator) -> np.ndarray:
    """Add the 1/f noise accumulated since programming, once per chip (aihwkit's form):
    g + |g|·σ_read(g_prog)·√ln((t + t0 + t_r)/(2 t_r))·z, clipped at 0."""
    tr = device.read_noise_t_read
    if tr <= 0 or device.read_noise_q == 0:
        return g
    tt = t + device.drift_t0
    factor = np.sqrt(np.log((tt + tr) / (2.0 * tr)))
    sig = read_sigma_rel(g_prog, device)
    sig *= factor
    y = np.abs(g)
    y *= sig
    y *= rng.standard_normal(g.shape)
    y += g
    return np.maximum(y, 0.0, out=y)


def compensation(w_programmed: np.ndarray, w_now: np.ndarray) -> np.ndarray:
    """Global drift compensation (aihwkit's GlobalDriftCompensation): the ratio of the
    mean |output| of one-hot reads right after programming to the same now, per draw.

    ``w_*``: ``(draw, n_in, n_out)`` read-back weights (one-hot reads give the rows).
    """
    ref = np.mean(np.abs(w_programmed), axis=(-2, -1))
    now = np.maximum(np.mean(np.abs(w_now), axis=(-2, -1)), 1e-30)
    return np.where(ref > 0, ref / now, 1.0)
