"""Real images as patterns: scikit-learn's 8×8 handwritten digits, and any image files or
arrays, binarised (and resized) into ±1 patterns.

Binarisation (both functions): a pixel is +1 (ink) when its intensity is above the
threshold, else -1. ``threshold="mean"`` (default) uses each image's own mean intensity,
so every pattern is about half ink whatever its stroke width or contrast; a number uses
that intensity for every image (the digits' intensities run from 0 to 16). Images are
flattened row-major into ``D = height × width`` neurons.

The digits are the UCI "optical recognition of handwritten digits" test set that
scikit-learn ships with its package (1797 images of 8×8 pixels, 16 grey levels, 43
writers; no download). They are strongly correlated as patterns: with the mean threshold
the first image of each class has pairwise overlaps |ξ^μ·ξ^ν|/D up to ≈ 0.8.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from .. import inputs
from ..errors import ShapeError, StoreError, UnsupportedError, ValueRangeError
from .pattern_set import PatternSet
from .random import check_int, make_rng

__all__ = ["digits", "from_images"]


def _binarise(images: np.ndarray, threshold) -> np.ndarray:
    """``(N, ...)`` intensities → ±1 of the same shape (see the module docstring)."""
    if isinstance(threshold, str):
        if threshold != "mean":
            raise ValueRangeError(f"threshold={threshold!r}", '"mean" or a number',
                                  'Pass threshold="mean" (each image\'s mean intensity) or '
                                  "an intensity such as threshold=8.")
        axes = tuple(range(1, images.ndim))
        level = images.mean(axis=axes, keepdims=True)
    elif isinstance(threshold, bool) or not isinstance(threshold, (int, float)) \
            or not math.isfinite(threshold):
        raise ValueRangeError(f"threshold={threshold!r}", '"mean" or a finite number',
                              "Pass an intensity such as threshold=8.")
    else:
        level = float(threshold)
    return np.where(images > level, 1.0, -1.0)


def digits(classes: Iterable[int] | int | None = None, per_class: int = 1, *,
           threshold: str | float = "mean", pick: str = "first", seed: int = 0) -> PatternSet:
    """Handwritten 8×8 digits from scikit-learn as ±1 patterns.

    Args:
        classes: the digit classes to take, in that order (ints 0–9); ``None`` = 0 to 9.
        per_class: images per class, ≥ 1 (at most 174: the smallest class).
        threshold: ``"mean"`` (each image's mean intensity) or an intensity in [0, 16].
        pick: ``"first"`` — the first images of each class in the data set's order (the
            same every time) — or ``"random"`` (drawn without replacement with ``seed``).
        seed: seed for ``pick="random"``.

    Returns:
        ``PatternSet`` of kind ``"binary"`` named ``"digits"``: ``xi`` ``(K, 64)`` with
        ``K = len(classes) · per_class`` (class-major), ``shape=(8, 8)``;
        ``meta["labels"]`` holds each pattern's class and ``meta["index"]`` its row in the
        data set.

    Raises:
        UnsupportedError: scikit-learn is not installed.
        ValueRangeError: a class outside 0–9 or repeated, ``per_class`` too large, a
            bad ``threshold`` or ``pick``.
    """
    try:
        from sklearn.datasets import load_digits
    except ImportError as exc:
        if exc.name is None or not exc.name.startswith("sklearn"):
            raise
        raise UnsupportedError("the digits generator without scikit-learn installed",
                               "scikit-learn, which ships the digit images",
                               "pip install 'neuroam[data]' (or scikit-learn).") from None
    chosen = list(range(10)) if classes is None else (
        [classes] if isinstance(classes, (int, np.integer)) else list(classes))
    bad = [c for c in chosen if isinstance(c, bool) or not isinstance(c, (int, np.integer))
           or not 0 <= c <= 9]
    if not chosen or bad or len(set(chosen)) != len(chosen):
        raise ValueRangeError(f"classes={classes!r}", "distinct digits 0–9 (or None for all)",
                              "Pass e.g. classes=[0, 1, 7].")
    per_class = check_int("per_class", per_class)
    if pick not in ("first", "random"):
        raise ValueRangeError(f"pick={pick!r}", '"first" or "random"',
                              'Pass pick="first" for the same images every time.')
    data = load_digits()
    images, target = data.images, data.target
    rng = make_rng(seed) if pick == "random" else None
    rows = []
    for c in chosen:
        idx = np.flatnonzero(target == c)
        if per_class > idx.size:
            raise ValueRangeError(f"per_class={per_class} for digit {c}",
                                  f"at most {idx.size} (the images of that class)",
                                  "Ask for fewer images per class.")
        rows += list(idx[:per_class] if rng is None else
                     np.sort(rng.choice(idx, per_class, replace=False)))
    rows = np.asarray(rows)
    xi = _binarise(images[rows].astype(np.float64), threshold).reshape(len(rows), -1)
    return PatternSet(xi, kind="binary", name="digits", shape=(8, 8),
                      meta={"generator": "digits", "labels": [int(target[r]) for r in rows],
                            "index": [int(r) for r in rows], "threshold": threshold,
                            "per_class": per_class, "pick": pick})


def _resize(img: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """``(H, W)`` → ``size`` by the mean of the source pixels each target pixel covers
    (area averaging: downsizing by an integer factor is exact block averaging)."""
    H, W = img.shape
    h, w = size
    rows = np.minimum((np.arange(H) * h) // H, h - 1)
    cols = np.minimum((np.arange(W) * w) // W, w - 1)
    total = np.zeros((h, w))
    count = np.zeros((h, w))
    np.add.at(total, (rows[:, None], cols[None, :]), img)
    np.add.at(count, (rows[:, None], cols[None, :]), 1.0)
    if np.any(count == 0):  # upsizing: nearest source pixel
        return img[(np.arange(h) * H) // h][:, (np.arange(w) * W) // w]
    return total / count


def _read_image(path: Path) -> np.ndarray:
    """Grey levels ``(H, W)`` of an image file (PNG through matplotlib; other formats
    through Pillow when it is installed)."""
    import matplotlib.image as mpimg

    if not path.is_file():
        raise StoreError(f"the image path {str(path)!r}, which is not a file",
                         "an existing image file (PNG, or JPEG etc. with Pillow)",
                         "Check the path.")
    inputs.note(path)
    try:
        img = np.asarray(mpimg.imread(path), dtype=np.float64)
    except Exception as exc:  # noqa: BLE001 - every decoder reports damage its own way
        raise StoreError(f"{str(path)!r}, which cannot be read as an image ({exc})",
                         "a PNG file (or a format Pillow reads)",
                         "Convert it to PNG, or pass the pixels as an array.") from None
    if img.ndim == 3:  # colour: luminance of RGB (alpha dropped)
        img = img[..., :3] @ np.array([0.299, 0.587, 0.114])
    return img


def from_images(source: Sequence[str | Path | np.ndarray] | np.ndarray, *,
                size: tuple[int, int] | int | None = None, threshold: str | float = "mean",
                invert: bool = False, name: str = "images") -> PatternSet:
    """Any images as ±1 patterns: files or an array of grey levels, resized and binarised.

    Args:
        source: a list of images — file paths (PNG; other formats with Pillow) or
            ``(H, W)`` arrays of grey levels — or one array ``(N, H, W)`` (or ``(H, W)``).
        size: ``(height, width)`` (or one int for a square) to resize to by area
            averaging; ``None`` keeps the images' size (they must all agree then).
        threshold: ``"mean"`` (each image's mean) or a grey level; above it is +1.
        invert: flip the result (+1 for dark pixels: dark ink on white paper).
        name: the pattern set's name.

    Returns:
        ``PatternSet`` of kind ``"binary"``, ``xi`` ``(N, height·width)``,
        ``shape=(height, width)``.

    Raises:
        ShapeError: images of different sizes without ``size``, or an array that is not
            2- or 3-D. StoreError: a missing or unreadable file. ValueRangeError: bad
            ``size`` or ``threshold``, non-finite pixels.
    """
    if isinstance(source, np.ndarray):
        arr = np.asarray(source, dtype=np.float64)
        if arr.ndim == 2:
            arr = arr[None]
        if arr.ndim != 3 or 0 in arr.shape:
            raise ShapeError(f"an image array of shape {arr.shape}", "(N, height, width) or "
                             "(height, width)", "Reshape flat images to (N, h, w) first.")
        imgs = list(arr)
        names = [f"{name}[{i}]" for i in range(len(imgs))]
    else:
        items = [source] if isinstance(source, (str, Path)) else list(source)
        if not items:
            raise ValueRangeError("an empty list of images", "at least one image",
                                  "Pass the image files or an array.")
        imgs, names = [], []
        for i, item in enumerate(items):
            if isinstance(item, (str, Path)):
                imgs.append(_read_image(Path(item)))
                names.append(Path(item).name)
            else:
                img = np.asarray(item, dtype=np.float64)
                if img.ndim != 2 or 0 in img.shape:
                    raise ShapeError(f"image {i} of shape {img.shape}", "(height, width)",
                                     "Pass each image as a 2-D array of grey levels.")
                imgs.append(img)
                names.append(f"{name}[{i}]")
    if any(not np.all(np.isfinite(i)) for i in imgs):
        raise ValueRangeError("images with NaN or infinite pixels", "finite grey levels",
                              "Clean the images first.")
    if size is not None:
        hw = (size, size) if isinstance(size, int) else tuple(size)
        if len(hw) != 2:
            raise ValueRangeError(f"size={size!r}", "(height, width) or one int",
                                  "Pass size=(8, 8), say.")
        hw = (check_int("height", hw[0]), check_int("width", hw[1]))
        imgs = [_resize(i, hw) for i in imgs]
    shapes = {i.shape for i in imgs}
    if len(shapes) > 1:
        raise ShapeError(f"images of different sizes {sorted(shapes)}", "one size for all",
                         "Pass size=(height, width) to resize them.")
    stack = np.stack(imgs)
    xi = _binarise(stack, threshold)
    if invert:
        xi = -xi
    return PatternSet(xi.reshape(len(imgs), -1), kind="binary", name=name,
                      shape=stack.shape[1:],
                      meta={"generator": "from_images", "names": names,
                            "threshold": threshold, "invert": bool(invert)})
