"""The LIF f–I curve and the rate codes built on it.

A leaky integrate-and-fire neuron with constant input settles towards V∞ = E_L + I/g_L and
fires, when V∞ > V_th, at (Gerstner et al., *Neuronal Dynamics*, eq. 1.11 with a
refractory period)

    r(V∞) = 1 / (t_ref + τ_m ln((V∞ − V_reset) / (V∞ − V_th))),

and not at all when V∞ ≤ V_th. Inverting it gives the distance above threshold a
neuron needs for a rate r:

    V∞ − V_th = (V_th − V_reset) / (exp((1/r − t_ref)/τ_m) − 1).

A :class:`RateCode` maps a dimensionless drive x onto V∞ = V_base + gain·x; the
templates choose V_base and gain so that the drives of the model land on the wanted
rates (mean-field, noise-free calibration).

Synapses depress (Tsodyks & Markram 1997): each neuron keeps a resource R that recovers
as dR/dt = (1 − R)/τ_rec and loses a fraction U at every spike; a spike moves its
targets by w·R. The mean transmitted drive per second is then proportional to the
*efficacy* q(r) = r / (1 + U r τ_rec), which saturates at 1/(U τ_rec): a neuron firing far
above its coding rate cannot push its targets arbitrarily hard. ``U = 0`` turns it off.
"""

from __future__ import annotations

import dataclasses
import math

from .params import NeuronParams

__all__ = ["lif_rate", "distance_for_rate", "RateCode", "Depression", "threshold_code"]


def _si(q) -> float:
    return float(q)  # Brian2 quantities convert to SI floats


def lif_rate(neuron: NeuronParams, v_inf: float) -> float:
    """Firing rate (Hz) for a constant asymptotic potential ``v_inf`` (V, SI float)."""
    v_th, v_r = _si(neuron["V_th"]), _si(neuron["V_reset"])
    if v_inf <= v_th:
        return 0.0
    isi = _si(neuron["t_ref"]) + _si(neuron.tau_m) * math.log((v_inf - v_r) / (v_inf - v_th))
    return 1.0 / isi


def distance_for_rate(neuron: NeuronParams, rate: float) -> float:
    """V∞ − V_th (V) at which the neuron fires at ``rate`` (Hz); needs rate < 1/t_ref."""
    span = _si(neuron["V_th"]) - _si(neuron["V_reset"])
    free = 1.0 / rate - _si(neuron["t_ref"])
    return span / math.expm1(free / _si(neuron.tau_m))


@dataclasses.dataclass(frozen=True)
class RateCode:
    """V∞ = v_base + gain·x for a dimensionless drive x (volts, SI floats).

    As currents into the membrane: I_rest = g_L (v_base − E_L) and I_unit = g_L·gain.
    """

    v_base: float
    gain: float

    def currents(self, neuron: NeuronParams) -> tuple[float, float]:
        """``(I_rest, I_unit)`` in amperes."""
        g_L = _si(neuron["g_L"])
        return g_L * (self.v_base - _si(neuron["E_L"])), g_L * self.gain

    def rate(self, neuron: NeuronParams, x: float) -> float:
        return lif_rate(neuron, self.v_base + self.gain * x)


@dataclasses.dataclass(frozen=True)
class Depression:
    """Short-term depression: utilisation ``U`` (0…1) and recovery time ``tau_rec`` (s)."""

    U: float
    tau_rec: float

    def efficacy(self, rate):
        """q(r) = r / (1 + U r τ_rec) (Hz): mean transmitted resource per second."""
        return rate / (1.0 + self.U * rate * self.tau_rec)

    def rate_for(self, q: float) -> float:
        """The rate whose efficacy is ``q`` (requires q < 1/(U τ_rec))."""
        return q / (1.0 - self.U * self.tau_rec * q)


def threshold_code(neuron: NeuronParams, rate: float, x_at_rate: float) -> RateCode:
    """Rectified neurons: silent for x ≤ 0, firing at ``rate`` for x = ``x_at_rate``."""
    return RateCode(_si(neuron["V_th"]), distance_for_rate(neuron, rate) / x_at_rate)
