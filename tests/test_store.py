"""HDF5 store: netCDF layout (xarray round trip), fill values, atomicity, bad files."""

from __future__ import annotations

import h5py
import numpy as np
import pytest
import xarray as xr

from neuroam.errors import StoreError
from neuroam.patterns import PatternSet
from neuroam.results import Extra, RecallResult
from neuroam.store import (RunRecord, assemble, atomic_h5, check_results, list_runs, open_run,
                           partial_index, read_partial, read_records, read_summary,
                           record_from_result, write_partial)


def fake_result(K=3, D=8, T=4, S=6, seed=0):
    """A RecallResult with NaN tails (trial 0 stopped early) and ragged spike extras."""
    rng = np.random.default_rng(seed)
    xi = np.where(rng.standard_normal((K, D)) > 0, 1.0, -1.0)
    states = rng.standard_normal((T, S, D)).astype(np.float32)
    states[0, 4:] = np.nan
    overlaps = np.einsum("tsd,kd->tsk", states, xi) / D
    counts = np.resize([2, 0, 3, 1], T)
    result = RecallResult(
        "ideal-ode", np.linspace(0.0, 5.0, S), states, -np.abs(overlaps).sum(-1), overlaps,
        np.nan_to_num(states[:, -1]), np.zeros(T), np.full(T, 2.5), states[:, 0],
        np.resize([0, 1, 2, -1], T), time_unit="tau",
        extras={"spike_time": Extra(("spike",), np.arange(counts.sum()) * 0.1, "s"),
                "spike_neuron": Extra(("spike",), np.arange(counts.sum()) % D),
                "spike_count": Extra(("trial",), counts)},
        attrs={"solver": "tsit5", "rtol": 1e-5, "adaptive": True, "model": {"name": "x"}})
    return result, PatternSet(xi)


def record(i=0, K=3, error="", T=4, S=6, **kw):
    result, pats = fake_result(K=K, seed=i, T=T, S=S)
    variables = {} if error else record_from_result(result, pats, np.zeros(T), **kw)
    return RunRecord(f"ideal-ode/p{i:03d}-s0", "ideal-ode", "ideal-ode", f"p{i:03d}-s0", 0,
                     {"patterns.K": K, "model": {"name": "polynomial", "n": 3}}, variables,
                     {} if error else {"accuracy": 0.75, "n_trials": 4.0},
                     {} if error else dict(result.attrs), 1.5, error=error)


def write(path, records):
    return assemble(path, records, scenario_text="[scenario]\nname='t'\n", scenario_name="t",
                    digest="d1", seed=0, overrides=["model.n=3"])


def test_xarray_round_trip_named_dims_fill_values_and_extras(tmp_path):
    path = write(tmp_path / "results.h5", [record(0, K=3), record(1, K=5)])
    assert list_runs(path) == ["ideal-ode/p000-s0", "ideal-ode/p001-s0"]
    ds = xr.open_dataset(path, group="runs/ideal-ode/p001-s0", engine="h5netcdf")
    assert dict(ds.sizes) == {"pattern": 5, "neuron": 8, "trial": 4, "time": 6, "spike": 6}
    assert ds["state"].dims == ("trial", "time", "neuron")
    assert ds["overlap"].dims == ("trial", "time", "pattern")
    assert ds["energy"].dims == ("trial", "time") and ds["final"].dims == ("trial", "neuron")
    assert ds["spike_time"].dims == ("spike",) and ds["spike_count"].dims == ("trial",)
    assert int(ds["spike_count"].sum()) == ds.sizes["spike"]
    assert ds["spike_time"].attrs["units"] == "s" and ds["time"].attrs["units"] == "tau"
    assert np.isnan(ds["state"].values[0, 4:]).all() and np.isfinite(ds["state"][1]).all()
    assert ds["target"].values.tolist() == [0, 1, 2, -1]  # -1 is data, not a fill value
    assert ds["status"].dtype == np.int8
    assert np.isnan(ds["state"].encoding["_FillValue"])
    ds.close()
    big = write(tmp_path / "big.h5", [record(0, K=3, T=64, S=40)])  # ≥ 16 KiB: compressed
    enc = open_run(big)["state"].encoding
    assert enc["zlib"] and enc["shuffle"] and np.isnan(enc["_FillValue"])
    assert ds.attrs["param.patterns.K"] == 5 and "summary.accuracy" not in ds.attrs  # in /summary
    assert ds.attrs["attr.solver"] == "tsit5"
    ds.close()
    xr.testing.assert_identical(open_run(path, "ideal-ode/p001-s0").load(),
                                xr.open_dataset(path, group="runs/ideal-ode/p001-s0",
                                                engine="h5netcdf").load())


def test_root_attributes_patterns_and_summary_table(tmp_path):
    path = write(tmp_path / "results.h5", [record(0), record(1, K=5),
                                           record(2, error="ModelError: nope")])
    with h5py.File(path, "r") as f:
        attrs = dict(f.attrs)
        assert f["patterns"].shape == (3, 8)
    for key in ("schema_version", "neuroam_version", "scenario", "seed", "packages", "created",
                "git_commit", "complete"):
        assert key in attrs
    summary = read_summary(path)
    assert summary.sizes["run"] == 3
    assert list(summary["run"].values) == [f"ideal-ode/p00{i}-s0" for i in range(3)]
    assert summary["accuracy"].values[0] == 0.75 and np.isnan(summary["accuracy"].values[2])
    assert summary["error"].values.tolist() == ["", "", "ModelError: nope"]
    assert summary["param.patterns.K"].values.tolist() == [3.0, 5.0, 3.0]
    tree = xr.open_datatree(path, engine="h5netcdf")  # run groups differ in K: still aligned
    assert tree["runs/ideal-ode/p000-s0"].dataset.sizes["pattern"] == 3
    back = read_records(path)
    assert [r.ok for r in back] == [True, True, False]
    assert back[0].params == {"patterns.K": 3, "model": {"name": "polynomial", "n": 3}}


