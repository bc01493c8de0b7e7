"""The schemas of the shipped card kinds: memristor, crossbar, oscillator, neuron,
spiking-network, neuromorphic (chip), processor, astrocyte.

Each row is (name, SI unit, allowed range, meaning); :mod:`neuroam.cards.schema`
explains the fields. The loaders (``neuroam.crossbar.memristor``, ``neuroam.oscillator.
hardware``, ...) read the SI values these tables checked; the checks across parameters
live here too, so ``neuroam validate`` refuses a bad card before any run.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from typing import Any

from ..errors import CardError
from .schema import ParamSpec as P
from .schema import Schema, register

__all__ = ["MEMRISTOR", "CROSSBAR", "OSCILLATOR", "NEURON", "SPIKING_NETWORK", "NEUROMORPHIC",
           "PROCESSOR", "ASTROCYTE", "NEURON_PARAMS", "NETWORK_PARAMS", "DENSE_PARAMS",
           "MAPPINGS", "ARCHITECTURES", "TIME_MODES"]

INF = None  # an open upper end reads better as "hi=INF" in the tables


# -- memristor devices ----------------------------------------------------------------

def _g_window(v: Mapping[str, Any], where: str) -> None:
    if not v["g_min"] < v["g_max"]:
        raise CardError(f"g_min = {v['g_min']:g} S ≥ g_max = {v['g_max']:g} S in {where}",
                        "0 ≤ g_min < g_max (siemens)",
                        "Fix params.g_min or params.g_max in the card.")


def _not_one(key: str, allowed: str):
    def check(v: Mapping[str, Any], where: str) -> None:
        if v.get(key) == 1:
            raise CardError(f"{key} = 1 in {where}", allowed,
                            f"Fix params.{key}.value in the card.")
    check.__name__ = f"{key}_not_one"
    return check


_PROG = "programming noise σ_prog(g) = c0 + c1·(g/g_max) + c2·(g/g_max)²"
_NU = "drift exponent ν per device, {} = clip(slope·ln(g/g_max) + offset, min, max)"

MEMRISTOR = register(Schema("memristor", "a memristor technology (neuroam.crossbar.memristor)", (
    P("g_max", "S", 0.0, INF, "largest programmable conductance", lo_open=True),
    P("g_min", "S", 0.0, INF, "smallest programmable conductance"),
    P("levels", "1", 0, INF, "programmable conductance levels (0: analog)", integer=True),
    P("prog_noise_c0", "S", doc=f"{_PROG}: c0"),
    P("prog_noise_c1", "S", doc=f"{_PROG}: c1"),
    P("prog_noise_c2", "S", doc=f"{_PROG}: c2"),
    P("write_verify_iterations", "1", 0, 100, "program-and-verify passes", integer=True),
    P("write_verify_tolerance", "1", 0.0, 1.0, "write-verify tolerance, relative to "
      "g_max − g_min"),
    P("read_noise_q", "1", 0.0, 1.0, "read noise q: relative σ_read(g) = min(q·(g/g_max)^(−a), "
      "q_max)"),
    P("read_noise_exponent", "1", 0.0, 5.0, "read noise exponent a"),
    P("read_noise_max", "1", 0.0, 1.0, "largest relative read noise q_max"),
    P("read_noise_t_read", "s", 0.0, INF, "read duration of the 1/f read noise (0: off)"),
    P("drift_t0", "s", 0.0, INF, "drift reference time t0: g(t) = g_prog·((t + t0)/t0)^(−ν)",
      lo_open=True),
    P("drift_nu_mean_slope", "1", doc=_NU.format("mean μ_ν") + ": slope"),
    P("drift_nu_mean_offset", "1", doc=_NU.format("mean μ_ν") + ": offset"),
    P("drift_nu_mean_min", "1", 0.0, 1.0, _NU.format("mean μ_ν") + ": min"),
    P("drift_nu_mean_max", "1", 0.0, 1.0, _NU.format("mean μ_ν") + ": max"),
    P("drift_nu_std_slope", "1", doc=_NU.format("std σ_ν") + ": slope"),
    P("drift_nu_std_offset", "1", doc=_NU.format("std σ_ν") + ": offset"),
    P("drift_nu_std_min", "1", 0.0, 1.0, _NU.format("std σ_ν") + ": min"),
    P("drift_nu_std_max", "1", 0.0, 1.0, _NU.format("std σ_ν") + ": max"),
    P("d2d_variation", "1", 0.0, 1.0, "device-to-device variation of g_max (relative σ)"),
    P("stuck_on_fraction", "1", 0.0, 1.0, "share of stuck cells stuck at g_max (ON)"),
), (_g_window, _not_one("levels", "0 (analog) or an integer ≥ 2"))))


# -- crossbar circuits ----------------------------------------------------------------

MAPPINGS = ("differential", "offset")


def _tile_cols(v: Mapping[str, Any], where: str) -> None:
    if v["tile_cols"] < 2:
        mapping = v["mapping"]
        why = "two device columns" if mapping == "differential" else "a reference column beside it"
        raise CardError(f"tile_cols = {v['tile_cols']} in {where}, too small for the {mapping} "
                        "mapping", f"tile_cols in [2, 65536] (a {mapping} weight column needs "
                        f"{why})", "Fix params.tile_cols in the card.")


_BITS = "0 (ideal converter) or an integer in [2, 24] (signed levels)"

CROSSBAR = register(Schema("crossbar", "a crossbar circuit: tiles, mapping, peripherals "
                           "(neuroam.crossbar.circuit)", (
    P("tile_rows", "1", 1, 1 << 16, "device rows per tile (inputs)", integer=True),
    P("tile_cols", "1", 1, 1 << 16, "device columns per tile", integer=True),
    P("max_tiles", "1", 0, INF, "tiles on the chip (0: as many as needed)", integer=True),
    P("mapping", "1", doc="weight mapping: two devices per weight, or one plus a reference "
      "column", choices=MAPPINGS),
    P("dac_bits", "1", 0, 24, "input DAC resolution (0: ideal)", integer=True),
    P("adc_bits", "1", 0, 24, "output ADC resolution (0: ideal)", integer=True),
    P("adc_range", "1", 0.0, 1.0, "ADC full scale, relative to the worst-case tile current",
      lo_open=True),
    P("output_noise", "1", 0.0, INF, "additive noise at the ADC input, in units of one cell's "
      "full current"),
    P("wire_resistance", "ohm", 0.0, INF, "wire resistance per cell segment"),
    P("read_voltage", "V", 0.0, 10.0, "read voltage of an input of magnitude 1", lo_open=True),
    P("read_time", "s", 0.0, 1.0, "read pulse, DAC settling included", lo_open=True),
    P("dac_energy", "J", 0.0, 1e-6, "energy per DAC conversion"),
    P("adc_energy", "J", 0.0, 1e-6, "energy per ADC conversion"),
    P("adc_time", "s", 0.0, 1.0, "time per ADC conversion"),
    P("adc_share", "1", 1, 1 << 16, "sensed lines multiplexed onto one ADC", integer=True),
), (_tile_cols, _not_one("dac_bits", _BITS), _not_one("adc_bits", _BITS))))


# -- oscillators ----------------------------------------------------------------------

OSCILLATOR = register(Schema("oscillator", "coupled oscillators (neuroam.oscillator.hardware)", (
    P("frequency", "Hz", 0.0, INF, "centre oscillation frequency f₀", lo_open=True),
    P("coupling_rate", "1/s", 0.0, INF, "phase-locking rate of one unit of coupling; τ = 1/rate",
      lo_open=True),
    P("detuning_std", "1", 0.0, INF, "relative spread of natural frequencies σ_f/f₀"),
    P("linewidth", "Hz", 0.0, INF, "free-running FWHM linewidth Δf (white phase noise)"),
    P("coupling_spread", "1", 0.0, INF, "relative spread of each coupling element"),
    P("misalignment", "rad", -math.pi / 2, math.pi / 2, "phase lag α of the coupling function"),
    P("power", "W", 0.0, INF, "power of one oscillator (none: no energy estimate)",
      required=False),
    P("coupling_power", "W", 0.0, INF, "coupling power per oscillator", required=False),
    P("readout_time", "s", 0.0, INF, "phase read-out time per recall", required=False),
)))


# -- spiking networks -----------------------------------------------------------------

ARCHITECTURES = ("hopfield", "dense")

NEURON_PARAMS: tuple[P, ...] = (
    P("C_m", "F", 0.0, 1e-6, "membrane capacitance", lo_open=True),
    P("g_L", "S", 0.0, 1e-3, "leak conductance (τ_m = C_m/g_L)", lo_open=True),
    P("E_L", "V", -0.2, 0.1, "leak reversal (resting) potential"),
    P("V_th", "V", -0.2, 0.1, "spike threshold"),
    P("V_reset", "V", -0.2, 0.1, "reset potential after a spike"),
    P("t_ref", "s", 0.0, 0.1, "absolute refractory period"),
)

NETWORK_PARAMS: tuple[P, ...] = (
    P("dt", "s", 0.0, 0.01, "integration time step", lo_open=True),
    P("tau_syn", "s", 0.0, 1.0, "decay time of the exponential synaptic current", lo_open=True),
    P("rate_on", "Hz", 0.0, 1000.0, "firing rate that codes an active (+1) neuron",
      lo_open=True),
    P("drive_on", "1", 0.0, 1.0, "drive at which a ±1 neuron reaches rate_on (a retrieved "
      "pattern drives it with 1)", lo_open=True),
    P("release_fraction", "1", 0.0, 1.0, "utilisation U of synaptic resources per spike "
      "(short-term depression)"),
    P("tau_rec", "s", 0.0, 10.0, "recovery time of synaptic resources", lo_open=True),
    P("cue_strength", "1", 0.0, 100.0, "cue current, in units of the recurrent drive of a "
      "retrieved pattern", lo_open=True),
    P("cue_duration", "s", 0.0, 10.0, "time the cue current is on, from t = 0", lo_open=True),
    P("duration", "s", 0.0, 100.0, "simulated time per trial", lo_open=True),
    P("rate_window", "s", 0.0, 10.0, "window over which firing rates are counted",
      lo_open=True),
    P("sample_interval", "s", 0.0, 10.0, "time between decoded samples", lo_open=True),
    P("stable_time", "s", 0.0, 100.0, "a trial converged when its decoded ±1 state did not "
      "change over this final stretch"),
    P("noise_sigma", "V", 0.0, 0.05, "std of the free membrane potential under noise"),
    P("noise_dt", "s", 0.0, 0.1, "how long each independent noise sample is held",
      lo_open=True),
)

DENSE_PARAMS: tuple[P, ...] = (
    P("n_inhibitory", "1", 1, 10_000, "neurons of the shared inhibitory pool per trial",
      integer=True),
    P("memory_threshold", "1", 0.0, 0.99, "normalised overlap θ a memory neuron needs to fire "
      "without inhibition"),
    P("selection_width", "1", 0.0, 100.0, "w: a memory co-fires next to a retrieved one when "
      "its overlap is within w/β of 1 (softmax weight ≥ e^−w); sets the inhibition gain",
      lo_open=True),
    P("pattern_centring", "1", 0.0, 1.0, "fraction λ of the patterns' mean subtracted from "
      "the feature → memory weights (each memory's drive then divided by its centred "
      "self-overlap)"),
    P("pool_threshold", "1", 0.0, 0.9, "memory activity (in retrieved memories at "
      "rate_memory) below which the inhibitory pool stays silent"),
    P("self_excitation", "1", 0.0, 10.0, "drive a memory neuron firing at rate_memory adds "
      "to its own (overlap units): the winner's hysteresis"),
    P("tau_feedback", "s", 0.0, 1.0, "decay time of the memory → feature synapses (slow, "
      "NMDA-like)", lo_open=True),
    P("feedback_gain", "1", 0.0, 10.0, "drive of a feature neuron from one retrieved memory, "
      "in units of the rate code's ±1", lo_open=True),
    P("rate_memory", "Hz", 0.0, 1000.0, "rate of a retrieved memory neuron", lo_open=True),
    P("rate_inhibitory", "Hz", 0.0, 1000.0, "rate of the inhibitory pool when one memory is "
      "retrieved", lo_open=True),
)


def _below_threshold(v: Mapping[str, Any], where: str) -> None:
    for key in ("V_reset", "E_L"):
        if not v[key] < v["V_th"]:
            raise CardError(f"{key} = {v[key]:g} V ≥ V_th = {v['V_th']:g} V in {where}",
                            f"{key} below the spike threshold V_th",
                            f"Lower params.{key} or raise params.V_th in the card.")


def _dense_complete(v: Mapping[str, Any], where: str) -> None:
    if v["architecture"] != "dense":
        return
    for spec in DENSE_PARAMS:
        if spec.name not in v:
            raise CardError(f"no params.{spec.name} in {where} (architecture \"dense\")",
                            f"[params.{spec.name}] with value, unit ({spec.unit}) and source",
                            f"Add it to the card: {spec.doc}, {spec.allowed()}.")


NEURON = register(Schema("neuron", "a leaky integrate-and-fire neuron (neuroam.spiking)",
                         NEURON_PARAMS, (_below_threshold,)))

SPIKING_NETWORK = register(Schema(
    "spiking-network", "a spiking network template (neuroam.spiking)",
    (P("architecture", "1", doc="network template", choices=ARCHITECTURES),
     *NETWORK_PARAMS,
     *(dataclasses.replace(row, required=False) for row in DENSE_PARAMS)),
    (_dense_complete,)))


# -- costs: neuromorphic chips and processors -----------------------------------------

TIME_MODES = ("unthrottled", "real-time")
_UNTHROTTLED = ("time_per_synaptic_event", "time_per_neuron_update", "time_per_step_sync")


def _unthrottled_times(v: Mapping[str, Any], where: str) -> None:
    if v["time_mode"] != "unthrottled":
        return
    for key in _UNTHROTTLED:
        if key not in v:
            raise CardError(f"no params.{key} in {where} (time_mode \"unthrottled\")",
                            f"[params.{key}] with value, unit (s) and source",
                            "Add it, or set time_mode = \"real-time\".")


NEUROMORPHIC = register(Schema("neuromorphic", "a neuromorphic chip (neuroam.costs.spiking)", (
    P("energy_per_synaptic_event", "J", 0.0, INF, "one presynaptic spike delivered to one "
      "target synapse"),
    P("energy_per_neuron_update", "J", 0.0, INF, "one neuron (compartment) updated in one "
      "time step"),
    P("time_mode", "1", doc="how the chip paces time steps", choices=TIME_MODES),
    P("time_step", "s", 0.0, INF, "the chip's own fixed time step (a tick)", lo_open=True,
      required=False),
    P("time_per_synaptic_event", "s", 0.0, INF, "core time of one synaptic event "
      "(unthrottled)", required=False),
    P("time_per_neuron_update", "s", 0.0, INF, "core time of one neuron update (unthrottled)",
      required=False),
    P("time_per_step_sync", "s", 0.0, INF, "barrier synchronisation per step (unthrottled)",
      required=False),
    P("neurons_per_core", "1", 1, INF, "neurons one core holds", integer=True),
    P("synapses_per_core", "1", 1, INF, "synapses one core holds", integer=True),
    P("static_power_per_core", "W", 0.0, INF, "leakage of one core while the recall runs",
      required=False),
), (_unthrottled_times,)))

PROCESSOR = register(Schema("processor", "a digital processor (neuroam.costs.ideal)", (
    P("peak_flops", "FLOP/s", 0.0, INF, "peak floating-point throughput", lo_open=True),
    P("power", "W", 0.0, INF, "board power while computing", lo_open=True),
    P("utilization", "1", 0.0, 1.0, "fraction of the peak a recall reaches", lo_open=True),
)))


# -- neuron–astrocyte networks ----------------------------------------------------------

_TAU = "in units of the neuron time constant τ"

ASTROCYTE = register(Schema("astrocyte", "a neuron–astrocyte network (neuroam.astrocyte)", (
    P("beta", "1", 0.0, INF, "gain β of the tanh nonlinearities", lo_open=True,
      required=False),
    P("tau_neuron", "1", 0.0, INF, f"neuron time constant τ_x ({_TAU})", lo_open=True,
      required=False),
    P("tau_synapse", "1", 0.0, INF, f"synapse time constant τ_S ({_TAU})", lo_open=True,
      required=False),
    P("tau_process", "1", 0.0, INF, f"process time constant τ_P ({_TAU})", lo_open=True,
      required=False),
    P("tensor_exponent", "1", doc="a: the process–process coupling is N^(−a) T",
      required=False),
    P("temperature", "1", 0.0, INF, "additive noise T (0: the deterministic ODE)",
      required=False),
    P("dt", "1", 0.0, INF, f"integration step ({_TAU})", lo_open=True, required=False),
    P("t1", "1", 0.0, INF, f"time horizon ({_TAU})", lo_open=True, required=False),
)))
