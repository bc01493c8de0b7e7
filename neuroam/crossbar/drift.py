"""Conductance drift, accumulated 1/f noise and per-read noise (aihwkit's PCM statistics).

Times: ``t`` is the time since programming finished (s); the drift law is referred to
t0 (the first read after programming), g(t) = g_prog·((t + t0)/t0)^(−ν).
"""

from __future__ import annotations

import numpy as np

from .device import Device

__all__ = ["drift_exponents", "drift", "read_sigma_rel", "accumulated_noise", "compensation"]


def _clipped_log_fit(g: np.ndarray, device: Device, coeffs) -> np.ndarray:
    slope, offset, lo, hi = coeffs
    x = np.log(np.maximum(np.abs(g) / device.g_max, 1e-7))
    return np.clip(slope * x + offset, lo, hi)


def drift_exponents(g_target: np.ndarray, device: Device, rng: np.random.Generator) -> np.ndarray:
    """ν per device, ~ |N(μ_ν(g), σ_ν(g))| with the state-dependent fits of the card."""
    if not device.drifts:
        return np.zeros_like(g_target)
    mu = _clipped_log_fit(g_target, device, device.drift_nu_mean)
    sd = _clipped_log_fit(g_target, device, device.drift_nu_std)
    return np.abs(mu + sd * rng.standard_normal(g_target.shape))


def drift(g: np.ndarray, nu: np.ndarray, t: float, device: Device) -> np.ndarray:
    """g·((t + t0)/t0)^(−ν): the power law, t ≥ 0 seconds after programming."""
    if t <= 0:
        return g
    return g * ((t + device.drift_t0) / device.drift_t0) ** (-nu)


def read_sigma_rel(g: np.ndarray, device: Device) -> np.ndarray:
    """Relative σ of one read: min(q·(g/g_max)^(−a), q_max) (dimensionless)."""
    if device.read_noise_q == 0:
        return np.zeros_like(g)
    x = np.maximum(np.abs(g) / device.g_max, 1e-3)
    return np.minimum(device.read_noise_q * x ** (-device.read_noise_exponent),
                      device.read_noise_max)


def accumulated_noise(g: np.ndarray, g_prog: np.ndarray, t: float, device: Device,
                      rng: np.random.Generator) -> np.ndarray:
    """Add the 1/f noise accumulated since programming, once per chip (aihwkit's form):
    g + |g|·σ_read(g_prog)·√ln((t + t0 + t_r)/(2 t_r))·z, clipped at 0."""
    tr = device.read_noise_t_read
    if tr <= 0 or device.read_noise_q == 0:
        return g
    tt = t + device.drift_t0
    factor = np.sqrt(np.log((tt + tr) / (2.0 * tr)))
    sig = read_sigma_rel(g_prog, device) * factor
    return np.maximum(g + np.abs(g) * sig * rng.standard_normal(g.shape), 0.0)


def compensation(w_programmed: np.ndarray, w_now: np.ndarray) -> np.ndarray:
    """Global drift compensation (aihwkit's GlobalDriftCompensation): the ratio of the
    mean |output| of one-hot reads right after programming to the same now, per draw.

    ``w_*``: ``(draw, n_in, n_out)`` read-back weights (one-hot reads give the rows).
    """
    ref = np.mean(np.abs(w_programmed), axis=(-2, -1))
    now = np.maximum(np.mean(np.abs(w_now), axis=(-2, -1)), 1e-30)
    return np.where(ref > 0, ref / now, 1.0)
