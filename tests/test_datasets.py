"""Real images as patterns: scikit-learn's digits and image files/arrays."""

import numpy as np
import pytest

import neuroam as na


def test_ten_digits_are_correlated_and_stored_by_the_projection_rule():
    pytest.importorskip("sklearn")
    p = na.patterns.digits()
    assert p.xi.shape == (10, 64) and p.shape == (8, 8) and p.meta["labels"] == list(range(10))
    m = np.abs(p.xi @ p.xi.T / 64.0)[~np.eye(10, dtype=bool)]
    # strongly correlated memories (the reason for the issue): overlaps up to ~0.8
    assert 0.6 < m.max() < 0.95
    # linearly independent ±1 patterns are fixed points of the projection rule
    # (Personnaz et al. 1985), an oracle independent of how the images were made
    W = na.learning.pseudo_inverse(p)
    assert np.array_equal(np.sign(p.xi @ W), p.xi)


def test_digit_choices_and_bad_requests():
    pytest.importorskip("sklearn")
    p = na.patterns.digits([3, 7], per_class=3, pick="random", seed=1)
    assert p.meta["labels"] == [3, 3, 3, 7, 7, 7] and len(set(p.meta["index"])) == 6
    q = na.patterns.digits([3, 7], per_class=3, pick="random", seed=1)
    assert np.array_equal(p.xi, q.xi)
    fixed = na.patterns.digits([3], per_class=2, threshold=8)
    assert fixed.xi.shape == (2, 64)
    for kwargs in ({"classes": [10]}, {"classes": [1, 1]}, {"per_class": 1000},
                   {"threshold": "median"}, {"pick": "any"}):
        with pytest.raises(na.errors.ValueRangeError):
            na.patterns.digits(**kwargs)


def test_images_from_arrays_and_files_resize_by_area(tmp_path):
    import matplotlib.image as mpimg

    # a 16x16 picture of 2x2-pixel squares is, averaged down to 8x8, a checkerboard
    r, c = np.mgrid[0:16, 0:16]
    big = ((r // 2 + c // 2) % 2).astype(float)
    p = na.patterns.from_images(big, size=8)
    expect = np.where((np.mgrid[0:8, 0:8].sum(0)) % 2 == 1, 1.0, -1.0)
    assert p.shape == (8, 8) and np.array_equal(p.xi[0].reshape(8, 8), expect)
    # the same picture written as a PNG and read back gives the same pattern
    mpimg.imsave(tmp_path / "board.png", big, cmap="gray", vmin=0, vmax=1)
    q = na.patterns.from_images([tmp_path / "board.png"], size=(8, 8))
    assert np.array_equal(q.xi, p.xi) and q.meta["names"] == ["board.png"]
    assert np.array_equal(na.patterns.from_images(big, size=8, invert=True).xi, -p.xi)
    with pytest.raises(na.errors.ShapeError):
        na.patterns.from_images([tmp_path / "board.png", big[:8]])
    with pytest.raises(na.errors.StoreError):
        na.patterns.from_images([tmp_path / "missing.png"])
