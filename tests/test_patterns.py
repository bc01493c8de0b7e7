"""Pattern generators, built-in images and pattern file I/O."""

import h5py
import numpy as np
import pytest

from neuroam.errors import RegistryError, ShapeError, StoreError, UnsupportedError, ValueRangeError
from neuroam.patterns import (PatternSet, correlated_binary, gaussian, image_names, images,
                              load, random_binary, save, sphere)


@pytest.mark.parametrize("gen", [random_binary, gaussian, sphere])
def test_shape_and_seed_determinism(gen):
    a, b, c = gen(5, 40, seed=1), gen(5, 40, seed=1), gen(5, 40, seed=2)
    assert a.xi.shape == (5, 40) and a.xi.dtype == np.float32
    np.testing.assert_array_equal(a.xi, b.xi)
    assert not np.array_equal(a.xi, c.xi)
    assert a.meta["seed"] == 1


def test_random_binary_values_and_bias():
    p = random_binary(50, 400, seed=0, bias=0.5)
    assert p.kind == "binary" and set(np.unique(p.xi)) == {-1.0, 1.0}
    assert abs(p.xi.mean() - 0.5) < 0.03


def test_gaussian_and_sphere():
    g = gaussian(200, 100, seed=0, scale=2.0)
    assert g.kind == "real" and abs(g.xi.std() - 2.0) < 0.05
    s = sphere(10, 30, seed=0, radius=3.0)
    np.testing.assert_allclose(np.linalg.norm(s.xi, axis=1), 3.0, rtol=1e-5)


@pytest.mark.parametrize("call, needle", [
    (lambda: random_binary(0, 10), "K=0"),
    (lambda: random_binary(3, -2), "D=-2"),
    (lambda: random_binary(3, 10, bias=1.0), "bias=1.0"),
    (lambda: gaussian(3, 10, scale=0), "scale=0"),
    (lambda: sphere(3, 10, radius=float("nan")), "radius=nan"),
    (lambda: random_binary(3, 10, seed=-1), "seed=-1"),
    (lambda: random_binary(2.5, 10), "K=2.5"),
])
def test_bad_generator_inputs(call, needle):
    with pytest.raises(ValueRangeError, match=needle):
        call()


def test_patternset_rejects_nan_and_bad_shape():
    xi = np.ones((2, 4))
    xi[0, 1] = np.nan
    with pytest.raises(ValueRangeError, match="1 non-finite"):
        PatternSet(xi, kind="real")
    with pytest.raises(ShapeError, match=r"\(2, 2, 2\)"):
        PatternSet(np.ones((2, 2, 2)))


@pytest.mark.parametrize("c", [0.0, 0.3, 0.7])
def test_correlated_reaches_correlation(c):
    p = correlated_binary(40, 1000, correlation=c, seed=3)
    assert p.kind == "binary" and p.xi.shape == (40, 1000)
    x = p.xi.astype(np.float64)
    ov = (x @ x.T / 1000)[np.triu_indices(40, 1)]
    assert abs(ov.mean() - c) < 0.03
    assert p.meta["mean_overlap"] == pytest.approx(ov.mean())
    assert "sqrt(correlation)" in p.meta["model"]


def test_correlated_min_hamming_and_determinism():
    p = correlated_binary(30, 200, correlation=0.4, min_hamming=50, seed=0)
    x = p.xi.astype(np.int64)
    d = (200 - x @ x.T) // 2
    assert d[np.triu_indices(30, 1)].min() >= 50
    assert p.meta["min_hamming_measured"] >= 50
    assert abs(p.meta["mean_overlap"] - 0.4) < 0.08
    q = correlated_binary(30, 200, correlation=0.4, min_hamming=50, seed=0)
    np.testing.assert_array_equal(p.xi, q.xi)
    assert not np.array_equal(p.xi, correlated_binary(30, 200, correlation=0.4, seed=1).xi)


def test_correlated_unreachable_min_hamming():
    with pytest.raises(ValueRangeError, match="min_hamming=90.*typical pairwise distance"):
        correlated_binary(10, 200, correlation=0.5, min_hamming=90, max_tries=200)
    with pytest.raises(ValueRangeError, match="correlation=1.5"):
        correlated_binary(3, 10, correlation=1.5)
    with pytest.raises(ValueRangeError, match="min_hamming=11"):
        correlated_binary(3, 10, correlation=0.1, min_hamming=11)


