"""``crossbar-spice``: the crossbar Hopfield recall loop as a circuit, simulated in ngspice.

The chips are those ``crossbar`` programs for the same settings and seed
(:func:`neuroam.crossbar.chip.program_model`: faults, device variation, levels, drift);
the loop of :mod:`neuroam.crossbar.loop` — row drivers, the array with its wire
resistance (exact IR drop, solved by ngspice), TIAs with a one-pole bandwidth and tanh
neurons with an RC time constant, fed back to the rows — is integrated in transient from
each cue. Trials are every cue on every draw, draw-major, as for ``crossbar``.

Result: ``times`` and ``converge_time`` in seconds (the settling time: from then on every
neuron keeps its final sign); ``states`` the neuron outputs x ∈ [−1, 1]; ``energies`` the
Hopfield energy −½ xᵀWx − bᵀx of the stored (ideal) weights; ``overlaps`` ξx/D. With
``compare`` the ``crossbar`` implementation runs on the same chips and cues: extras
``model_final``, attrs ``model_agreement`` (identical ±1 final states), ``crossbar_sweeps_mean``
and ``crossbar_latency_s`` (its latency estimate per recall, from the circuit card) beside
``settle_time_mean_s``.

Not in the loop: DAC/ADC quantisation and read noise (the analog loop has no converters;
use a circuit card without them, e.g. ``crossbar-loop-32``, to compare like with like).
Refused: bipartite (ξ-programmed) models, matrices needing more than one tile, clamped cues.
"""

from __future__ import annotations

import time
from typing import Literal

import numpy as np
from pydantic import Field

from ..crossbar import ir_drop
from ..crossbar.chip import program_model
from ..crossbar.loop import LoopDesign, simulate_loop
from ..crossbar.mapping import weight_per_siemens
from ..errors import UnsupportedError
from ..metrics.agreement import agreement_fraction, exact_fraction
from ..results import Extra, RecallResult, Status
from ..spice import require_ngspice
from .base import Implementation
from .crossbar import CrossbarSettings

__all__ = ["CrossbarSpice"]


class CrossbarSpiceSettings(CrossbarSettings):
    """``crossbar`` settings (programming, faults, cards) plus the loop's peripherals (SI).
    ``dynamics``, ``max_steps`` and ``noise_margin`` apply to the compared ``crossbar`` run."""

    n_draws: int = Field(1, ge=1, le=64, description="chips (fault draws)")
    dynamics: Literal["sync", "async", "ode"] = Field(
        "ode", description="update rule of the compared `crossbar` run; 'ode' (the continuous "
        "flow τ dx/dt = g(h) − x) is what the loop's RC neurons integrate: synchronous sign "
        "sweeps can fall into a mixture state from cues that the continuous loop retrieves")
    wire_resistance: float | None = Field(None, ge=0, description="wire resistance per segment "
                                          "(Ω); None: the circuit card's")
    wires: Literal["effective", "explicit"] = Field(
        "effective", description="'effective': the array's conductances with the IR drop folded "
        "in (neuroam's exact per-row/column model, ir_drop.effective) and merged wire nodes; "
        "'explicit': every wire segment in the netlist (exact, but ~2·R·C nodes: minutes per "
        "cue on a 32x64 tile)")
    tia_resistance: float | None = Field(None, gt=0, description="TIA feedback R_f (Ω); None: "
                                         "one volt per unit of field")
    tia_bandwidth: float = Field(1e9, gt=0, description="TIA bandwidth, one pole (Hz)")
    neuron_gain: float = Field(10.0, gt=0, description="tanh slope β (1/V)")
    neuron_tau: float = Field(10e-9, gt=0, description="neuron RC time constant (s)")
    t1: float = Field(20.0, gt=0, description="transient length in neuron time constants")
    n_save: int = Field(41, ge=3)
    per_netlist: int = Field(4, ge=1, description="loops (cues) in one netlist")
    workers: int = Field(2, ge=1, description="ngspice processes at a time")
    timeout: float = Field(900.0, gt=0, description="seconds allowed per ngspice run")
    compare: bool = Field(True, description="also run `crossbar` on the same chips and cues")