def test_reductions_only_and_decimation(tmp_path):
    path = write(tmp_path / "results.h5", [record(0, keep_states=False, decimate=4)])
    ds = open_run(path)
    assert "state" not in ds and "overlap" in ds and "energy" in ds
    assert ds["time"].values.tolist() == [0.0, 4.0, 5.0]  # every 4th sample plus the last
    assert ds["overlap"].shape == (4, 3, 3) and ds["energy"].shape == (4, 3)
    ds.close()


def test_partial_files_hold_a_batch_and_are_checked_against_the_digest(tmp_path):
    write_partial(tmp_path / "p.npz", [record(0), record(1, K=5), record(2, error="X: no")],
                  "abc")
    back = read_partial(tmp_path / "p.npz", "abc")
    assert [r.run_id for r in back] == [f"ideal-ode/p00{i}-s0" for i in range(3)]
    assert [r.ok for r in back] == [True, True, False]
    original = record(1, K=5)
    for name, var in original.variables.items():  # arrays, dims and attributes survive
        np.testing.assert_array_equal(back[1].variables[name].data, var.data)
        assert back[1].variables[name].dims == var.dims
    assert back[1].variables["status"].attrs["flag_values"].dtype == np.int8
    assert [r.run_id for r in partial_index(tmp_path / "p.npz", "abc")] == \
        [r.run_id for r in back]
    assert read_partial(tmp_path / "p.npz", "other") is None
    (tmp_path / "junk.npz").write_bytes(b"PK\x03\x04" + b"\0" * 50)
    assert read_partial(tmp_path / "junk.npz", "abc") is None
    assert partial_index(tmp_path / "junk.npz", None) is None


def test_results_are_streamed_run_by_run(tmp_path):
    """The writer keeps only metadata: a run's arrays go to disk when it is added, and
    the summary table follows the study's order, not the order of arrival."""
    from neuroam.store import ResultsWriter

    with ResultsWriter(tmp_path / "results.h5", {"scenario_name": "t"}) as w:
        for i in (2, 0, 1):
            w.add(record(i))
        assert all(not m.variables for m in w.metas)
        assert not (tmp_path / "results.h5").exists()  # only the tmp file so far
        w.finish(order=[f"ideal-ode/p00{i}-s0" for i in range(3)])
    assert list_runs(tmp_path / "results.h5") == [f"ideal-ode/p00{i}-s0" for i in range(3)]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results.h5"]


def test_a_writer_left_without_finishing_leaves_nothing(tmp_path):
    from neuroam.store import ResultsWriter

    with pytest.raises(KeyboardInterrupt):
        with ResultsWriter(tmp_path / "results.h5", {}) as w:
            w.add(record(0))
            raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []


def test_atomic_write_leaves_nothing_on_failure(tmp_path):
    target = tmp_path / "results.h5"
    with pytest.raises(RuntimeError):
        with atomic_h5(target) as f:
            f.attrs["x"] = 1
            raise RuntimeError("killed")
    assert list(tmp_path.iterdir()) == []


def test_corrupt_foreign_and_incomplete_files_give_store_errors(tmp_path):
    with pytest.raises(StoreError, match="existing"):
        check_results(tmp_path / "missing.h5")
    (tmp_path / "text.h5").write_text("not hdf5")
    with pytest.raises(StoreError, match="not an HDF5 file"):
        check_results(tmp_path / "text.h5")
    good = write(tmp_path / "results.h5", [record(0)])
    data = good.read_bytes()
    (tmp_path / "truncated.h5").write_bytes(data[: len(data) // 3])
    with pytest.raises(StoreError):
        read_records(tmp_path / "truncated.h5")
    with h5py.File(tmp_path / "foreign.h5", "w") as f:
        f["x"] = np.arange(3)
    with pytest.raises(StoreError, match="foreign"):
        check_results(tmp_path / "foreign.h5")
    with h5py.File(tmp_path / "incomplete.h5", "w") as f:
        f.attrs["format"] = "neuroam-results"
        f.attrs["schema_version"] = "1.0"
    with pytest.raises(StoreError, match="incomplete"):
        check_results(tmp_path / "incomplete.h5")
    with h5py.File(tmp_path / "future.h5", "w") as f:
        f.attrs["format"] = "neuroam-results"
        f.attrs["schema_version"] = "9.0"
    with pytest.raises(StoreError, match="schema"):
        check_results(tmp_path / "future.h5")


def test_inconsistent_extra_dimensions_are_refused():
    result, pats = fake_result()
    bad = result.replace(extras={"x": Extra(("trial",), np.zeros(7))})
    with pytest.raises(StoreError, match="dimension 'trial'"):
        record_from_result(bad, pats, np.zeros(4))
