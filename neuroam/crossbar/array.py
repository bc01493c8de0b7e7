"""Program a logical matrix into crossbar tiles, for several fault draws (chips) at once.

Every device physics goes through the technology's :class:`~.device.DeviceModel`
(tops, quantize, program, drift_state/drift, accumulated_noise, read_sigma_rel); this
module only strings them together. Pipeline per draw: zero the weights of the zeroed-weight abstraction → map weights to
target conductances (knowing stuck devices only when ``known_faults``) → each device's
own upper bound (device-to-device variation) → finite levels → programming noise and
write-verify → stuck devices at g_min / their g_max → drift to the read time and the
accumulated 1/f noise → global drift compensation factor → IR drop folded into effective
conductances → per-read noise variances. By reciprocity of the passive network, transposed
reads (columns driven, rows sensed) see the same effective matrix as forward reads.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from ..errors import ValueRangeError
from . import drift as drift_mod
from . import ir_drop
from .circuit import Circuit
from .device import DeviceModel
from .faults import fault_grid, stuck_codes
from .mapping import STUCK_OFF, STUCK_ON, readback, targets
from .tiling import TileLayout

__all__ = ["FaultSpec", "Faults", "draw_faults", "ProgrammedArray", "program_array",
           "FAULT_KINDS"]

FAULT_KINDS = ("zero", "stuck")


@dataclasses.dataclass(frozen=True)
class FaultSpec:
    """What to inject: ``rate`` ∈ [0, 1] of cells, ``kind`` "zero" (logical weights set to
    0, He et al. 2025) or "stuck" (devices stuck at g_min/g_max), a spatial ``model``,
    ``stuck_on`` share of stuck-ON devices and ``cluster_size`` (cells)."""

    rate: float = 0.0
    kind: str = "stuck"
    model: str = "independent"
    stuck_on: float = 0.5
    cluster_size: float = 2.0

    def __post_init__(self):
        if self.kind not in FAULT_KINDS:
            raise ValueRangeError(f"fault_kind = {self.kind!r}", f"one of {list(FAULT_KINDS)}",
                                  "'zero' zeroes weights (He et al.), 'stuck' sticks devices.")


@dataclasses.dataclass(frozen=True)
class Faults:
    """Per-draw faults: ``zero`` (draw, n_in, n_out) bool and ``stuck`` (draw, nb, nc, R, C) int8."""

    zero: np.ndarray
    stuck: np.ndarray


def draw_faults(layout: TileLayout, n_draws: int, spec: FaultSpec,
                rng: np.random.Generator) -> Faults:
    zero = np.zeros((n_draws, layout.n_in, layout.n_out), bool)
    stuck = np.zeros((n_draws, *layout.tile_shape), np.int8)
    if spec.kind == "zero":
        zero, _ = fault_grid(zero.shape, spec.rate, spec.model, rng,
                             cluster_size=spec.cluster_size)
    else:
        stuck = stuck_codes(stuck.shape, spec.rate, spec.model, spec.stuck_on, rng,
                            cluster_size=spec.cluster_size)
    return Faults(zero, stuck)


@dataclasses.dataclass(frozen=True)
class ProgrammedArray:
    """Tiles of every draw. Device arrays are ``(draw, nb, nc, tile_rows, tile_cols)`` in S.

    Attributes:
        g_programmed: right after programming (noise, levels, stuck devices), before drift.
        g: at the read time (drift, accumulated 1/f noise).
        g_eff: effective conductances (IR drop) of forward and transposed reads, which
            agree by reciprocity (:mod:`.ir_drop`).
        read_var: per-read noise variance of every device (S²).
        compensation: ``(draw,)`` global drift compensation factor (1 when off).
        w_max: the weight that maps to the full conductance window.
    """

    layout: TileLayout
    device: DeviceModel
    circuit: Circuit
    w_max: float
    faults: Faults
    g_programmed: np.ndarray
    g: np.ndarray
    g_eff: np.ndarray
    read_var: np.ndarray
    compensation: np.ndarray

    @property
    def n_draws(self) -> int:
        return self.g.shape[0]

    def weights(self, *, programmed: bool = False) -> np.ndarray:
        """``(draw, n_in, n_out)`` weights the conductances represent (no wires, no read noise),
        times the drift compensation (``programmed``: right after programming)."""
        d = self.device
        G = self.g_programmed if programmed else self.g
        W = readback(G, self.layout, d.g_min, d.g_max, self.w_max)
        return W if programmed else W * self.compensation[:, None, None]


def _effective(G: np.ndarray, r: float, mode: str) -> np.ndarray:
    if mode == "off" or r == 0:
        return G.copy()
    if mode == "approximate":
        return ir_drop.approximate(G, r)
    flat = G.reshape(-1, *G.shape[-2:])
    out = np.stack([ir_drop.effective(t, r) for t in flat])
    return out.reshape(G.shape)


def program_array(M: np.ndarray, layout: TileLayout, device: DeviceModel, circuit: Circuit,
                  faults: Faults, rng: np.random.Generator, *, w_max: float | None = None,
                  levels: int = 0, write_verify: int = 0, drift_time: float = 0.0,
                  compensation: bool = False, ir_mode: str = "approximate",
                  known_faults: bool = False) -> ProgrammedArray:
    """Program ``M`` (n_in, n_out) — or one matrix per draw (draw, n_in, n_out) — into tiles.

    ``w_max`` defaults to max |M|; ``known_faults`` lets the programming compensate stuck
    devices with their partners (fault-aware). Times in seconds.
    """
    n = faults.zero.shape[0]
    M = np.broadcast_to(np.asarray(M, dtype=np.float64), (n, layout.n_in, layout.n_out))
    if w_max is None:
        w_max = float(np.max(np.abs(M))) or 1.0
    if ir_mode not in ir_drop.IR_MODES:
        raise ValueRangeError(f"ir_drop = {ir_mode!r}", f"one of {list(ir_drop.IR_MODES)}",
                              "Pick how IR drop is modelled.")
    Mz = np.where(faults.zero, 0.0, M)
    shape = faults.stuck.shape
    tops = device.tops(shape, rng)
    T = targets(Mz, layout, device.g_min, device.g_max, w_max,
                stuck=faults.stuck if known_faults else None, g_top=tops)
    T = device.quantize(np.minimum(T, tops, out=T), levels)
    g_prog = device.program(T, rng, tops=tops, write_verify=write_verify)
    on, off = faults.stuck == STUCK_ON, faults.stuck == STUCK_OFF
    np.copyto(g_prog, tops, where=on)
    g_prog[off] = device.g_min
    stuck = faults.stuck != 0
    state = device.drift_state(T, rng)
    g = device.drift(g_prog, state, drift_time)
    if g is not g_prog:
        np.copyto(g, g_prog, where=stuck)  # a stuck device stays where it is stuck
    g = device.accumulated_noise(g, g_prog, drift_time, rng)
    if compensation:
        W0 = readback(g_prog, layout, device.g_min, device.g_max, w_max)
        W1 = readback(g, layout, device.g_min, device.g_max, w_max)
        comp = drift_mod.compensation(W0, W1)
    else:
        comp = np.ones(n)
    g_eff = _effective(g, circuit.wire_resistance, ir_mode)
    read_var = device.read_sigma_rel(g)
    read_var *= g
    np.square(read_var, out=read_var)
    return ProgrammedArray(layout=layout, device=device, circuit=circuit, w_max=float(w_max),
                           faults=faults, g_programmed=g_prog, g=g, g_eff=g_eff,
                           read_var=read_var, compensation=comp)
