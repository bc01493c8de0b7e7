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


def _int(card: Card, key: str, lo: int, hi: int | None = None) -> int:
    v = card.check_range(key, lo, hi)
    if v != int(v):
        raise CardError(f"{key} = {card.value(key)!r} in the memristor card {card.name!r} "
                        f"({card.path})", "an integer", f"Fix params.{key}.value in the card.")
    return int(v)


def device_from_card(card: Card) -> Device:
    """Validate a memristor card and turn it into a :class:`Device`."""
    card.require_kind("memristor")
    g_min = card.check_range("g_min", 0.0)
    g_max = card.check_range("g_max", 0.0, lo_open=True)
    if not g_min < g_max:
        raise CardError(f"g_min = {g_min:g} S ≥ g_max = {g_max:g} S in the memristor card "
                        f"{card.name!r} ({card.path})", "0 ≤ g_min < g_max (siemens)",
                        "Fix params.g_min or params.g_max in the card.")
    levels = _int(card, "levels", 0)
    if levels == 1:
        raise CardError(f"levels = 1 in the memristor card {card.name!r} ({card.path})",
                        "0 (analog) or an integer ≥ 2", "Fix params.levels in the card.")
    rng = lambda k, lo=None, hi=None, **kw: card.check_range(k, lo, hi, **kw)  # noqa: E731
    return Device(
        name=card.name, path=card.path, g_min=g_min, g_max=g_max, levels=levels,
        prog_noise=(rng("prog_noise_c0"), rng("prog_noise_c1"), rng("prog_noise_c2")),
        write_verify_iterations=_int(card, "write_verify_iterations", 0, 100),
        write_verify_tolerance=rng("write_verify_tolerance", 0.0, 1.0),
        read_noise_q=rng("read_noise_q", 0.0, 1.0),
        read_noise_exponent=rng("read_noise_exponent", 0.0, 5.0),
        read_noise_max=rng("read_noise_max", 0.0, 1.0),
        read_noise_t_read=rng("read_noise_t_read", 0.0),
        drift_t0=rng("drift_t0", 0.0, lo_open=True),
        drift_nu_mean=(rng("drift_nu_mean_slope"), rng("drift_nu_mean_offset"),
                       rng("drift_nu_mean_min", 0.0, 1.0), rng("drift_nu_mean_max", 0.0, 1.0)),
        drift_nu_std=(rng("drift_nu_std_slope"), rng("drift_nu_std_offset"),
                      rng("drift_nu_std_min", 0.0, 1.0), rng("drift_nu_std_max", 0.0, 1.0)),
        d2d_variation=rng("d2d_variation", 0.0, 1.0),
        stuck_on_fraction=rng("stuck_on_fraction", 0.0, 1.0),
    )


def load_device(ref: str | Path) -> Device:
    """A memristor device card by name (``devices/<name>.toml``) or path."""
    return device_from_card(load_card(ref, folder="device"))
