"""``crossbar``: recall on memristor crossbars with device physics, circuits and faults.

The stored matrix — Wᵀ of a weight-based Hopfield network, or ξᵀ of a bipartite DenseAM —
is programmed into tiles of a crossbar described by a device card (kind "memristor", or
any technology of the ``neuroam.devices`` group: :mod:`neuroam.crossbar.device`) and
a circuit card (kind "crossbar"), once per fault draw (``n_draws`` chips), and recalled
with the crossbar product in the loop (see :mod:`neuroam.crossbar`). Trials are every cue
on every draw, draw-major: trial = draw · n_cues + cue. Fault masks, stuck maps and
conductance maps are returned in ``extras`` with dims ``(draw, row, col)`` (logical
weights, row = input, col = output) and ``(draw, device_row, device_col)`` (devices, tiles
side by side). Energy and latency per recall are estimated from the cards
(:func:`neuroam.costs.crossbar.crossbar_cost`) and recorded in ``attrs``.

Runs that differ only in settings that enter chip programming (:data:`BATCHABLE`: fault
rate, kind and model, levels, write-verify, drift, IR drop, training flip rate) or the
stopping margin of their trials (``noise_margin``) and in
their seeds, patterns and cues are recalled as one batched call
(:meth:`Crossbar.recall_batch`, :mod:`neuroam.crossbar.batch`); a lone run is a batch of
one, and each run's chips, training and read noise come from its own seed alone.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Literal

import jax
import numpy as np
from pydantic import Field, field_validator

from ..costs.crossbar import circuit_costs, crossbar_cost
from ..crossbar.batch import runs_per_step, split_run, stack_runs
from ..crossbar.chip import program_models
from ..crossbar.dynamics import run_recall
from ..crossbar.mapping import affected_weights
from ..crossbar.plan import unsupported
from ..dynamics.common import resolve_dtype
from ..errors import ValueRangeError
from ..results import Extra, RecallResult
from ._assemble import with_cost
from .base import Implementation, RecallJob, SettingsBase

__all__ = ["Crossbar"]


class CrossbarSettings(SettingsBase):
    """Settings of ``crossbar``. Times after programming in seconds."""

    device: str = Field("rram-hfo2", description="crossbar device card: a name in devices/ or a "
                        "path; its kind picks the technology (memristor, or one a plug-in "
                        "declares in the neuroam.devices group)",
                        json_schema_extra={"card": "device", "kind": "memristor",
                                           "technologies": "neuroam.devices"})
    circuit: str = Field("crossbar-64", description="crossbar circuit card: a name in circuits/ "
                         "or a path", json_schema_extra={"card": "circuit", "kind": "crossbar"})
    rule: str = Field(
        "model", description="what is programmed: 'model' (the scenario's model: W of a "
        "Hopfield rule or ξ of a bipartite model), or the Hopfield weights of a learning rule "
        "applied to the same patterns (hebbian, storkey, pseudo-inverse, fault-aware: trained "
        "knowing each draw's faults, or a rule a plug-in declares)")
    fault_rate: float = Field(0.0, ge=0.0, le=1.0, description="fraction of faulty cells: "
                              "logical weights (zero) or devices (stuck)")
    fault_kind: Literal["zero", "stuck"] = Field(
        "stuck", description="'zero': faulty weights are 0 (He et al. 2025); 'stuck': devices "
        "stuck at g_min (OFF) or g_max (ON)")
    fault_model: Literal["independent", "bernoulli", "bernoulli-symmetric", "lines",
                         "clustered"] = Field(
        "independent", description="where faults fall: 'independent' (exactly round(p N) "
        "cells), 'bernoulli' (each cell faulty with probability p, He et al. 2025), "
        "'bernoulli-symmetric' (weights W_ij and W_ji together; zero faults), 'lines', "
        "'clustered'")
    zero_diagonal: bool | None = Field(None, description="weights from a learning rule (this "
                                       "rule, or a Hopfield [model]'s): True drops the "
                                       "self-coupling W_ii, False keeps it; default: the "
                                       "rule's own. A stored ξ has none")
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
    noise_margin: float = Field(3.0, ge=0.0, description="sync/async: a trial has settled "
                                "when a sweep flips no neuron whose field exceeds this many σ "
                                "of its read noise (0: when a sweep flips nothing)")
    n_draws: int = Field(4, ge=1, le=4096, description="chips: fault maps and device draws")
    train_steps: int = Field(400, ge=1, description="fault-aware training: Adam steps")
    train_flip_rate: float = Field(0.1, ge=0.0, lt=0.5, description="fault-aware training: "
                                   "flip rate of the noisy copies")
    save_states: bool = True
    dtype: Literal["float32", "float64"] = "float32"

    @field_validator("rule")
    @classmethod
    def _known_rule(cls, rule: str) -> str:
        from ..learning import RULES

        if rule != "model" and rule not in RULES:
            names = ", ".join(["model", *RULES.names()])
            raise ValueError(f"rule {rule!r} is not a learning rule; expected one of {names}")
        return rule


#: settings that only enter chip programming (faults, devices, training bounds) or are
#: numbers of each draw in the compiled recall loop (noise_margin), never its shape or
#: code: runs differing in them share one batched call.


BATCHABLE = frozenset({
    "fault_rate", "fault_kind", "fault_model", "stuck_on_fraction", "cluster_size", "levels",
    "write_verify", "drift_time", "drift_compensation", "ir_drop", "train_flip_rate",
    "noise_margin"})


def _check_batch(jobs: list[RecallJob]) -> None:
    """The jobs of one batch share the model, shapes and every non-batchable setting."""
    j0 = jobs[0]
    loop = j0.settings.model_dump(exclude=set(BATCHABLE))
    for j in jobs[1:]:
        diff = sorted(k for k, v in j.settings.model_dump(exclude=set(BATCHABLE)).items()
                      if loop[k] != v)
        if diff:
            raise ValueRangeError(f"crossbar runs in one batch whose settings {diff} differ",
                                  f"differences only in {sorted(BATCHABLE)}",
                                  "Run them in separate batches.")
        if j.model is not j0.model and j.model.describe() != j0.model.describe():
            raise ValueRangeError(f"crossbar runs in one batch with models {j0.model.describe()}"
                                  f" and {j.model.describe()}", "one model per batch",
                                  "Run them in separate batches.")
        if (j.patterns.xi.shape != j0.patterns.xi.shape
                or j.cues.states.shape != j0.cues.states.shape):
            raise ValueRangeError(
                f"crossbar runs in one batch with patterns {j.patterns.xi.shape} and cues "
                f"{j.cues.states.shape} (first run: {j0.patterns.xi.shape}, "
                f"{j0.cues.states.shape})", "one pattern shape and one cue shape per batch",
                "Run them in separate batches.")



class Crossbar(Implementation):
    """Memristor crossbar: device cards, non-idealities, faults, IR drop, crossbar products in the loop."""

    name = "crossbar"
    description = "Memristor crossbar (device + circuit cards, faults, drift, IR drop)"
    time_unit = "sweep"
    Settings = CrossbarSettings
    thread_safe = True
    batchable = BATCHABLE

    def supports(self, model, settings=None):
        s = settings if settings is not None else self.Settings()
        return unsupported(model.structure, s.rule)

    def recall(self, model, patterns, cues, settings, *, seed=0):
        return self.recall_batch([RecallJob(model, patterns, cues, settings, seed)])[0]

    def recall_batch(self, jobs: Sequence[RecallJob]) -> list[RecallResult]:
        """Program every job's chips (its own RNG stream, fault-aware weights of all jobs
        trained in one call), recall on all of them in ONE compiled call (draws of every
        job side by side, padded to a power of two of jobs), split per job.

        ``program_time_s`` and ``wall_time_s`` of a batched job are the batch's times
        divided by the number of jobs.
        """
        jobs = list(jobs)
        if not jobs:
            return []
        _check_batch(jobs)
        for j in jobs:
            j.cues.check_against(j.patterns)
        t_start = time.perf_counter()
        J, s = len(jobs), jobs[0].settings
        step = runs_per_step()
        chips = program_models([(j.model, j.patterns, j.settings, j.seed) for j in jobs],
                               pad=True, runs_per_step=step)
        costs = circuit_costs(chips[0].circuit)  # card checked before the run, used after it
        t_prog = (time.perf_counter() - t_start) / J
        batch = stack_runs(chips, jobs, s, resolve_dtype(s.dtype), runs_per_step=step)
        out = jax.tree_util.tree_map(np.asarray, run_recall(*batch.args()))
        wall = (time.perf_counter() - t_start) / J
        n = s.n_draws
        ode = s.dynamics == "ode"
        times = np.arange(s.max_steps + 1, dtype=np.float64) * (s.dt if ode else 1.0)
        results = []
        for i, (job, chip) in enumerate(zip(jobs, chips)):
            buf, final, status, ctime, steps = split_run(out, i, n)
            cues, T = job.cues, job.cues.n_trials
            result = RecallResult(
                implementation=self.name, times=times, states=buf.get("state"),
                energies=buf["energy"], overlaps=buf["overlap"], final=final, status=status,
                converge_time=ctime, cues=np.tile(cues.states, (n, 1)),
                targets=np.tile(cues.targets, n), time_unit="tau" if ode else "sweep",
                extras=self._extras(chip.array, n, T, steps),
                attrs=self._attrs(job.settings, chip, job.seed, wall, t_prog))
            results.append(with_cost(result, crossbar_cost(result, chip, dynamics=s.dynamics,
                                                           costs=costs)))
        return results

    def result_bytes(self, settings, n_trials: int, D: int, K: int) -> int:
        """Rough bytes of one run's result: ``n_draws·n_trials`` trials of ``max_steps + 1``
        saved sweeps (energy, K overlaps, D states if saved) plus cues and finals, and the
        per-draw maps (fault mask, effective weights, stuck codes and conductances of the
        devices: two per weight, differential pairs, tile padding ignored)."""
        s = settings
        item = 8 if s.dtype == "float64" else 4
        trials = s.n_draws * n_trials
        S = s.max_steps + 1
        per_trial = item * (S * (1 + K + (D if s.save_states else 0)) + 3 * D + 4) + 8
        weights = D * max(D, K)  # weights form: D×D; bipartite: D×K
        per_draw = weights * (1 + 4) + 2 * weights * (1 + 4) + 8
        return trials * per_trial + s.n_draws * per_draw

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
