"""IR drop: the exact solver against a direct sparse solve and against ngspice; the
first-order mode against the exact one; reciprocity of forward and transposed reads."""

import re
import shutil

import numpy as np
import pytest
import scipy.sparse as sp
import scipy.sparse.linalg as sla

from typer.testing import CliRunner

from neuroam.cli import app
from neuroam.crossbar import (FaultSpec, draw_faults, ir_drop, load_circuit, load_device,
                              make_layout, program_array, run_ngspice, write_netlist)

NGSPICE = pytest.mark.skipif(shutil.which("ngspice") is None,
                             reason="ngspice is not installed (apt-get install -y ngspice)")


def _direct(G, r, V):
    """Column currents by nodal analysis with one sparse LU solve (reference)."""
    R, C = G.shape
    n, gw = R * C, 1.0 / r
    idx = np.arange(n).reshape(R, C)
    a = np.concatenate([idx[:, :-1].ravel(), idx.ravel(), n + idx[:-1].ravel()])
    b = np.concatenate([idx[:, 1:].ravel(), n + idx.ravel(), n + idx[1:].ravel()])
    g = np.concatenate([np.full(R * (C - 1), gw), G.ravel(), np.full((R - 1) * C, gw)])
    diag = np.bincount(a, g, 2 * n) + np.bincount(b, g, 2 * n)
    diag[idx[:, 0]] += gw
    diag[n + idx[-1]] += gw
    A = sp.csc_matrix((np.concatenate([-g, -g, diag]),
                       (np.concatenate([a, b, np.arange(2 * n)]),
                        np.concatenate([b, a, np.arange(2 * n)]))), shape=(2 * n, 2 * n))
    rhs = np.zeros(2 * n)
    rhs[idx[:, 0]] = gw * V
    return gw * sla.spsolve(A, rhs)[n + idx[-1]]


