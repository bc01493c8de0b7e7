"""A toy crossbar device technology: a ferroelectric FET whose stored polarisation decays
logarithmically in time. All of it is this module + the card devices/fefet-demo.toml +
one entry point (``fefet-demo`` in the ``neuroam.devices`` group of pyproject.toml).

Physics (illustrative numbers, not a fitted device):

- a write lands at the target with Gaussian noise σ = write_noise·(g_max − g_min),
  clipped to [g_min, the device's top];
- retention: g(t) = g_min + (g_prog − g_min)·max(0, 1 − r·ln(1 + t/t0)), the same r for
  every device (a log-time polarisation loss, unlike the memristor's power law);
- every read has a relative σ of read_noise.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from neuroam.cards.schema import ParamSpec as P
from neuroam.cards.schema import Schema
from neuroam.crossbar.device import DeviceModel
from neuroam.errors import CardError

__all__ = ["DemoFeFET", "SCHEMA"]


def _window(v, where: str) -> None:
    if not v["g_min"] < v["g_max"]:
        raise CardError(f"g_min ≥ g_max in {where}", "g_min < g_max", "Fix the window.")


SCHEMA = Schema("fefet-demo", "a toy ferroelectric FET cell (neuroam_plugin_demo.fefet)", (
    P("g_max", "S", 0.0, None, "largest channel conductance", lo_open=True),
    P("g_min", "S", 0.0, None, "smallest channel conductance"),
    P("levels", "1", 0, None, "programmable levels (0: analog)", integer=True),
    P("write_noise", "1", 0.0, 1.0, "σ of a write, relative to g_max − g_min"),
    P("read_noise", "1", 0.0, 1.0, "relative σ of one read"),
    P("retention_rate", "1", 0.0, 1.0, "r of g(t) = g_min + (g_prog − g_min)·(1 − r·ln(1 + t/t0))"),
    P("retention_t0", "s", 0.0, None, "t0 of the retention law", lo_open=True),
), (_window,))


@dataclasses.dataclass(frozen=True)
class DemoFeFET(DeviceModel):
    """The toy FeFET of a ``fefet-demo`` card."""

    kind = "fefet-demo"
    schema = SCHEMA

    write_noise: float
    read_noise: float
    retention_rate: float
    retention_t0: float

    @classmethod
    def from_card(cls, card):
        v = card.require_kind(cls.kind).value
        return cls(name=card.name, path=card.path, g_min=v("g_min"), g_max=v("g_max"),
                   levels=v("levels"), write_verify_iterations=0, stuck_on_fraction=0.5,
                   write_noise=v("write_noise"), read_noise=v("read_noise"),
                   retention_rate=v("retention_rate"), retention_t0=v("retention_t0"))

    def program(self, target, rng, *, tops, write_verify):
        g = target + self.write_noise * (self.g_max - self.g_min) * rng.standard_normal(
            np.shape(target))
        return np.clip(g, self.g_min, tops)

    def drift_state(self, g_target, rng):
        return np.full(np.shape(g_target), self.retention_rate)

    def drift(self, g, state, t):
        if t <= 0:
            return g
        keep = np.maximum(0.0, 1.0 - state * np.log1p(t / self.retention_t0))
        return self.g_min + (g - self.g_min) * keep

    def read_sigma_rel(self, g):
        return np.full(np.shape(g), self.read_noise)