class CrossbarSpice(Implementation):
    """Closed-loop crossbar Hopfield circuit (drivers, array, TIAs, tanh/RC neurons) in ngspice."""

    name = "crossbar-spice"
    description = ("Closed-loop crossbar Hopfield circuit in ngspice: row drivers, programmed "
                   "array with wire resistance, TIAs, tanh neurons with RC, fed back")
    time_unit = "s"
    Settings = CrossbarSpiceSettings
    thread_safe = True

    def supports(self, model, settings=None):
        s = settings if settings is not None else self.Settings()
        st = model.structure
        if s.rule != "model" or (st.form == "one-layer" and st.stores == "weights"):
            return None  # a rule's Hopfield weights, or the model's own W
        return (f"with rule = {s.rule!r}, expected a weight-based Hopfield model (hopfield "
                "with a learning rule), or the setting rule = 'hebbian' / 'storkey' / "
                "'pseudo-inverse' / 'fault-aware'. The closed loop of crossbar-spice feeds the "
                "neurons back to the rows of a W array; a bipartite ξ array needs a memory "
                "layer in the periphery. Set [model] rule, or the label's `rule`.")

    def loop(self, model, patterns, s, *, seed: int = 0):
        """``(chip, design)`` of a run: the programmed chips and the loop's peripherals."""
        self.check_model(model, s)
        chip = program_model(model, patterns, s, seed=seed)
        lay, circuit, dev = chip.array.layout, chip.circuit, chip.device
        if chip.plan.form != "weights":
            raise UnsupportedError(f"the stored form {chip.plan.form!r} for crossbar-spice",
                                   "the weights form (W on the array)",
                                   "Use a Hopfield model with a learning rule.")
        if lay.nb != 1 or lay.nc != 1:
            raise UnsupportedError(
                f"{patterns.D} neurons on {lay.nb}x{lay.nc} tiles of {lay.tile_rows}x"
                f"{lay.tile_cols} ({circuit.name})", "a network that fits one tile",
                "Use a circuit card with larger tiles (e.g. crossbar-loop-32 for D ≤ 32).")
        s_w = weight_per_siemens(circuit.mapping, dev.g_min, dev.g_max, chip.array.w_max)
        rf = s.tia_resistance if s.tia_resistance is not None else s_w / circuit.read_voltage
        r = circuit.wire_resistance if s.wire_resistance is None else s.wire_resistance
        design = LoopDesign(read_voltage=circuit.read_voltage, wire_resistance=r,
                            tia_resistance=rf, tia_bandwidth=s.tia_bandwidth,
                            neuron_gain=s.neuron_gain, neuron_tau=s.neuron_tau,
                            mapping=circuit.mapping)
        return chip, design

    def recall(self, model, patterns, cues, settings, *, seed=0):
        s = settings
        require_ngspice()
        cues.check_against(patterns)
        if cues.clamp is not None and np.any(cues.clamp):
            raise UnsupportedError("cues with clamped neurons for crossbar-spice",
                                   "free neurons", "Use cues without clamping.")
        chip, design = self.loop(model, patterns, s, seed=seed)
        xi = np.asarray(patterns.xi, np.float64)
        K, D = xi.shape
        x0 = np.where(np.asarray(cues.states) >= 0, 1.0, -1.0)
        T = x0.shape[0]
        # the field the TIA output represents, in volts: weights per siemens / volts per field
        s_w = weight_per_siemens(chip.circuit.mapping, chip.device.g_min, chip.device.g_max,
                                 chip.array.w_max)
        volts_per_field = design.tia_resistance * design.read_voltage / s_w
        t0 = time.perf_counter()
        xs = []
        r = design.wire_resistance
        for d in range(s.n_draws):
            bias = np.asarray(chip.bias[d], np.float64) * volts_per_field
            G = np.asarray(chip.array.g[d, 0, 0], np.float64)
            if s.wires == "effective":
                G = ir_drop.effective(G, r) if r > 0 else G
            times, x = simulate_loop(design.wired(s.wires == "explicit"), G, D, bias, x0,
                                     t_stop=s.t1 * s.neuron_tau, n_save=s.n_save,
                                     per_netlist=s.per_netlist, workers=s.workers,
                                     timeout=s.timeout)
            xs.append(x)
        wall = time.perf_counter() - t0
        x = np.concatenate(xs)  # (n·T, S, D), draw-major
        W = np.asarray(chip.plan.M, np.float64).T
        b = np.asarray(chip.plan.bias, np.float64)
        energies = -0.5 * np.einsum("tsi,ij,tsj->ts", x, W, x) - x @ b
        overlaps = x @ xi.T / D
        sign = np.where(x >= 0, 1.0, -1.0)
        final = x[:, -1]
        differs = np.any(sign != sign[:, -1:], axis=2)  # (trials, S)
        last = np.where(differs, np.arange(len(times))[None, :], -1).max(axis=1)
        tail = max(2, len(times) // 10)
        stable = ~differs[:, -tail:].any(axis=1) & np.all(np.abs(final) > 0.5, axis=1)
        finite = np.all(np.isfinite(x), axis=(1, 2))
        status = np.where(~finite, Status.NON_FINITE,
                          np.where(stable, Status.CONVERGED, Status.MAX_STEPS)).astype(np.int8)
        settle = np.where(stable, times[np.minimum(last + 1, len(times) - 1)], np.nan)
        attrs = {"model": chip.plan.describe, "rule": s.rule, "device": chip.device.name,
                 "circuit": chip.circuit.name, "fault_rate": s.fault_rate,
                 "fault_kind": s.fault_kind, "n_draws": s.n_draws, "seed": int(seed),
                 "wall_time_s": wall, "t1_s": s.t1 * s.neuron_tau,
                 "settle_time_mean_s": float(np.nanmean(settle)) if np.any(stable) else float("nan"),
                 "settle_time_max_s": float(np.nanmax(settle)) if np.any(stable) else float("nan"),
                 "not_modelled": "DAC/ADC quantisation, read noise", "wires": s.wires,
                 **design.describe()}
        extras = {"draw": Extra(("trial",), np.repeat(np.arange(s.n_draws), T), "1")}
        if s.compare:
            ref = self._crossbar(model, patterns, cues, s, seed)
            extras["model_final"] = Extra(("trial", "neuron"), np.asarray(ref.final), "1")
            attrs["model_agreement"] = agreement_fraction(final, ref.final)
            attrs["model_agreement_2pct"] = agreement_fraction(final, ref.final, tol=0.02)
            attrs["model_exact"] = exact_fraction(ref.final, patterns.xi, cues.targets)
            attrs["circuit_exact"] = exact_fraction(final, patterns.xi, cues.targets)
            attrs["crossbar_sweeps_mean"] = float(np.nanmean(ref.converge_time))
            lat = ref.attrs.get("latency_per_recall_s")
            if lat is not None:
                attrs["crossbar_latency_s"] = float(lat)
                if np.any(stable):
                    attrs["settle_over_latency"] = attrs["settle_time_mean_s"] / float(lat)
        return RecallResult(
            implementation=self.name, times=times, states=x if s.save_states else None,
            energies=energies, overlaps=overlaps, final=final, status=status,
            converge_time=settle, cues=np.tile(x0, (s.n_draws, 1)),
            targets=np.tile(cues.targets, s.n_draws), time_unit="s", extras=extras, attrs=attrs)

    @staticmethod
    def _crossbar(model, patterns, cues, s, seed) -> RecallResult:
        """``crossbar`` on the same settings (chips) and cues."""
        from . import registry

        xb = registry.get("crossbar")
        fields = set(CrossbarSettings.model_fields)
        return xb.recall(model, patterns, cues, CrossbarSettings(**s.model_dump(include=fields)),
                         seed=seed)
