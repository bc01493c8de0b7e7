"""ngspice co-simulation: run a netlist in batch mode and read its waveforms back.

Circuit-agnostic plumbing shared by the SPICE mirrors (:mod:`neuroam.oscillator.circuit`,
:mod:`neuroam.crossbar.loop`): find ``ngspice``, run ``ngspice -b`` on netlists (in
parallel worker processes), and parse the binary raw files their ``.control`` blocks
write. It imports nothing of neuroam but the errors, so every hardware package may use it.
"""

from .run import NgspiceError, Waveforms, ngspice_path, read_raw, require_ngspice, run_netlists

__all__ = ["NgspiceError", "Waveforms", "ngspice_path", "read_raw", "require_ngspice",
           "run_netlists"]
