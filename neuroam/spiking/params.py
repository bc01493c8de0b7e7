"""The parameter tables of spiking networks: LIF neurons and network templates.

A neuron card (``devices/lif-neuron.toml``, ``kind = "neuron"``) gives the membrane
parameters; a network card (``circuits/spiking-hopfield.toml`` or
``circuits/spiking-dense.toml``, ``kind = "spiking-network"``) gives the architecture,
the synapses, the rate code, the cue protocol and the read-out. Overrides from the
implementation settings (``{"tau_syn" = "10 ms"}``) replace card values. Every value is
checked against its row of the card schema (unit, range), then the combinations are
checked (a time step too coarse for the fastest time constant, an on-rate the neuron
cannot reach, a cue window longer than the trial, ...).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..cards import Card, load_card
from ..cards.tables import ARCHITECTURES, DENSE_PARAMS, NETWORK_PARAMS, NEURON_PARAMS
from ..errors import ValueRangeError
from .units import parse_override, to_brian

__all__ = ["NEURON_PARAMS", "NETWORK_PARAMS", "DENSE_PARAMS", "ARCHITECTURES", "NeuronParams",
           "NetworkParams", "load_neuron", "load_network", "split_overrides", "check_timing",
           "DT_FRACTION"]

NEURON_KIND = "neuron"
NETWORK_KIND = "spiking-network"
#: the time step must resolve the fastest time constant: dt ≤ τ / DT_FRACTION
DT_FRACTION = 10.0


def _load(ref: str | Path | Card, folder: str, kind: str) -> Card:
    if isinstance(ref, Card):
        return ref.require_kind(kind)
    return load_card(ref, folder=folder, kind=kind)


def _collect(specs, card: Card, overrides: Mapping[str, Any]) -> tuple[dict, dict]:
    """Brian2 values and their sources for ``specs``: an override, else the card's SI
    value (checked against the same row when the card was read). Override keys that are
    not in ``specs`` are ignored here (see :func:`split_overrides`)."""
    values, sources = {}, {}
    for spec in specs:
        if spec.name in overrides:
            values[spec.name] = parse_override(spec, overrides[spec.name],
                                               f"override {spec.name!r}")
            sources[spec.name] = "settings override"
        else:  # the card's schema required it (dense rows: for a dense card)
            values[spec.name] = to_brian(spec, card.value(spec.name))
            sources[spec.name] = card.params[spec.name].source
    return values, sources


@dataclasses.dataclass(frozen=True)
class NeuronParams:
    """A leaky integrate-and-fire neuron: C_m dv/dt = g_L (E_L − v) + I, spike at V_th,
    reset to V_reset, refractory for t_ref. Values are Brian2 quantities."""

    values: dict[str, Any]
    sources: dict[str, str]
    name: str = "neuron"

    def __getitem__(self, key):
        return self.values[key]

    @property
    def tau_m(self):
        return self.values["C_m"] / self.values["g_L"]

    def rows(self, prefix: str = "") -> list[tuple[str, str, str]]:
        return [(prefix + k, str(v), self.sources.get(k, "")) for k, v in self.values.items()]


@dataclasses.dataclass(frozen=True)
class NetworkParams:
    """A network template: architecture (``"hopfield"`` or ``"dense"``) and its numbers."""

    architecture: str
    values: dict[str, Any]
    sources: dict[str, str]
    name: str = "network"

    def __getitem__(self, key):
        return self.values[key]

    def rows(self) -> list[tuple[str, str, str]]:
        return [(k, str(v), self.sources.get(k, "")) for k, v in self.values.items()]


def load_neuron(ref: str | Path | Card, overrides: Mapping[str, Any] | None = None) -> NeuronParams:
    """:class:`NeuronParams` from a neuron card (name, path or Card) and overrides."""
    card = _load(ref, "device", NEURON_KIND)
    values, sources = _collect(NEURON_PARAMS, card, dict(overrides or {}))
    where = f"neuron card {card.name!r} ({card.path})"
    if not values["V_reset"] < values["V_th"]:
        raise ValueRangeError(f"V_reset = {values['V_reset']} ≥ V_th = {values['V_th']} ({where})",
                              "V_reset below the threshold", "Lower V_reset or raise V_th.")
    if not values["E_L"] < values["V_th"]:
        raise ValueRangeError(f"E_L = {values['E_L']} ≥ V_th = {values['V_th']} ({where})",
                              "a resting potential below threshold (a silent neuron at rest)",
                              "Lower E_L or raise V_th.")
    return NeuronParams(values, sources, card.name)


def load_network(ref: str | Path | Card, overrides: Mapping[str, Any] | None = None) -> NetworkParams:
    """:class:`NetworkParams` from a network card and overrides (unknown keys refused)."""
    card = _load(ref, "circuit", NETWORK_KIND)
    arch = card.value("architecture")  # one of ARCHITECTURES: the schema checked it
    specs = NETWORK_PARAMS + (DENSE_PARAMS if arch == "dense" else ())
    values, sources = _collect(specs, card, dict(overrides or {}))
    return NetworkParams(arch, values, sources, card.name)


#: prefix of overrides meant for the inhibitory neuron card ("inhibitory.t_ref")
INHIBITORY_PREFIX = "inhibitory."


def split_overrides(overrides: Mapping[str, Any]) -> tuple[dict, dict, dict]:
    """``(neuron, network, inhibitory neuron)`` overrides; unknown keys are refused."""
    import difflib

    neuron_keys = {s.name for s in NEURON_PARAMS}
    net_keys = {s.name for s in NETWORK_PARAMS + DENSE_PARAMS}
    known = sorted(neuron_keys | net_keys | {INHIBITORY_PREFIX + k for k in neuron_keys})
    out: tuple[dict, dict, dict] = ({}, {}, {})
    for key, value in overrides.items():
        if key in neuron_keys:
            out[0][key] = value
        elif key in net_keys:
            out[1][key] = value
        elif key.startswith(INHIBITORY_PREFIX) and key[len(INHIBITORY_PREFIX):] in neuron_keys:
            out[2][key[len(INHIBITORY_PREFIX):]] = value
        else:
            close = difflib.get_close_matches(key, known, n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise ValueRangeError(f"the parameter override {key!r}", f"one of {known}",
                                  f"Remove or rename it.{hint}")
    return out


def check_timing(neuron: NeuronParams, net: NetworkParams, extra_neurons=()) -> None:
    """Cross-parameter checks: time step, reachable rates, cue and read-out windows."""
    from brian2 import second

    dt = net["dt"]
    fastest = [(k, net[k]) for k in ("tau_syn", "tau_feedback", "tau_rec") if k in net.values]
    for nrn in (neuron, *extra_neurons):
        fastest.append((f"τ_m = C_m/g_L of {nrn.name!r}", nrn.tau_m))
    name, tau = min(fastest, key=lambda p: float(p[1] / second))
    if dt > tau / DT_FRACTION:
        raise ValueRangeError(
            f"dt = {dt} for a network whose fastest time constant is {name} = {tau}",
            f"dt ≤ τ/{DT_FRACTION:g} = {tau / DT_FRACTION}",
            f"Lower dt (override \"dt\" = \"{float(tau / DT_FRACTION / second) * 1e3:g} ms\" "
            "or less) or use slower neurons/synapses.")
    for nrn in (neuron, *extra_neurons):
        if 0 < nrn["t_ref"] < dt:
            raise ValueRangeError(f"t_ref = {nrn['t_ref']} of {nrn.name!r} shorter than dt = {dt}",
                                  "t_ref ≥ dt (or 0)", "Lower dt or lengthen t_ref.")
    rates = [("rate_on", net["rate_on"], neuron)]
    if net.architecture == "dense":
        rates.append(("rate_memory", net["rate_memory"], neuron))
        rates.append(("rate_inhibitory", net["rate_inhibitory"],
                      extra_neurons[0] if extra_neurons else neuron))
    for key, rate, nrn in rates:
        limit = 0.8 / nrn["t_ref"] if float(nrn["t_ref"] / second) > 0 else None
        if limit is not None and rate >= limit:
            raise ValueRangeError(f"{key} = {rate} for a neuron with t_ref = {nrn['t_ref']}",
                                  f"a rate below 0.8/t_ref = {limit}",
                                  f"Lower {key}: a refractory neuron cannot fire faster.")
        if 1 / rate <= 2 * dt:
            raise ValueRangeError(f"{key} = {rate} with dt = {dt}", "an inter-spike interval of "
                                  "several time steps", f"Lower {key} or dt.")
    slowest = min((n.tau_m for n in (neuron, *extra_neurons)), key=lambda q: float(q))
    if net["noise_dt"] > slowest / 5:
        raise ValueRangeError(f"noise_dt = {net['noise_dt']} for a membrane time constant of "
                              f"{slowest}", f"noise_dt ≤ τ_m/5 = {slowest / 5}",
                              "Shorten noise_dt: held noise must still look white to the "
                              "membrane.")
    T = net["duration"]
    if not net["cue_duration"] < T:
        raise ValueRangeError(f"cue_duration = {net['cue_duration']} ≥ duration = {T}",
                              "a cue window shorter than the trial",
                              "The network must hold the pattern after the cue is removed: "
                              "lengthen duration or shorten cue_duration.")
    for key in ("rate_window", "sample_interval", "stable_time"):
        if net[key] > T:
            raise ValueRangeError(f"{key} = {net[key]} longer than duration = {T}",
                                  f"{key} ≤ duration", f"Shorten {key}.")
    for key in ("rate_window", "sample_interval", "noise_dt"):
        if net[key] < dt:
            raise ValueRangeError(f"{key} = {net[key]} shorter than dt = {dt}",
                                  f"{key} ≥ dt", f"Lengthen {key}.")
