"""Run ``ngspice -b`` on netlists and read the binary raw files they write.

A netlist meant for :func:`run_netlists` ends its ``.control`` block with
``write {RAW} <vectors>`` after ``set filetype=binary``; ``{RAW}`` is replaced by the
path of the raw file, which :func:`read_raw` parses into :class:`Waveforms` (time in
seconds, one column per saved vector, volts or amperes).
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from ..errors import SimulatorError as NgspiceError
from ..errors import UnsupportedError

__all__ = ["NgspiceError", "Waveforms", "ngspice_path", "require_ngspice", "read_raw",
           "run_netlists", "RAW"]

#: placeholder of the raw file's path in a netlist's ``write`` command
RAW = "{RAW}"


def ngspice_path() -> str | None:
    """The ``ngspice`` executable on PATH, or None."""
    return shutil.which("ngspice")


def require_ngspice() -> str:
    """The ``ngspice`` executable; raises :class:`~neuroam.errors.UnsupportedError` without one."""
    exe = ngspice_path()
    if exe is None:
        raise UnsupportedError("no `ngspice` on PATH (needed by the SPICE implementations)",
                               "ngspice (version 36 or later) installed",
                               "Install it (Debian/Ubuntu: apt-get install -y ngspice; "
                               "macOS: brew install ngspice), or drop the *-spice labels.")
    return exe


@dataclasses.dataclass(frozen=True)
class Waveforms:
    """Vectors of one transient: ``time`` ``(S,)`` seconds, ``data`` ``(S, V)``, ``names`` (V,)
    as ngspice spells them (lower case, e.g. ``v(t0_n3)``)."""

    time: np.ndarray
    data: np.ndarray
    names: tuple[str, ...]

    def __getitem__(self, name: str) -> np.ndarray:
        return self.data[:, self.names.index(name.lower())]

    def columns(self, names: Sequence[str]) -> np.ndarray:
        """``(S, len(names))`` the named vectors side by side."""
        idx = {n: i for i, n in enumerate(self.names)}
        return self.data[:, [idx[n.lower()] for n in names]]


def read_raw(path: str | Path) -> Waveforms:
    """Parse an ngspice binary raw file of one real (transient) plot."""
    blob = Path(path).read_bytes()
    marker = blob.find(b"Binary:\n")
    if marker < 0:
        raise NgspiceError(f"the raw file {path} without a binary section",
                           "a file written with `set filetype=binary` and `write`",
                           "Check the netlist's .control block.")
    header = blob[:marker].decode("latin-1").splitlines()
    n_var = n_pts = None
    names: list[str] = []
    in_vars = False
    for line in header:
        if line.startswith("No. Variables:"):
            n_var = int(line.split(":")[1])
        elif line.startswith("No. Points:"):
            n_pts = int(line.split(":")[1])
        elif line.startswith("Flags:") and "complex" in line:
            raise NgspiceError(f"a complex plot in {path}", "a real (transient) plot",
                               "Write the waveforms of a `tran` analysis.")
        elif line.startswith("Variables:"):
            in_vars = True
        elif in_vars and line.strip():
            names.append(line.split()[1].lower())
    if n_var is None or n_pts is None or len(names) != n_var:
        raise NgspiceError(f"an unreadable raw header in {path}",
                           "No. Variables, No. Points and the variable list",
                           "Check the ngspice version (36 or later).")
    data = np.frombuffer(blob, dtype="<f8", offset=marker + len(b"Binary:\n"),
                         count=n_var * n_pts).reshape(n_pts, n_var)
    return Waveforms(time=data[:, 0].copy(), data=data[:, 1:].copy(), names=tuple(names[1:]))


def _run_one(exe: str, text: str, folder: Path, k: int, timeout: float) -> Waveforms:
    cir, raw = folder / f"net{k}.cir", folder / f"net{k}.raw"
    cir.write_text(text.replace(RAW, str(raw)), encoding="utf-8")
    try:
        proc = subprocess.run([exe, "-b", str(cir)], capture_output=True, text=True,
                              timeout=timeout, check=False, cwd=folder)
    except subprocess.TimeoutExpired:
        raise NgspiceError(f"ngspice still running on {cir.name} after {timeout:g} s",
                           "a transient that finishes in time",
                           "Shorten t1, use fewer cues or raise the timeout.") from None
    if not raw.exists():
        msg = [ln for ln in (proc.stdout + proc.stderr).splitlines() if "rror" in ln][:3]
        raise NgspiceError(f"ngspice wrote no waveforms (exit {proc.returncode}): "
                           + (" | ".join(msg) or (proc.stderr or proc.stdout)[-300:]),
                           "a netlist that runs in batch mode",
                           "Run `neuroam export-netlist` and `ngspice -b` on it to see why.")
    return read_raw(raw)


def run_netlists(texts: Sequence[str], *, workers: int = 1, timeout: float = 600.0,
                 keep: str | Path | None = None) -> list[Waveforms]:
    """Run every netlist text (with the :data:`RAW` placeholder) through ``ngspice -b``,
    ``workers`` processes at a time; returns their waveforms in order.

    ``keep``: a folder to leave the netlists and raw files in (default: a temporary one,
    removed afterwards).
    """
    exe = require_ngspice()
    workers = max(1, min(int(workers), len(texts) or 1, os.cpu_count() or 1))
    with tempfile.TemporaryDirectory(prefix="neuroam-spice-") as tmp:
        folder = Path(keep) if keep is not None else Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        with ThreadPoolExecutor(workers) as pool:
            futs = [pool.submit(_run_one, exe, t, folder, k, timeout) for k, t in enumerate(texts)]
            return [f.result() for f in futs]
