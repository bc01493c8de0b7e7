"""The memristor technology (device cards of kind ``"memristor"``): aihwkit's statistics.

Every number is in SI units (siemens, seconds) or dimensionless. The statistical model
is the one aihwkit fits to PCM (Nandakumar et al. 2019) and generalises to other
technologies by its coefficients:

- conductance window ``[g_min, g_max]`` (S); ``levels`` programmable levels (0: analog);
- programming noise σ_prog(g) = c0 + c1·(g/g_max) + c2·(g/g_max)² (S), optionally
  reduced by ``write_verify_iterations`` program-and-verify passes
  (:mod:`.programming`);
- read noise: per-read relative σ_read(g) = min(q·(g/g_max)^(−a), q_max); with
  ``read_noise_t_read`` > 0 the 1/f noise accumulated since programming,
  σ_read(g)·√ln((t + t_r)/(2 t_r)), is added once per chip (aihwkit's form; :mod:`.drift`);
- drift g(t) = g_prog·((t + t0)/t0)^(−ν), ν ~ N(μ_ν(g), σ_ν(g)) per device with
  μ_ν = clip(m1·ln(g/g_max) + m0, m_lo, m_hi) and σ_ν likewise (state dependent);
- device-to-device variation of each device's upper conductance bound (relative σ);
- ``stuck_on_fraction``: the share of stuck cells that are stuck at g_max (ON).

The card's schema is :data:`neuroam.cards.tables.MEMRISTOR`. This is one implementation
of the :class:`~.device.DeviceModel` protocol, declared in the ``neuroam.devices``
entry-point group like any other.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from ..cards import Card
from . import drift as _drift
from . import programming as _programming
from .device import DeviceModel

__all__ = ["Memristor", "Device"]


@dataclasses.dataclass(frozen=True)
class Memristor(DeviceModel):
    """A validated memristor card. Conductances in S, times in s."""

    kind = "memristor"

    prog_noise: tuple[float, float, float]
    write_verify_tolerance: float
    read_noise_q: float
    read_noise_exponent: float
    read_noise_max: float
    read_noise_t_read: float
    drift_t0: float
    drift_nu_mean: tuple[float, float, float, float]  # slope, offset, lo, hi
    drift_nu_std: tuple[float, float, float, float]
    d2d_variation: float

    @classmethod
    def from_card(cls, card: Card) -> "Memristor":
        """From a memristor card (checked against its schema when read: SI values, ranges
        and g_min < g_max; see :data:`neuroam.cards.tables.MEMRISTOR`)."""
        v = card.require_kind("memristor").value
        return cls(
            name=card.name, path=card.path, g_min=v("g_min"), g_max=v("g_max"),
            levels=v("levels"), write_verify_iterations=v("write_verify_iterations"),
            stuck_on_fraction=v("stuck_on_fraction"),
            prog_noise=(v("prog_noise_c0"), v("prog_noise_c1"), v("prog_noise_c2")),
            write_verify_tolerance=v("write_verify_tolerance"),
            read_noise_q=v("read_noise_q"),
            read_noise_exponent=v("read_noise_exponent"),
            read_noise_max=v("read_noise_max"),
            read_noise_t_read=v("read_noise_t_read"),
            drift_t0=v("drift_t0"),
            drift_nu_mean=(v("drift_nu_mean_slope"), v("drift_nu_mean_offset"),
                           v("drift_nu_mean_min"), v("drift_nu_mean_max")),
            drift_nu_std=(v("drift_nu_std_slope"), v("drift_nu_std_offset"),
                          v("drift_nu_std_min"), v("drift_nu_std_max")),
            d2d_variation=v("d2d_variation"),
        )

    @property
    def drifts(self) -> bool:
        return self.drift_nu_mean[3] > 0 or self.drift_nu_std[3] > 0

    def tops(self, shape, rng: np.random.Generator) -> np.ndarray:
        return _programming.device_tops(self, shape, rng)

    def program(self, target, rng, *, tops, write_verify):
        return _programming.program(target, self, rng, tops=tops, write_verify=write_verify)

    def drift_state(self, g_target, rng):
        """ν per device (:func:`.drift.drift_exponents`)."""
        return _drift.drift_exponents(g_target, self, rng)

    def drift(self, g, state, t):
        return _drift.drift(g, state, t, self)

    def accumulated_noise(self, g, g_prog, t, rng):
        return _drift.accumulated_noise(g, g_prog, t, self, rng)

    def read_sigma_rel(self, g):
        return _drift.read_sigma_rel(g, self)


#: the name this class had before device technologies were pluggable
Device = Memristor