@pytest.mark.parametrize("size", [8, 16, 24])
def test_images_binary_distinct(size):
    p = images(size=size)
    assert p.name == "images" and p.kind == "binary" and p.shape == (size, size)
    assert p.xi.shape == (len(image_names()), size * size)
    assert set(np.unique(p.xi)) == {-1.0, 1.0}
    assert len({row.tobytes() for row in p.xi}) == p.K
    assert all(0 < (row > 0).sum() < size * size for row in p.xi)


def test_images_subset_and_unknown():
    p = images(["3", "circle"], size=16)
    assert p.K == 2 and p.meta["names"] == ["3", "circle"]
    np.testing.assert_array_equal(p.xi[1], images("circle").xi[0])
    with pytest.raises(RegistryError, match="'blob'.*circle"):
        images(["circle", "blob"])


@pytest.mark.parametrize("ext", [".npy", ".h5", ".hdf5"])
def test_save_load_round_trip(tmp_path, ext):
    p = random_binary(4, 12, seed=5)
    out = save(p, tmp_path / f"pats{ext}")
    q = load(out)
    np.testing.assert_array_equal(p.xi, q.xi)
    assert q.kind == "binary"
    if ext != ".npy":
        assert q.name == p.name and q.meta["seed"] == 5 and q.meta["bias"] == 0.0
    assert [f.name for f in tmp_path.iterdir()] == [f"pats{ext}"]  # no temp file left


@pytest.mark.parametrize("ext", [".npy", ".h5"])
def test_round_trip_keeps_image_shape_and_real_kind(tmp_path, ext):
    im = images(["0", "x"], size=8)
    assert load(save(im, tmp_path / f"im{ext}")).shape == (8, 8)
    g = gaussian(3, 7, seed=0)
    q = load(save(g, tmp_path / f"g{ext}"))
    assert q.kind == "real" and np.array_equal(q.xi, g.xi)


def test_load_h5_dataset_choice(tmp_path):
    path = tmp_path / "other.h5"
    with h5py.File(path, "w") as f:
        f["grp/mine"] = np.ones((2, 3))
        f["vec"] = np.zeros(3)
    assert load(path).xi.shape == (2, 3)
    with h5py.File(path, "a") as f:
        f["two"] = np.ones((4, 3))
    with pytest.raises(StoreError, match="2 2-D datasets"):
        load(path)
    assert load(path, dataset="two").K == 4
    with pytest.raises(StoreError, match="dataset='nope'"):
        load(path, dataset="nope")


def test_load_errors(tmp_path):
    with pytest.raises(StoreError, match="does not exist"):
        load(tmp_path / "missing.npy")
    (tmp_path / "p.txt").write_text("1 2")
    with pytest.raises(StoreError, match="'.txt'"):
        load(tmp_path / "p.txt")
    for name in ("bad.npy", "bad.h5"):
        (tmp_path / name).write_bytes(b"this is not a valid file at all")
        with pytest.raises(StoreError, match="corrupt"):
            load(tmp_path / name)
    np.save(tmp_path / "4d.npy", np.ones((1, 2, 2, 2)))
    with pytest.raises(ShapeError, match=r"\(1, 2, 2, 2\)"):
        load(tmp_path / "4d.npy")
    np.save(tmp_path / "01.npy", np.array([[0, 1, 1], [1, 0, 0]]))
    with pytest.raises(ValueRangeError, match="2\\*x - 1"):
        load(tmp_path / "01.npy")
    assert load(tmp_path / "01.npy", kind="real").kind == "real"
    np.save(tmp_path / "nan.npy", np.array([[1.0, np.nan]]))
    with pytest.raises(ValueRangeError, match="nan.npy.*non-finite"):
        load(tmp_path / "nan.npy")


def test_save_errors(tmp_path):
    p = random_binary(2, 4)
    with pytest.raises(StoreError, match="does not exist"):
        save(p, tmp_path / "no" / "dir.npy")
    with pytest.raises(StoreError, match="'.csv'"):
        save(p, tmp_path / "p.csv")
    with pytest.raises(UnsupportedError, match="ndarray"):
        save(np.ones((2, 2)), tmp_path / "p.npy")
