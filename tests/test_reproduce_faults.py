"""He et al. (2025)'s fault-tolerance protocol on 8×8 digits (scenarios/reproduce/
he2025_faults.toml), run as shipped (slow): the final overlaps at p = 0.5, computed here
from the stored final states, against their figure's values."""

from __future__ import annotations

import json
from pathlib import Path

import h5py
import numpy as np
import pytest
from typer.testing import CliRunner

from neuroam.cli import app

SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "reproduce" / "he2025_faults.toml"

#: He et al. 2025, fault-tolerance figure at p = 0.5 (read from the figure)
THEIRS = {"hebbian": 0.48, "storkey": 0.70, "pseudo-inverse": 0.73, "fault-aware": 1.0}


def final_overlaps(path: Path, fault_rate: float) -> dict[str, float]:
    """Rule -> mean cosine similarity of the final state with the cued digit."""
    out: dict[str, list[float]] = {}
    with h5py.File(path, "r") as f:
        for label in f["runs"]:
            for run in f["runs"][label]:
                g = f["runs"][label][run]
                params = json.loads(g.attrs["params"])
                if params["implementations.chip.fault_rate"] != fault_rate:
                    continue
                xi = g["patterns"][...][g["target"][...]]
                final = g["final"][...]
                cos = np.sum(final * xi, axis=1) / (np.linalg.norm(final, axis=1)
                                                   * np.linalg.norm(xi, axis=1))
                out.setdefault(params["implementations.chip.rule"], []).append(cos.mean())
    return {rule: float(np.mean(v)) for rule, v in out.items()}


@pytest.mark.slow
def test_he2025_fault_tolerance_at_half_the_weights_zeroed(tmp_path):
    out = tmp_path / "he"
    result = CliRunner().invoke(app, ["run", str(SCENARIO), "--out", str(out), "--no-progress"])
    assert result.exit_code == 0, result.output
    ours = final_overlaps(out / "results.h5", 0.5)
    # their ordering: Hebb < Storkey <= pseudo-inverse < hardware-adaptive training
    assert ours["hebbian"] < ours["storkey"] <= ours["pseudo-inverse"] + 0.02 < ours["fault-aware"]
    for rule in ("storkey", "pseudo-inverse"):
        assert abs(ours[rule] - THEIRS[rule]) <= 0.1, (rule, ours)
    assert abs(ours["fault-aware"] - THEIRS["fault-aware"]) <= 0.05, ours
    # Hebb on scikit-learn's digits is already a mixture without faults (stated in the
    # scenario): it sits above their MNIST value, never below it
    assert ours["hebbian"] >= THEIRS["hebbian"], ours
