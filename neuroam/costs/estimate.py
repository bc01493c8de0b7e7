"""Energy and latency per recall, estimated from device and circuit cards."""

from __future__ import annotations

import dataclasses

__all__ = ["CostEstimate"]


@dataclasses.dataclass(frozen=True)
class CostEstimate:
    """Cost of one recall (one trial), with what it was computed from.

    Attributes:
        energy_J: energy per recall (joules).
        latency_s: time per recall on the modelled hardware (seconds).
        breakdown: named contributions (J or s, see the key's suffix).
        basis: the cards and assumptions used, in words (with their sources).
    """

    energy_J: float
    latency_s: float
    breakdown: dict[str, float]
    basis: str

    def as_summary(self) -> dict[str, float]:
        out = {"energy_per_recall_J": float(self.energy_J), "latency_per_recall_s": float(self.latency_s)}
        out.update({f"cost.{k}": float(v) for k, v in self.breakdown.items()})
        return out
