"""A memristor technology, read from a device card of kind ``"memristor"``.

Every number is in SI units (siemens, seconds) or dimensionless. The statistical model
is the one aihwkit fits to PCM (Nandakumar et al. 2019) and generalises to other
technologies by its coefficients:

- conductance window ``[g_min, g_max]`` (S); ``levels`` programmable levels (0: analog);
- programming noise σ_prog(g) = c0 + c1·(g/g_max) + c2·(g/g_max)² (S), optionally
  reduced by ``write_verify_iterations`` program-and-verify passes;
- read noise: per-read relative σ_read(g) = min(q·(g/g_max)^(−a), q_max); with
  ``read_noise_t_read`` > 0 the 1/f noise accumulated since programming,
  σ_read(g)·√ln((t + t_r)/(2 t_r)), is added once per chip (aihwkit's form);
- drift g(t) = g_prog·((t + t0)/t0)^(−ν), ν ~ N(μ_ν(g), σ_ν(g)) per device with
  μ_ν = clip(m1·ln(g/g_max) + m0, m_lo, m_hi) and σ_ν likewise (state dependent);
- device-to-device variation of each device's upper conductance bound (relative σ);
- ``stuck_on_fraction``: the share of stuck cells that are stuck at g_max (ON).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from ..cards import Card, load_card
from ..errors import CardError

__all__ = ["Device", "load_device", "device_from_card"]


@dataclasses.dataclass(frozen=True)
class Device:
    """A validated memristor card. Conductances in S, times in s."""

    name: str
    path: Path | None
    g_min: float
    g_max: float
    levels: int
    prog_noise: tuple[float, float, float]
    write_verify_iterations: int
    write_verify_tolerance: float
    read_noise_q: float
    read_noise_exponent: float
    read_noise_max: float
    read_noise_t_read: float
    drift_t0: float
    drift_nu_mean: tuple[float, float, float, float]  # slope, offset, lo, hi
    drift_nu_std: tuple[float, float, float, float]
    d2d_variation: float
    stuck_on_fraction: float

    @property
    def on_off(self) -> float:
        return self.g_max / self.g_min if self.g_min > 0 else float("inf")

    @property
    def drifts(self) -> bool:
        return self.drift_nu_mean[3] > 0 or self.drift_nu_std[3] > 0

    def check_levels(self, levels: int) -> int:
        """``levels`` asked for by a user, checked against the card (0 = analog)."""
        where = f"the memristor card {self.name!r} ({self.path})"
        if levels == 1 or levels < 0:
            raise CardError(f"levels = {levels} for {where}",
                            "0 (analog) or an integer ≥ 2",
                            "Ask for at least two conductance levels, or 0 for analog.")
        if self.levels and (levels == 0 or levels > self.levels):
            asked = "analog (0) levels" if levels == 0 else f"levels = {levels}"
            raise CardError(f"{asked} for {where}, which allows params.levels = {self.levels}",
                            f"an integer in [2, {self.levels}]",
                            f"Ask for at most {self.levels} levels or pick a device card that "
                            "allows more.")
        return int(levels)


def device_from_card(card: Card) -> Device:
    """A :class:`Device` from a memristor card (checked against its schema when read:
    SI values, ranges and g_min < g_max; see :data:`neuroam.cards.tables.MEMRISTOR`)."""
    v = card.require_kind("memristor").value
    return Device(
        name=card.name, path=card.path, g_min=v("g_min"), g_max=v("g_max"), levels=v("levels"),
        prog_noise=(v("prog_noise_c0"), v("prog_noise_c1"), v("prog_noise_c2")),
        write_verify_iterations=v("write_verify_iterations"),
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
        stuck_on_fraction=v("stuck_on_fraction"),
    )


def load_device(ref: str | Path) -> Device:
    """A memristor device card by name (``devices/<name>.toml``) or path."""
    return device_from_card(load_card(ref, folder="device", kind="memristor"))
