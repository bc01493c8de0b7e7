"""``crossbar``: recall on memristor crossbars with device physics, circuits and faults.

The stored matrix — Wᵀ of a weight-based Hopfield network, or ξᵀ of a bipartite DenseAM —
is programmed into tiles of a crossbar described by a device card (kind "memristor") and
a circuit card (kind "crossbar"), once per fault draw (``n_draws`` chips), and recalled
with the crossbar product in the loop (see :mod:`neuroam.crossbar`). Trials are every cue
on every draw, draw-major: trial = draw · n_cues + cue. Fault masks, stuck maps and
conductance maps are returned in ``extras`` with dims ``(draw, row, col)`` (logical
weights, row = input, col = output) and ``(draw, device_row, device_col)`` (devices, tiles
side by side). Energy and latency per recall are estimated from the cards
(:func:`neuroam.costs.crossbar.crossbar_cost`) and recorded in ``attrs``.
"""

from __future__ import annotations

import time
from typing import Literal

import jax
import jax.numpy as jnp
import numpy as np
from pydantic import Field

from ..costs.crossbar import circuit_costs, crossbar_cost
from ..crossbar.chip import program_model
from ..crossbar.dynamics import LoopConfig, Stored, run_recall
from ..crossbar.mapping import affected_weights
from ..crossbar.plan import RULE_CHOICES
from ..crossbar.read import make_reader
from ..dynamics.common import cast_floats, overlap_matrix, resolve_dtype
from ..models.synapses import WeightSynapse
from ..results import Extra, RecallResult
from ._assemble import with_cost
from .base import Implementation, SettingsBase
from .registry import register

__all__ = ["Crossbar"]


class CrossbarSettings(SettingsBase):
    """Settings of ``crossbar``. Times after programming in seconds."""

    device: str = Field("rram-hfo2", description="memristor device card: a name in devices/ or a "
                        "path", json_schema_extra={"card": "device"})
    circuit: str = Field("crossbar-64", description="crossbar circuit card: a name in circuits/ "
                         "or a path", json_schema_extra={"card": "circuit"})
    rule: Literal[RULE_CHOICES] = Field(  # type: ignore[valid-type]
        "model", description="what is programmed: 'model' (the scenario's model: W of a "
        "Hopfield rule or ξ of a bipartite model), or the Hopfield weights of a learning rule "
        "applied to the same patterns (fault-aware: trained knowing each draw's faults)")
    fault_rate: float = Field(0.0, ge=0.0, le=1.0, description="fraction of faulty cells: "
                              "logical weights (zero) or devices (stuck)")
    fault_kind: Literal["zero", "stuck"] = Field(
        "stuck", description="'zero': faulty weights are 0 (He et al. 2025); 'stuck': devices "
        "stuck at g_min (OFF) or g_max (ON)")
    fault_model: Literal["independent", "lines", "clustered"] = "independent"
    stuck_on_fraction: float | None = Field(None, ge=0.0, le=1.0, description="share of stuck "
                                            "devices that are ON; default: the card's")
    cluster_size: float = Field(2.0, gt=0.0, description="cluster radius in cells (clustered)")
    levels: int | None = Field(None, ge=0, description="programmable levels (0 analog); "
                               "default: the card's; at most the card's")
    write_verify: int | None = Field(None, ge=0, le=100, description="program-and-verify "
                                     "passes; default: the card's")
    drift_time: float = Field(0.0, ge=0.0, description="time since programming (s)")
    drift_compensation: bool = Field(False, description="global drift compensation (aihwkit)")
    ir_drop: Literal["approximate", "exact", "off"] = "approximate"
    dynamics: Literal["sync", "async", "ode"] = "sync"
    max_steps: int = Field(100, ge=1, le=100_000, description="sweeps (sync/async) or Euler "
                           "steps (ode)")
    dt: float = Field(0.1, gt=0.0, description="Euler step (τ), ode only")
    steady_tol: float = Field(0.02, gt=0.0, description="ode: steady when RMS(dx/dt) < this "
                              "(1/τ); keep it above the read-noise floor of the field")
    n_draws: int = Field(4, ge=1, le=4096, description="chips: fault maps and device draws")
    train_steps: int = Field(400, ge=1, description="fault-aware training: Adam steps")
    train_flip_rate: float = Field(0.1, ge=0.0, lt=0.5, description="fault-aware training: "
                                   "flip rate of the noisy copies")
    save_states: bool = True
    dtype: Literal["float32", "float64"] = "float32"


def _broadcast(tree, n):
    return jax.tree_util.tree_map(
        lambda a: jnp.broadcast_to(a, (n, *a.shape)) if isinstance(a, jax.Array) else a, tree)