def _programmed_tile(rows=32, cols=48, device="rram-hfo2", seed=0):
    """A tile programmed from random weights with the device's noise (S)."""
    circuit = load_circuit("crossbar-64")
    layout = make_layout(rows, cols // 2, circuit)
    rng = np.random.default_rng(seed)
    faults = draw_faults(layout, 1, FaultSpec(rate=0.1), rng)
    M = rng.uniform(-1, 1, (rows, cols // 2))
    arr = program_array(M, layout, load_device(device), circuit, faults, rng, ir_mode="off")
    return arr.g[0, 0, 0, :rows, :cols]


def test_exact_solver_matches_a_direct_sparse_solve():
    rng = np.random.default_rng(1)
    G = rng.uniform(50e-6, 225e-6, (24, 20))
    V = rng.uniform(-0.2, 0.2, 24)
    for r in (0.1, 1.0, 5.0):
        ref = _direct(G, r, V)
        atol = 1e-8 * np.abs(ref).max()
        np.testing.assert_allclose(ir_drop.solve(G, r, V), ref, rtol=1e-7, atol=atol)
        np.testing.assert_allclose(ir_drop.effective(G, r).T @ V, ref, rtol=1e-7, atol=atol)
    np.testing.assert_allclose(ir_drop.solve(G, 0.0, V), G.T @ V, rtol=1e-12)


@pytest.mark.parametrize("r", [1.0, 40.0])
def test_effective_matrix_matches_a_sparse_lu_solve_for_every_input(r):
    """The block elimination behind ``effective`` against nodal analysis with one sparse
    LU solve per input, on a programmed non-square tile, at moderate and at strong IR
    drop (mean r·G·N² ≈ 0.16 and ≈ 6)."""
    G = _programmed_tile(24, 40, seed=5)
    E = ir_drop.effective(G, r)
    ref = np.stack([_direct(G, r, np.eye(G.shape[0])[i]) for i in range(G.shape[0])])
    np.testing.assert_allclose(E, ref, rtol=1e-9, atol=1e-9 * np.abs(ref).max())
    assert np.abs(E - G).max() > 1e-3 * G.max()  # the wires really matter here


def test_transposed_reads_see_the_same_matrix_by_reciprocity():
    rng = np.random.default_rng(2)
    G = rng.uniform(0.25e-6, 25e-6, (16, 12))
    for r in (0.5, 3.0):
        E = ir_drop.effective(G, r)
        np.testing.assert_allclose(ir_drop.effective(G, r, transposed=True), E, rtol=1e-6)
        f = rng.uniform(-0.2, 0.2, 12)
        np.testing.assert_allclose(ir_drop.solve(G, r, f, transposed=True), E @ f, rtol=1e-6)
    np.testing.assert_allclose(ir_drop.approximate(G, 1.0, transposed=True),
                               ir_drop.approximate(G, 1.0), rtol=1e-12)


def test_approximate_agrees_with_exact_at_small_wire_resistance():
    """64×128 RRAM tile, r·G·N² ≈ 0.01 and 0.06: the first-order mode is within 0.1 % of
    the exact column currents, and its error shrinks like r² (second order)."""
    G = _programmed_tile(64, 128)
    rng = np.random.default_rng(3)
    errors = []
    for r in (0.01, 0.05):
        E, A = ir_drop.effective(G, r), ir_drop.approximate(G, r)
        err = 0.0
        for V in (np.full(64, 0.2), rng.uniform(0, 0.2, 64)):
            exact = E.T @ V
            err = max(err, np.max(np.abs(A.T @ V - exact) / exact))
            assert np.max(np.abs(G.T @ V - exact) / exact) > 10 * err  # IR drop is not negligible
        errors.append(err)
    assert errors[1] < 1e-3
    assert errors[1] / errors[0] > 10  # (0.05 / 0.01)² = 25


@NGSPICE
def test_ngspice_agrees_with_the_exact_solver(tmp_path):
    """A programmed 48×64 RRAM tile with 1 Ω wires (strong IR drop): every column current
    within 0.5 % (they agree to ~1e-8)."""
    G = _programmed_tile(48, 64)
    V = 0.2 * np.where(np.random.default_rng(4).random(48) < 0.5, 1.0, -1.0)
    r = 1.0
    path = tmp_path / "tile.cir"
    write_netlist(path, G, r, V)
    spice = run_ngspice(path, 64)
    exact = ir_drop.solve(G, r, V)
    assert np.max(np.abs(spice - exact) / np.abs(exact)) < 5e-3
    assert np.max(np.abs(G.T @ V - exact) / np.abs(exact)) > 0.05  # the wires matter here
    np.testing.assert_allclose(spice, exact, rtol=1e-6)


SMALL = """
[scenario]
name = "small_xbar"
seed = 3
[patterns]
generator = "random_binary"
K = 5
D = 48
[model]
name = "hopfield"
rule = "storkey"
[cues]
kind = "flip"
rate = 0.1
[implementations.chip]
name = "crossbar"
device = "pcm-aihwkit"
circuit = "crossbar-offset-32"
fault_rate = 0.1
drift_time = 86400.0
n_draws = 2
[sweep.grid]
"implementations.chip.fault_model" = ["independent", "lines"]
"""


@NGSPICE
def test_export_netlist_cli_writes_the_run_chip_and_ngspice_agrees(tmp_path):
    """The CLI programs the chip a run would use (grid point, seed, draw, tile) and writes
    the exact solver's currents beside the netlist; ngspice agrees within 0.5 %."""
    scenario = tmp_path / "small.toml"
    scenario.write_text(SMALL)
    out = tmp_path / "tile.cir"
    res = CliRunner().invoke(app, ["export-netlist", str(scenario), "--point", "1", "--draw", "1",
                                   "--tile", "1,0", "-o", str(out)])
    assert res.exit_code == 0, res.output
    text = out.read_text()
    assert "point p001-s3, draw 1, tile (1, 0) of 2x2" in text and "rule='storkey'" in text
    expected = np.array([float(v) for v in re.findall(r"expected i\(vs\d+\) = (\S+)", text)])
    assert expected.size == 33
    spice = run_ngspice(out, 33)
    assert np.max(np.abs(spice - expected) / np.abs(expected)) < 5e-3


def test_export_netlist_refuses_a_scenario_without_crossbar():
    res = CliRunner().invoke(app, ["export-netlist", "capacity_hopfield"])
    assert res.exit_code == 2 and "Traceback" not in res.output
    assert "crossbar" in res.output
