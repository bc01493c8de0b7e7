"""Oscillator hardware: a card's numbers in model units, and one drawn chip.

An oscillator card (``devices/oscillator-*.toml``, ``kind = "oscillator"``) gives

=====================  ======  ============================================================
parameter              unit    meaning
=====================  ======  ============================================================
``frequency``          Hz      centre oscillation frequency f₀
``coupling_rate``      1/s     phase-locking rate of one unit of coupling; τ = 1/rate
``detuning_std``       1       relative spread of natural frequencies σ_f / f₀
``linewidth``          Hz      free-running FWHM linewidth Δf (white phase noise)
``coupling_spread``    1       relative spread of each coupling element
``misalignment``       rad     phase lag α of the coupling function
=====================  ======  ============================================================

and is turned into model units (time in τ = 1/``coupling_rate``):

- detuning σ_ω τ = 2π f₀ (σ_f/f₀) / rate (rad/τ);
- phase diffusion D τ = π Δf / rate (rad²/τ): a Wiener phase with ⟨Δθ²⟩ = 2Dt has a
  Lorentzian line of FWHM Δf = D/π;
- spread and misalignment are used as they are.

A *chip* is one draw of the static non-idealities from a seed: natural frequencies
ω_i = σ_ω g_i and coupling factors (1 + s·g) ≥ 0 on every coupling element (each ξ_i^μ
of the overlap form, each W_ij, symmetric). Every trial of one recall runs on the same
chip, as on one device; the standard normal draws do not depend on σ_ω or s, so a sweep
over them scales one chip.
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import numpy as np

from ..cards import Card, load_card

__all__ = ["Hardware", "Chip", "draw_chip", "CARD_KIND"]

CARD_KIND = "oscillator"


@dataclasses.dataclass(frozen=True)
class Hardware:
    """Non-idealities in model units (time τ = 1/``coupling_rate``).

    Attributes:
        card: the card's name; path: its file.
        frequency: f₀ (Hz); coupling_rate: 1/τ (1/s).
        detuning: σ_ω τ, std of the natural-frequency detuning (rad/τ).
        noise: D τ, phase diffusion constant (rad²/τ): dθ gets √(2D) dW.
        spread: relative std of the coupling elements.
        misalignment: phase lag α of the coupling function (rad).
    """

    card: str
    path: str
    frequency: float
    coupling_rate: float
    detuning: float
    noise: float
    spread: float
    misalignment: float

    @property
    def tau_s(self) -> float:
        """Seconds per model time unit τ."""
        return 1.0 / self.coupling_rate

    @classmethod
    def from_card(cls, ref: str | Path, *, detuning: float | None = None,
                  noise: float | None = None, spread: float | None = None,
                  misalignment: float | None = None) -> "Hardware":
        """Load the card ``ref`` (name or path), check it, apply explicit overrides.

        Raises:
            CardError: unknown card, wrong kind, missing or out-of-range parameter.
        """
        card: Card = load_card(ref, folder="device", kind=CARD_KIND)  # SI, ranges checked
        f0, rate = card.value("frequency"), card.value("coupling_rate")
        rel, lw = card.value("detuning_std"), card.value("linewidth")
        sp, lag = card.value("coupling_spread"), card.value("misalignment")
        return cls(
            card=card.name, path=str(card.path or ""), frequency=f0, coupling_rate=rate,
            detuning=2 * math.pi * f0 * rel / rate if detuning is None else float(detuning),
            noise=math.pi * lw / rate if noise is None else float(noise),
            spread=sp if spread is None else float(spread),
            misalignment=lag if misalignment is None else float(misalignment))

    def describe(self) -> dict[str, float | str]:
        return {"device": self.card, "device_path": self.path, "frequency_hz": self.frequency,
                "tau_s": self.tau_s, "detuning": self.detuning, "noise": self.noise,
                "coupling_spread": self.spread, "misalignment": self.misalignment}


@dataclasses.dataclass(frozen=True)
class Chip:
    """One drawn chip: ``xi`` ``(K, N)`` and ``W`` ``(N, N)`` (or None) with their spread,
    and natural-frequency detunings ``omega`` ``(N,)`` (rad/τ)."""

    xi: np.ndarray
    W: np.ndarray | None
    omega: np.ndarray


def draw_chip(xi: np.ndarray, W: np.ndarray | None, hw: Hardware, seed: int, *,
              locked: bool) -> Chip:
    """Draw the static non-idealities of one chip from ``seed``.

    ``locked``: an injection signal sets the frame, so the mean detuning stays (it must
    be locked); without one the frame co-rotates with the network's mean frequency and
    the mean is removed.
    """
    rng = np.random.default_rng([int(seed), 0x05C1])
    K, N = xi.shape
    g_omega = rng.standard_normal(N)
    g_xi = rng.standard_normal((K, N))
    g_w = rng.standard_normal((N, N))
    omega = hw.detuning * g_omega
    if not locked:
        omega = omega - omega.mean()
    xi_c = np.asarray(xi, np.float64) * np.maximum(0.0, 1.0 + hw.spread * g_xi)
    W_c = None
    if W is not None:
        sym = (np.triu(g_w) + np.triu(g_w, 1).T)  # symmetric, unit variance
        W_c = np.asarray(W, np.float64) * np.maximum(0.0, 1.0 + hw.spread * sym)
    return Chip(xi_c, W_c, omega)
