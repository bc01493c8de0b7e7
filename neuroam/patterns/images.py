"""A small built-in set of binary images, drawn by code (no data files, no downloads).

Digits ``"0"``–``"9"`` come from a 5×7 bitmap font scaled up by the integer factor
``max(1, (size - 2) // 7)`` and centred; shapes are drawn analytically on the square
``[-1, 1]²`` (or on a 4×4 grid of blocks for checker and stripes). Every image is
``size × size`` pixels, +1 = ink (on) and -1 = background (off), flattened row-major
into ``D = size²`` neurons.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np

from ..errors import RegistryError
from .pattern_set import PatternSet
from .random import check_int

__all__ = ["images", "image_names"]

_FONT = {  # 7 rows of 5 columns, '#' = ink
    "0": (".###.", "#...#", "#..##", "#.#.#", "##..#", "#...#", ".###."),
    "1": ("..#..", ".##..", "..#..", "..#..", "..#..", "..#..", ".###."),
    "2": (".###.", "#...#", "....#", "...#.", "..#..", ".#...", "#####"),
    "3": ("#####", "...#.", "..#..", "...#.", "....#", "#...#", ".###."),
    "4": ("...#.", "..##.", ".#.#.", "#..#.", "#####", "...#.", "...#."),
    "5": ("#####", "#....", "####.", "....#", "....#", "#...#", ".###."),
    "6": ("..##.", ".#...", "#....", "####.", "#...#", "#...#", ".###."),
    "7": ("#####", "....#", "...#.", "..#..", ".#...", ".#...", ".#..."),
    "8": (".###.", "#...#", "#...#", ".###.", "#...#", "#...#", ".###."),
    "9": (".###.", "#...#", "#...#", ".####", "....#", "...#.", ".##.."),
}

# Shapes: boolean ink of (y, x) in [-1, 1]² (y grows downwards), or of pixel (row, col).
_SHAPES: dict[str, Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int], np.ndarray]] = {
    "cross": lambda y, x, r, c, n: (np.abs(x) < 0.2) | (np.abs(y) < 0.2),
    "x": lambda y, x, r, c, n: np.abs(np.abs(x) - np.abs(y)) < 0.25,
    "square": lambda y, x, r, c, n: (np.maximum(np.abs(x), np.abs(y)) < 0.8)
    & (np.maximum(np.abs(x), np.abs(y)) > 0.45),
    "circle": lambda y, x, r, c, n: x**2 + y**2 < 0.7**2,
    "ring": lambda y, x, r, c, n: (x**2 + y**2 < 0.85**2) & (x**2 + y**2 > 0.5**2),
    "triangle": lambda y, x, r, c, n: (np.abs(y) < 0.75) & (np.abs(x) < (y + 0.75) / 1.5 * 0.85),
    "diamond": lambda y, x, r, c, n: np.abs(x) + np.abs(y) < 0.75,
    "checker": lambda y, x, r, c, n: ((r * 4 // n) + (c * 4 // n)) % 2 == 0,
    "hstripes": lambda y, x, r, c, n: (r * 4 // n) % 2 == 0,
    "vstripes": lambda y, x, r, c, n: (c * 4 // n) % 2 == 0,
}

_NAMES = tuple(_FONT) + tuple(_SHAPES)


def image_names() -> list[str]:
    """Names of all built-in images, in their default order (digits, then shapes)."""
    return list(_NAMES)


def images(names: Iterable[str] | str | None = None, *, size: int = 16) -> PatternSet:
    """Built-in binary images as patterns.

    Args:
        names: image names to include, in that order (see :func:`image_names`); a single
            name is allowed; ``None`` = all of them. Digits may also be given as ints.
        size: side of each square image in pixels, ≥ 8.

    Returns:
        ``PatternSet`` of kind ``"binary"`` named ``"images"``, ``xi`` of shape
        ``(len(names), size²)`` with entries ±1 and ``shape=(size, size)``;
        ``meta["names"]`` lists the images in row order.

    Raises:
        RegistryError: an unknown image name (the message lists the available ones).
        ValueRangeError: ``size`` < 8 or not an integer.
    """
    size = check_int("size", size, low=8)
    if names is None:
        chosen = list(_NAMES)
    else:
        chosen = [names] if isinstance(names, (str, int)) else list(names)
        chosen = [str(n) for n in chosen]
    if not chosen:
        raise RegistryError("an empty list of image names", "at least one name",
                            f"Pick from: {', '.join(_NAMES)} (or pass names=None for all).")
    unknown = [n for n in chosen if n not in _NAMES]
    if unknown:
        raise RegistryError(f"unknown image name(s) {unknown}",
                            f"names from the built-in set: {', '.join(_NAMES)}",
                            "Call `image_names()` to list them.")
    xi = np.stack([_draw(n, size).reshape(-1) for n in chosen])
    return PatternSet(np.where(xi, 1.0, -1.0), kind="binary", name="images",
                      meta={"generator": "images", "names": chosen, "size": size},
                      shape=(size, size))


def _draw(name: str, n: int) -> np.ndarray:
    """Boolean ``(n, n)`` ink mask of one image."""
    r, c = np.mgrid[0:n, 0:n]
    if name in _FONT:
        glyph = np.array([[ch == "#" for ch in row] for row in _FONT[name]])
        s = max(1, (n - 2) // 7)  # integer scale: crisp strokes, ≥ 1 pixel margin
        gr = (r - (n - 7 * s) // 2) // s
        gc = (c - (n - 5 * s) // 2) // s
        inside = (gr >= 0) & (gr < 7) & (gc >= 0) & (gc < 5)
        return inside & glyph[np.clip(gr, 0, 6), np.clip(gc, 0, 4)]
    y = (r + 0.5) / n * 2 - 1
    x = (c + 0.5) / n * 2 - 1
    return _SHAPES[name](y, x, r, c, n)
