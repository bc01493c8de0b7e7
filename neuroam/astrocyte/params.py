"""Physical parameters of the neuron–astrocyte network, validated, from a device card.

A card of ``kind = "astrocyte"`` (``devices/astrocyte-tutorial.toml``) supplies them;
every number there carries its unit and source. Time is measured in units of the
neuron time constant τ (the authors' tutorial sets every τ to 1).
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

from ..cards import Card, load_card
from ..errors import ValueRangeError

__all__ = ["AstrocyteParams", "CARD_KIND", "load_params"]

CARD_KIND = "astrocyte"


@dataclasses.dataclass(frozen=True)
class AstrocyteParams:
    """Gains, time constants, coupling scale and noise of one neuron–astrocyte network.

    Attributes:
        beta: gain β > 0 of the three tanh nonlinearities h = tanh(βx), g = tanh(βS),
            ψ = tanh(βP) (dimensionless).
        tau_neuron, tau_synapse, tau_process: time constants τ_x, τ_S, τ_P > 0 (units
            of τ).
        tensor_exponent: a, the process–process coupling is N^(−a) T (the tutorial's
            a = 3 keeps N^(−3) T[hhᵀ] of order 1/N, like a Hebbian weight).
        temperature: additive noise T ≥ 0; every variable y of time constant τ_y gets
            √(2T/τ_y) dW (0: the deterministic ODE).
        dt, t1: the card's integration step and horizon (units of τ); implementation
            settings may override them.
        source: where the numbers came from (the card's path, or "arguments").
    """

    beta: float = 5.0
    tau_neuron: float = 1.0
    tau_synapse: float = 1.0
    tau_process: float = 1.0
    tensor_exponent: float = 3.0
    temperature: float = 0.0
    dt: float = 0.05
    t1: float = 50.0
    source: str = "arguments"

    def __post_init__(self):
        positive = {"beta": self.beta, "tau_neuron": self.tau_neuron,
                    "tau_synapse": self.tau_synapse, "tau_process": self.tau_process,
                    "dt": self.dt, "t1": self.t1}
        for name, v in positive.items():
            if not (isinstance(v, (int, float)) and math.isfinite(v) and v > 0):
                raise ValueRangeError(f"{name}={v!r} ({self.source})", f"a finite {name} > 0",
                                      f"Give a positive {name}; time constants and gains "
                                      "cannot be zero or negative.")
        if not (math.isfinite(self.temperature) and self.temperature >= 0):
            raise ValueRangeError(f"temperature={self.temperature!r} ({self.source})",
                                  "a temperature ≥ 0", "Use 0 for noiseless dynamics.")
        if not math.isfinite(self.tensor_exponent):
            raise ValueRangeError(f"tensor_exponent={self.tensor_exponent!r}", "a finite number",
                                  "The tutorial uses 3 (coupling N⁻³ T).")

    @property
    def taus(self) -> tuple[float, float, float]:
        return (self.tau_neuron, self.tau_synapse, self.tau_process)

    def tensor_scale(self, N: int) -> float:
        """c = N^(−a), the prefactor of the process–process coupling."""
        return float(N) ** (-self.tensor_exponent)

    def replace(self, **changes) -> "AstrocyteParams":
        return dataclasses.replace(self, **changes)

    @classmethod
    def from_card(cls, card: Card) -> "AstrocyteParams":
        """Read a card of kind "astrocyte" (checked against its schema when read; the
        parameters it leaves out keep the defaults above)."""
        card.require_kind(CARD_KIND)
        return cls(**card.values(), source=str(card.path or card.name))


def load_params(device: str | Path) -> AstrocyteParams:
    """:class:`AstrocyteParams` from a card name (``devices/<name>.toml``) or path."""
    return AstrocyteParams.from_card(load_card(device, folder="device", kind=CARD_KIND))
