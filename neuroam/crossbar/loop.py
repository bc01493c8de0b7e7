"""A closed-loop crossbar Hopfield circuit: the recall loop of one programmed tile in SPICE.

Blocks (one copy per trial in a netlist; every block is named in the netlist's comments):

- **row drivers**: VCVS ``E`` driving row i at V_read · x_i (x_i ∈ [−1, 1], the neuron's
  output), behind the first wire segment;
- **the array**: the programmed conductances G (S) of the tile, with their faults (stuck
  devices are in G) and the row/column wire segments r (Ω) of :mod:`.netlist`, so the IR
  drop is solved exactly by the simulator;
- **transimpedance amplifiers**: each column ends in a virtual ground (0 V source) whose
  current a CCVS turns into R_f · I (V); the differential pair (or the offset reference
  column) is subtracted, and a one-pole RC of bandwidth f_TIA (Hz) filters it;
- **neurons**: a behavioural saturating source tanh(β (u_j + b_j)) (u_j: the TIA output in
  volts, b_j the periphery bias in the same units) into an RC of time constant τ_n (s),
  whose output x_j is fed back to row j.

With R_f = s_g / V_read, s_g the weight per siemens of the mapping
(:func:`~.mapping.weight_per_siemens`), the TIA output is one volt per unit of field: u_j is the field h_j = Σ_i W_ji x_i of the stored weights, and the loop is
the continuous Hopfield network τ_n dx/dt = −x + tanh(β h(x)): for large β its stable states
are the sign-dynamics fixed points the ``crossbar`` implementation iterates to.
Cues are initial conditions of the neuron capacitors (``.ic``, ``uic``).
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from ..errors import ShapeError
from ..spice.run import RAW

__all__ = ["LoopDesign", "loop_netlist", "simulate_loop"]


@dataclasses.dataclass(frozen=True)
class LoopDesign:
    """Peripherals of the loop.

    Attributes:
        read_voltage: V_read (V) of an input of magnitude 1.
        wire_resistance: r (Ω) per cell segment of every row and column wire.
        tia_resistance: R_f (Ω) of every TIA.
        tia_bandwidth: f_TIA (Hz), one pole.
        neuron_gain: β (1/V), slope of tanh at 0.
        neuron_tau: τ_n = R C of the neuron (s).
        mapping: "differential" or "offset".
    """

    read_voltage: float
    wire_resistance: float
    tia_resistance: float
    tia_bandwidth: float
    neuron_gain: float
    neuron_tau: float
    mapping: str

    def wired(self, explicit: bool) -> "LoopDesign":
        """This design with its wire segments in the netlist (``explicit``) or not (the IR
        drop then comes folded into the conductances given to :func:`loop_netlist`)."""
        return self if explicit else dataclasses.replace(self, wire_resistance=0.0)

    def describe(self) -> dict:
        return {"loop_read_voltage_v": self.read_voltage,
                "loop_wire_resistance_ohm": self.wire_resistance,
                "loop_tia_resistance_ohm": self.tia_resistance,
                "loop_tia_bandwidth_hz": self.tia_bandwidth,
                "loop_neuron_gain_per_v": self.neuron_gain,
                "loop_neuron_tau_s": self.neuron_tau, "loop_mapping": self.mapping}


def _f(x: float) -> str:
    return f"{x:.10g}"


def _columns(mapping: str, j: int, k: int) -> tuple[int, int]:
    """Device columns (plus, minus/reference) of logical output j in a tile of k outputs."""
    return (2 * j, 2 * j + 1) if mapping == "differential" else (j, k)


def loop_netlist(design: LoopDesign, G: np.ndarray, n: int, bias: np.ndarray,
                 x0: np.ndarray, *, t_stop: float, n_save: int = 50,
                 title: str = "neuroam crossbar recall loop", comments=(),
                 raw: str | None = RAW) -> str:
    """One copy of the loop per row of ``x0`` ``(T, n)`` (initial neuron outputs).

    Args:
        G: ``(R, C)`` conductances (S) of one tile; rows ≥ n are unused inputs (held at
            0 V), device columns of outputs ≥ n are left unsensed.
        n: the number of neurons (inputs = outputs = n ≤ R).
        bias: ``(n,)`` periphery bias in field units.
        t_stop: transient length (s); ``n_save`` samples are written (binary, to ``raw``).
    """
    G = np.asarray(G, np.float64)
    x0 = np.atleast_2d(np.asarray(x0, np.float64))
    R, C = G.shape
    k = C // 2 if design.mapping == "differential" else C - 1
    if x0.shape[1] != n or n > R or n > k:
        raise ShapeError(f"{x0.shape[1]} initial states for {n} neurons on a {R}x{C} tile",
                         f"(T, n) states with n ≤ {min(R, k)}", "Use one tile per network.")
    d, r = design, design.wire_resistance
    cols = sorted({c for j in range(n) for c in _columns(d.mapping, j, k)})
    rc = 1.0 / (2 * math.pi * d.tia_bandwidth)
    out = [f"* {title}",
           f"* {x0.shape[0]} copies (one per cue) of a {n}-neuron loop on a {R}x{C} tile "
           f"({d.mapping} mapping), wire {_f(r)} ohm per segment",
           f"* V_read {_f(d.read_voltage)} V, TIA R_f {_f(d.tia_resistance)} ohm, bandwidth "
           f"{_f(d.tia_bandwidth)} Hz, neuron tanh gain {_f(d.neuron_gain)} 1/V, tau_n {_f(d.neuron_tau)} s",
           *[f"* {c}" for c in comments]]
    for t, x in enumerate(x0):
        p = f"k{t}"
        out += ["", f"* === loop for cue {t} ==="]
        out.append("* row drivers: V_read * x_i behind the first wire segment (unused rows at 0 V)")
        for i in range(R):
            node = f"{p}in{i}"
            if i < n:
                out.append(f"ED{p}_{i} {node} 0 {p}x{i} 0 {_f(d.read_voltage)}")
            else:
                out.append(f"VD{p}_{i} {node} 0 DC 0")
        row = (lambda i, c: f"{p}r{i}_{c}") if r > 0 else (lambda i, c: f"{p}in{i}")
        col = (lambda i, c: f"{p}c{i}_{c}") if r > 0 else (lambda i, c: f"{p}s{c}")
        if r > 0:
            out.append("* row wires")
            for i in range(R):
                out.append(f"RDRV{p}_{i} {p}in{i} {p}r{i}_0 {_f(r)}")
                out += [f"RW{p}_{i}_{c} {p}r{i}_{c} {p}r{i}_{c + 1} {_f(r)}" for c in range(C - 1)]
        out.append("* the array: one resistor 1/G per programmed device (faults included)")
        for i in range(R):
            for c in range(C):
                if G[i, c] > 0:
                    out.append(f"RX{p}_{i}_{c} {row(i, c)} {col(i, c)} {_f(1.0 / G[i, c])}")
        out.append("* column wires and sense (virtual ground) sources; unsensed columns grounded")
        for c in range(C):
            if r > 0:
                out += [f"RB{p}_{i}_{c} {p}c{i}_{c} {p}c{i + 1}_{c} {_f(r)}" for i in range(R - 1)]
                out.append(f"RS{p}_{c} {p}c{R - 1}_{c} {p}s{c} {_f(r)}")
            out.append(f"VS{p}_{c} {p}s{c} 0 DC 0")
        out.append("* TIAs: R_f * column current, differential (or reference) subtraction, one pole")
        for c in cols:
            out.append(f"HT{p}_{c} {p}u{c} 0 VS{p}_{c} {_f(d.tia_resistance)}")
        for j in range(n):
            a, b = _columns(d.mapping, j, k)
            out.append(f"ES{p}_{j} {p}d{j} 0 {p}u{a} {p}u{b} 1")
            out.append(f"RT{p}_{j} {p}d{j} {p}a{j} 1k")
            out.append(f"CT{p}_{j} {p}a{j} 0 {_f(rc / 1e3)}")
        out.append("* neurons: tanh(gain (u + b)) into R C = tau_n; x_j drives row j; IC = cue")
        for j in range(n):
            out.append(f"BN{p}_{j} {p}y{j} 0 V = tanh({_f(d.neuron_gain)}*(v({p}a{j})+({_f(bias[j])})))")
            out.append(f"RN{p}_{j} {p}y{j} {p}x{j} 1k")
            out.append(f"CN{p}_{j} {p}x{j} 0 {_f(d.neuron_tau / 1e3)} IC={_f(x[j])}")
    step = t_stop / max(n_save - 1, 1)
    t_max = d.neuron_tau / 20
    out += ["", f".tran {_f(step)} {_f(t_stop)} 0 {_f(t_max)} uic", ".options noacct",
            ".control", "set filetype=binary", "run"]
    names = [f"v(k{t}x{j})" for t in range(x0.shape[0]) for j in range(n)]
    if raw is not None:
        out += ["linearize", "write " + raw + " " + " ".join(names)]
    else:
        out += ["echo transient done"]
    out += [".endc", ".end", ""]
    return "\n".join(out)


def simulate_loop(design: LoopDesign, G: np.ndarray, n: int, bias: np.ndarray,
                  x0: np.ndarray, *, t_stop: float, n_save: int = 50, per_netlist: int = 8,
                  workers: int = 1, timeout: float = 600.0) -> tuple[np.ndarray, np.ndarray]:
    """Run the loop from every ``x0`` row in ngspice; returns ``(times (S,) s, x (T, S, n))``."""
    from ..spice.run import run_netlists

    x0 = np.atleast_2d(np.asarray(x0, np.float64))
    step = max(1, int(per_netlist))
    chunks = [x0[a:a + step] for a in range(0, x0.shape[0], step)]
    texts = [loop_netlist(design, G, n, bias, c, t_stop=t_stop, n_save=n_save) for c in chunks]
    waves = run_netlists(texts, workers=workers, timeout=timeout)
    xs, times = [], None
    for c, w in zip(chunks, waves):
        idx = np.linspace(0, len(w.time) - 1, n_save).round().astype(int)
        times = w.time[idx]
        xs.append(w.data[idx].reshape(n_save, c.shape[0], n).transpose(1, 0, 2))
    return times, np.concatenate(xs)
