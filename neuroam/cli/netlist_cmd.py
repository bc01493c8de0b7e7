"""``neuroam export-netlist``: the SPICE netlist of one programmed crossbar tile.

The chip is programmed exactly as the scenario's run would program it (same patterns,
model, seed, fault draw), so the netlist shows the array that run recalled on. Rows are
driven by the tile's share of one input vector (a cue, or all ones), through the DAC;
the expected column currents of the exact IR-drop solver are written as comments, so
``ngspice -b FILE`` can be compared line by line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import numpy as np
import typer
from rich.text import Text

from ..errors import ScenarioError, ValueRangeError
from .console import err, guarded

__all__ = ["export_netlist"]


_NETLISTED = ("crossbar", "oscillator", "oscillator-spice")


def _pick_run(sc, label: str | None, point: int, seed: int | None):
    labels = [k for k, v in sc.implementations.items() if v.name in _NETLISTED]
    if not labels:
        raise ScenarioError(f"the scenario {sc.source} without a crossbar or oscillator "
                            "implementation", "an [implementations.LABEL] table with name = "
                            "\"crossbar\", \"oscillator\" or \"oscillator-spice\"",
                            "Add one, or pick a scenario that has one.")
    if label is None:
        label = labels[0]
    if label not in labels:
        raise ScenarioError(f"--label {label!r}", f"one of the labels {labels}",
                            "Pick a label of a crossbar or oscillator implementation.")
    seed = sc.seeds[0] if seed is None else seed
    runs = [r for r in sc.runs() if r.label == label and r.seed == seed]
    if not runs:
        raise ScenarioError(f"--seed {seed}", f"one of the scenario's seeds {sc.seeds}",
                            "Pick a seed of the scenario (or --set sweep.seeds=[...]).")
    match = [r for r in runs if r.index == point]
    if not match:
        raise ScenarioError(f"--point {point}", f"a grid point index in [0, {len(runs) - 1}]",
                            "Point ids are the pNNN of the run groups in results.h5.")
    return match[0]


def export_netlist(
    scenario: Annotated[str, typer.Argument(help="Scenario file (or shipped name) with a crossbar implementation.")],
    output: Annotated[Optional[Path], typer.Option(
        "--output", "-o", help="Netlist file (default: <scenario>-<label>-<point>-d<draw>-t<b>_<c>.cir).")] = None,
    label: Annotated[Optional[str], typer.Option(help="Crossbar implementation label (default: the first).")] = None,
    point: Annotated[int, typer.Option(help="Grid point index (the pNNN of the run).")] = 0,
    seed: Annotated[Optional[int], typer.Option(help="Run seed (default: the scenario's first).")] = None,
    draw: Annotated[int, typer.Option(help="Fault draw (chip) index.")] = 0,
    tile: Annotated[str, typer.Option(help="Tile as ROW_BLOCK,COL_BLOCK.")] = "0,0",
    inputs: Annotated[str, typer.Option(help="Row inputs: 'cue' (a cue through the DAC) or 'ones'.")] = "cue",
    cue: Annotated[int, typer.Option(help="Cue index for --inputs cue.")] = 0,
    sets: Annotated[Optional[list[str]], typer.Option(
        "--set", "-s", metavar="KEY=VALUE", help="Override a scenario value (as for `run`).")] = None,
):
    """Write a SPICE netlist of one programmed crossbar tile (check it with ngspice -b)."""
    from ..crossbar import ir_drop
    from ..crossbar.chip import program_model
    from ..crossbar.netlist import write_netlist
    from ..scenario import find_scenario, load_scenario
    from ..scenario.build import build_inputs, derive_seed

    sc = load_scenario(find_scenario(scenario), sets or ())
    run = _pick_run(sc, label, point, seed)
    at = sc.at(run)
    patterns, model, cues = build_inputs(at, run.seed)
    settings = at.implementations[run.label].settings
    if at.implementations[run.label].name != "crossbar":
        return _oscillator_netlist(sc, run, at, patterns, model, cues, settings, output, cue)
    chip = program_model(model, patterns, settings, seed=derive_seed(run.seed, "recall"))
    arr, circuit = chip.array, chip.circuit
    lay = arr.layout
    try:
        b, c = (int(x) for x in tile.split(","))
    except ValueError:
        raise ValueRangeError(f"--tile {tile!r}", "ROW_BLOCK,COL_BLOCK, e.g. 0,0",
                              "Give two integers separated by a comma.") from None
    if not (0 <= draw < arr.n_draws and 0 <= b < lay.nb and 0 <= c < lay.nc):
        raise ValueRangeError(f"--draw {draw} --tile {b},{c}",
                              f"draw in [0, {arr.n_draws - 1}], tile in [0, {lay.nb - 1}] x "
                              f"[0, {lay.nc - 1}]", "Pick an existing chip and tile.")
    if inputs not in ("cue", "ones"):
        raise ValueRangeError(f"--inputs {inputs!r}", "'cue' or 'ones'", "Pick one.")
    if inputs == "cue":
        if not 0 <= cue < cues.n_trials:
            raise ValueRangeError(f"--cue {cue}", f"a cue index in [0, {cues.n_trials - 1}]",
                                  "Pick an existing cue.")
        x = np.asarray(cues.states[cue], np.float64)
        x = np.where(x >= 0, 1.0, -1.0) if settings.dynamics != "ode" else x
    else:
        x = np.ones(lay.n_in)
    x = x / (np.max(np.abs(x)) or 1.0)
    if circuit.dac_bits:
        q = 2 ** (circuit.dac_bits - 1) - 1
        x = np.round(x * q) / q
    x = np.pad(x, (0, lay.nb * lay.tile_rows - lay.n_in))
    V = circuit.read_voltage * x[b * lay.tile_rows:(b + 1) * lay.tile_rows]
    G = arr.g[draw, b, c]
    r = circuit.wire_resistance
    expected = ir_drop.solve(G, r, V)
    comments = [f"scenario {sc.source}, label {run.label}, point {run.point_id}, draw {draw}, "
                f"tile ({b}, {c}) of {lay.nb}x{lay.nc}",
                f"device card {chip.device.name}, circuit card {circuit.name} "
                f"({circuit.mapping} mapping), stored {chip.plan.describe}",
                f"inputs: {inputs}" + (f" {cue}" if inputs == "cue" else "") + ", through the DAC",
                "expected sense currents from neuroam's exact IR-drop solver:"]
    comments += [f"expected i(vs{j}) = {v:.12e}" for j, v in enumerate(expected)]
    if output is None:
        output = Path(f"{sc.name}-{run.label}-{run.point_id}-d{draw}-t{b}_{c}.cir")
    write_netlist(output, G, r, V, title=f"neuroam crossbar tile: {sc.name}", comments=comments)
    err.print(Text(f"wrote {output}: {lay.tile_rows}x{lay.tile_cols} devices, wire "
                   f"{r:g} Ω; check with `ngspice -b {output}`"))


def _oscillator_netlist(sc, run, at, patterns, model, cues, settings, output, cue):
    """The van der Pol network of an ``oscillator`` / ``oscillator-spice`` label from one
    cue: the circuit ``oscillator-spice`` simulates (a phase-model label's settings are
    carried over, circuit values at their defaults)."""
    from ..implementations import registry
    from ..oscillator.circuit import network_netlist
    from ..scenario.build import derive_seed

    impl = registry.get("oscillator-spice")
    if at.implementations[run.label].name == "oscillator":
        keep = set(impl.Settings.model_fields) & set(settings.model_fields)
        values = {k: getattr(settings, k) for k in keep}
        values.update(noise=0.0, misalignment=0.0)
        settings = impl.settings(**values)
    if not 0 <= cue < cues.n_trials:
        raise ValueRangeError(f"--cue {cue}", f"a cue index in [0, {cues.n_trials - 1}]",
                              "Pick an existing cue.")
    seed = derive_seed(run.seed, "recall")
    design, net, theta0, _, hw, _, plan = impl.network(model, patterns, cues, settings, seed=seed)
    t_stop = settings.t1 * hw.tau_s
    comments = [f"scenario {sc.source}, label {run.label}, point {run.point_id}, cue {cue}",
                f"oscillator card {hw.card}: f0 = {hw.frequency:g} Hz, coupling rate "
                f"{hw.coupling_rate:g} 1/s (tau = {hw.tau_s:g} s); model {plan.binary_limit}",
                "run: ngspice -b FILE (prints every tank voltage at the end, .meas; no "
                "waveform file: oscillator-spice reads them back itself)"]
    text = network_netlist(design, net, theta0[cue:cue + 1], t_stop=t_stop,
                           steps_per_period=settings.steps_per_period,
                           title=f"neuroam oscillator network: {sc.name}", comments=comments,
                           raw=None)
    if output is None:
        output = Path(f"{sc.name}-{run.label}-{run.point_id}-cue{cue}.cir")
    Path(output).write_text(text, encoding="utf-8")
    err.print(Text(f"wrote {output}: {net.N} van der Pol tanks, {t_stop:g} s transient; "
                   f"run it with `ngspice -b {output}`"))


export_netlist = guarded(export_netlist)