@register
class Crossbar(Implementation):
    """Memristor crossbar: device cards, non-idealities, faults, IR drop, crossbar products in the loop."""

    name = "crossbar"
    description = "Memristor crossbar (device + circuit cards, faults, drift, IR drop)"
    time_unit = "sweep"
    Settings = CrossbarSettings

    def recall(self, model, patterns, cues, settings, *, seed=0):
        s = settings
        cues.check_against(patterns)
        t_start = time.perf_counter()
        chip = program_model(model, patterns, s, seed=seed)
        plan, arr, n = chip.plan, chip.array, s.n_draws
        costs = circuit_costs(chip.circuit)  # card checked before the run, used after it
        t_prog = time.perf_counter() - t_start
        dt = resolve_dtype(s.dtype)
        draws, per = make_reader(arr, dt)
        if chip.weights is not None:  # fault-aware: the energy of the trained weights
            syn = WeightSynapse(jnp.asarray(chip.weights), jnp.asarray(chip.bias))
        else:
            syn = _broadcast(plan.energy_syn, n)
        stored = Stored(bias=jnp.asarray(chip.bias, dt), energy_syn=cast_floats(syn, dt),
                        hidden=cast_floats(plan.hidden, dt), visible=cast_floats(plan.visible, dt),
                        tau=jnp.asarray(plan.tau, dt), dt=jnp.asarray(s.dt, dt),
                        steady_tol=jnp.asarray(s.steady_tol, dt))
        cfg = LoopConfig(form=plan.form, dynamics=s.dynamics, max_steps=s.max_steps,
                         save_states=s.save_states)
        states = np.asarray(cues.states, np.float64)
        x0 = states if s.dynamics == "ode" else np.where(states >= 0, 1.0, -1.0)
        clamp = np.zeros_like(states, bool) if cues.clamp is None else np.asarray(cues.clamp)
        T = cues.n_trials
        keys = jax.random.split(jax.random.key(int(seed)), n * T).reshape(n, T)
        out = run_recall(cfg, draws, per, stored, overlap_matrix(patterns, dt),
                         jnp.asarray(x0, dt), jnp.asarray(1.0 - clamp, dt), keys)
        buf, final, status, ctime, steps = jax.tree_util.tree_map(
            lambda a: np.asarray(a).reshape(n * T, *np.shape(a)[2:]), out)
        wall = time.perf_counter() - t_start
        ode = s.dynamics == "ode"
        times = np.arange(s.max_steps + 1, dtype=np.float64) * (s.dt if ode else 1.0)
        result = RecallResult(
            implementation=self.name, times=times, states=buf.get("state"),
            energies=buf["energy"], overlaps=buf["overlap"], final=final, status=status,
            converge_time=ctime, cues=np.tile(cues.states, (n, 1)),
            targets=np.tile(cues.targets, n), time_unit="tau" if ode else "sweep",
            extras=self._extras(arr, n, T, steps),
            attrs=self._attrs(s, chip, seed, wall, t_prog))
        return with_cost(result, crossbar_cost(result, chip, dynamics=s.dynamics, costs=costs))

    @staticmethod
    def _extras(arr, n, T, steps) -> dict:
        f, layout = arr.faults, arr.layout
        affected = f.zero | affected_weights(f.stuck, layout)
        return {
            "draw": Extra(("trial",), np.repeat(np.arange(n), T), "1"),
            "n_steps": Extra(("trial",), steps, "1"),
            "fault_mask": Extra(("draw", "row", "col"), affected.astype(np.int8), "1"),
            "stuck": Extra(("draw", "device_row", "device_col"), layout.assemble(f.stuck), "1"),
            "conductance": Extra(("draw", "device_row", "device_col"),
                                 layout.assemble(arr.g).astype(np.float32), "S"),
            "weight_effective": Extra(("draw", "row", "col"),
                                      arr.weights().astype(np.float32), "1"),
            "compensation": Extra(("draw",), arr.compensation, "1"),
        }

    @staticmethod
    def _attrs(s, chip, seed, wall, t_prog) -> dict:
        plan, arr, device, circuit = chip.plan, chip.array, chip.device, chip.circuit
        f, layout = arr.faults, arr.layout
        cells = f.zero if s.fault_kind == "zero" else f.stuck != 0
        affected = f.zero | affected_weights(f.stuck, layout)
        g = arr.g
        ir = float(np.max(np.where(g > 0, 1.0 - arr.g_eff / np.where(g > 0, g, 1.0), 0.0)))
        return {
            "model": plan.describe, "form": plan.form, "rule": s.rule,
            "device": device.name, "circuit": circuit.name, "mapping": circuit.mapping,
            "tiles": layout.n_tiles, "tile_rows": layout.tile_rows, "tile_cols": layout.tile_cols,
            "fault_kind": s.fault_kind, "fault_model": s.fault_model,
            "fault_rate": s.fault_rate, "faulty_cell_fraction": float(np.mean(cells)),
            "affected_weight_fraction": float(np.mean(affected)),
            "w_max": arr.w_max,
            "drift_time_s": s.drift_time, "drift_compensation": s.drift_compensation,
            "compensation_mean": float(np.mean(arr.compensation)),
            "ir_drop": s.ir_drop, "ir_drop_max_attenuation": ir,
            "n_draws": s.n_draws, "dynamics": s.dynamics, "seed": int(seed),
            "program_time_s": t_prog, "wall_time_s": wall,
        }
