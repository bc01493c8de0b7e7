"""The stored patterns ξ: a validated ``(K, D)`` array."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, Literal

import numpy as np

from ..errors import ShapeError, UnsupportedError, ValueRangeError

__all__ = ["PatternSet", "as_patterns"]

Kind = Literal["binary", "real"]


@dataclasses.dataclass(frozen=True)
class PatternSet:
    """``K`` stored patterns of ``D`` neurons each.

    Attributes:
        xi: ``(K, D)`` float32 array. For ``kind="binary"`` every entry is ±1.
        kind: ``"binary"`` (entries ±1; overlap m = ξ·σ/D) or ``"real"`` (any finite
            values; overlap = cosine similarity).
        name: short description used in reports and in the HDF5 store.
        meta: generator parameters (seed, correlation, ...) kept for provenance.
        shape: optional image shape ``(H, W)`` with ``H·W = D`` for plotting.
    """

    xi: np.ndarray
    kind: Kind = "binary"
    name: str = "patterns"
    meta: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    shape: tuple[int, int] | None = None

    def __post_init__(self):
        xi = np.asarray(self.xi)
        if xi.ndim == 1:
            xi = xi[None, :]
        if xi.ndim != 2 or xi.shape[0] < 1 or xi.shape[1] < 1:
            raise ShapeError(
                f"a pattern array of shape {xi.shape}",
                "a 2-D array (K patterns, D neurons) with K ≥ 1 and D ≥ 1",
                "Stack the patterns as rows, e.g. `np.stack(list_of_vectors)`.",
            )
        if not np.issubdtype(xi.dtype, np.number) and xi.dtype != bool:
            raise ValueRangeError(f"a pattern array of dtype {xi.dtype}", "a numeric array",
                                  "Convert the patterns to numbers first.")
        xi = xi.astype(np.float32)
        if not np.all(np.isfinite(xi)):
            bad = int(np.sum(~np.isfinite(xi)))
            raise ValueRangeError(
                f"a pattern array with {bad} non-finite entries (NaN or ±inf)",
                "finite values only",
                "Remove or replace the non-finite entries before storing the patterns.",
            )
        if self.kind not in ("binary", "real"):
            raise ValueRangeError(f"kind={self.kind!r}", "'binary' or 'real'",
                                  "Pick `kind='binary'` for ±1 patterns and 'real' otherwise.")
        if self.kind == "binary" and not np.all(np.abs(xi) == 1):
            raise ValueRangeError(
                "binary patterns with entries other than ±1 "
                f"(e.g. {xi[np.abs(xi) != 1][:3].tolist()})",
                "every entry equal to +1 or -1",
                "Map {0,1} data with `2*x - 1`, or pass `kind='real'` for real-valued patterns.",
            )
        if self.shape is not None and int(np.prod(self.shape)) != xi.shape[1]:
            raise ShapeError(f"image shape {self.shape} for D={xi.shape[1]}",
                             "an (H, W) with H·W = D", "Give the image shape of one pattern.")
        xi.setflags(write=False)
        object.__setattr__(self, "xi", xi)
        object.__setattr__(self, "meta", dict(self.meta))

    @property
    def K(self) -> int:
        """Number of stored patterns."""
        return self.xi.shape[0]

    @property
    def D(self) -> int:
        """Number of neurons per pattern."""
        return self.xi.shape[1]

    @property
    def is_binary(self) -> bool:
        return self.kind == "binary"

    def __len__(self) -> int:
        return self.K

    def subset(self, k: int) -> "PatternSet":
        """The first ``k`` patterns (for capacity sweeps over K)."""
        if not 1 <= k <= self.K:
            raise ValueRangeError(f"k={k}", f"1 ≤ k ≤ K={self.K}", "Ask for fewer patterns.")
        return dataclasses.replace(self, xi=self.xi[:k], meta={**self.meta, "subset": k})


def as_patterns(patterns) -> PatternSet:
    """``patterns`` itself, or an array wrapped as binary (all ±1) or real patterns."""
    if isinstance(patterns, PatternSet):
        return patterns
    if isinstance(patterns, (np.ndarray, list, tuple)):
        arr = np.asarray(patterns)
        kind = "binary" if arr.size and np.all(np.abs(arr) == 1) else "real"
        return PatternSet(arr, kind=kind, name="array")
    raise UnsupportedError(f"patterns of type {type(patterns).__name__}",
                           "a PatternSet or a (K, D) array",
                           "Make patterns with `neuroam.patterns` (e.g. `random_binary(K, D)`).")
