"""SPICE netlists of programmed tiles, and reading ngspice's answer.

The netlist is the network of :mod:`.ir_drop` (forward read): a DC source per row
behind one wire segment, the row and column wire segments, one resistor 1/G per cell
(cells at exactly 0 S are left open), and a 0 V source per column as the sense amplifier
(virtual ground) whose current is the column current. With zero wire resistance the
wire nodes are merged. ``ngspice -b file.cir`` runs the ``.control`` block: an operating
point, then ``print`` of every sense current.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import TextIO

import numpy as np

from ..errors import UnsupportedError, ValueRangeError

__all__ = ["netlist_text", "write_netlist", "parse_currents", "run_ngspice", "ngspice_path"]


def netlist_text(G, r: float, V, *, title: str = "neuroam crossbar tile",
                 comments: list[str] | None = None) -> str:
    """The netlist of one tile ``G`` (R, C) in siemens, wire ``r`` (Ω), row inputs ``V`` (R,) volts."""
    G = np.asarray(G, dtype=np.float64)
    V = np.asarray(V, dtype=np.float64).reshape(-1)
    if G.ndim != 2 or V.shape != (G.shape[0],):
        raise ValueRangeError(f"a tile of shape {G.shape} with {V.size} inputs",
                              "a 2-D tile (R, C) and R input voltages", "Pass one tile and its row inputs.")
    if np.any(G < 0) or not (r >= 0):
        raise ValueRangeError("negative conductances or wire resistance", "G ≥ 0, r ≥ 0",
                              "Fix the array.")
    R, C = G.shape
    wires = r > 0
    row = (lambda i, j: f"r{i}_{j}") if wires else (lambda i, j: f"in{i}")
    col = (lambda i, j: f"c{i}_{j}") if wires else (lambda i, j: f"s{j}")
    lines = [f"* {title}",
             f"* {R} rows x {C} columns, wire resistance {r:.6g} ohm per segment; rows driven "
             "at column 0, columns sensed at row R-1 (0 V sources VS<j>)"]
    lines += [f"* {c}" for c in (comments or [])]
    for i in range(R):
        lines.append(f"VIN{i} in{i} 0 DC {V[i]:.12g}")
        if wires:
            lines.append(f"RDRV{i} in{i} r{i}_0 {r:.12g}")
            lines += [f"RW{i}_{j} r{i}_{j} r{i}_{j + 1} {r:.12g}" for j in range(C - 1)]
    for i in range(R):
        for j in range(C):
            if G[i, j] > 0:
                lines.append(f"RX{i}_{j} {row(i, j)} {col(i, j)} {1.0 / G[i, j]:.12g}")
    for j in range(C):
        if wires:
            lines += [f"RB{i}_{j} c{i}_{j} c{i + 1}_{j} {r:.12g}" for i in range(R - 1)]
            lines.append(f"RS{j} c{R - 1}_{j} s{j} {r:.12g}")
        lines.append(f"VS{j} s{j} 0 DC 0")
    lines += [".control", "set numdgt=12", "op"]
    for start in range(0, C, 8):
        lines.append("print " + " ".join(f"i(vs{j})" for j in range(start, min(C, start + 8))))
    lines += [".endc", ".end", ""]
    return "\n".join(lines)


def write_netlist(path: str | Path | TextIO, G, r: float, V, **kwargs) -> None:
    """Write :func:`netlist_text` to a path or an open text stream."""
    text = netlist_text(G, r, V, **kwargs)
    if hasattr(path, "write"):
        path.write(text)
    else:
        Path(path).write_text(text, encoding="utf-8")


_CURRENT = re.compile(r"^\s*i\(vs(\d+)\)\s*=\s*([-+0-9.eE]+)", re.IGNORECASE | re.MULTILINE)


def parse_currents(stdout: str, n_cols: int) -> np.ndarray:
    """Column currents (A) printed by the netlist's ``.control`` block."""
    found = {int(k): float(v) for k, v in _CURRENT.findall(stdout)}
    missing = [j for j in range(n_cols) if j not in found]
    if missing:
        raise ValueRangeError(f"ngspice output without the currents of columns {missing[:5]}",
                              f"{n_cols} lines 'i(vs<j>) = value'",
                              "Check the netlist and ngspice's messages.")
    return np.array([found[j] for j in range(n_cols)])


def ngspice_path() -> str | None:
    return shutil.which("ngspice")


def run_ngspice(path: str | Path, n_cols: int, *, timeout: float = 600.0) -> np.ndarray:
    """Run ``ngspice -b path`` and return the column (sense) currents (A)."""
    exe = ngspice_path()
    if exe is None:
        raise UnsupportedError("no `ngspice` on PATH", "ngspice installed",
                               "Install it (Debian/Ubuntu: apt-get install -y ngspice).")
    proc = subprocess.run([exe, "-b", str(path)], capture_output=True, text=True,
                          timeout=timeout, check=False)
    return parse_currents(proc.stdout + proc.stderr, n_cols)
