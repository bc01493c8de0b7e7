"""Memristor crossbars: device physics, circuits, faults, IR drop and SPICE netlists.

- :mod:`.device` — the device-model protocol (:class:`DeviceModel`: conductance range,
  programming, drift, read noise) and the registry of technologies by card kind;
  :mod:`.memristor` — the built-in technology (cards of kind "memristor");
- :mod:`.circuit` — validated circuit (kind "crossbar") cards;
- :mod:`.tiling`, :mod:`.mapping` — where weights live and how they become conductances;
- :mod:`.faults` — zeroed weights and stuck-at devices with spatial models;
- :mod:`.programming`, :mod:`.drift` — the memristor's levels, programming noise,
  write-verify, drift, 1/f and read noise; drift compensation;
- :mod:`.array` — programming a matrix into tiles for many fault draws at once;
- :mod:`.ir_drop` — exact and first-order IR drop; :mod:`.netlist` — SPICE export;
- :mod:`.plan`, :mod:`.chip` — what a model stores and the programmed chips of a run;
- :mod:`.read`, :mod:`.dynamics` — JAX reads with converters and the recall loops;
- :mod:`.batch` — the chips of several runs stacked into one recall call.

The implementation that uses all of this is ``neuroam.implementations.get("crossbar")``.
"""

from .array import FaultSpec, Faults, ProgrammedArray, draw_faults, program_array
from .circuit import Circuit, load_circuit
from .device import DEVICES, DeviceModel, load_device
from .memristor import Device, Memristor
from .faults import FAULT_MODELS, fault_grid, stuck_codes
from .ir_drop import IR_MODES
from .mapping import STUCK_OFF, STUCK_ON
from .netlist import netlist_text, run_ngspice, write_netlist
from .tiling import TileLayout, make_layout

__all__ = ["DeviceModel", "DEVICES", "Memristor", "Device", "load_device", "Circuit", "load_circuit", "TileLayout", "make_layout",
           "FaultSpec", "Faults", "draw_faults", "ProgrammedArray", "program_array",
           "FAULT_MODELS", "fault_grid", "stuck_codes", "IR_MODES", "STUCK_OFF", "STUCK_ON",
           "netlist_text", "write_netlist", "run_ngspice"]
