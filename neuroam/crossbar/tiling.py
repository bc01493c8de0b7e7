"""Where each logical weight lives: tiles, device rows and device columns.

A logical matrix M of shape ``(n_in, n_out)`` (inputs drive rows, outputs are read on
columns: y = Mᵀ x) is cut into ``nb × nc`` tiles of ``tile_rows`` inputs and
``outputs_per_tile`` outputs. Inside a tile, logical output k uses device columns
``2k`` (g⁺) and ``2k + 1`` (g⁻) in the differential mapping, or column ``k`` plus the
tile's last column (the reference) in the offset mapping. Device arrays are shaped
``(..., nb, nc, tile_rows, tile_cols)``; unused cells stay at g_min and see no input.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from ..errors import CardError
from .circuit import Circuit

__all__ = ["TileLayout", "make_layout"]


@dataclasses.dataclass(frozen=True)
class TileLayout:
    n_in: int
    n_out: int
    tile_rows: int
    tile_cols: int
    mapping: str

    @property
    def per_tile(self) -> int:
        return self.tile_cols // 2 if self.mapping == "differential" else self.tile_cols - 1

    @property
    def nb(self) -> int:
        return math.ceil(self.n_in / self.tile_rows)

    @property
    def nc(self) -> int:
        return math.ceil(self.n_out / self.per_tile)

    @property
    def n_tiles(self) -> int:
        return self.nb * self.nc

    @property
    def tile_shape(self) -> tuple[int, int, int, int]:
        return (self.nb, self.nc, self.tile_rows, self.tile_cols)

    # -- logical <-> tiles --------------------------------------------------------
    def split(self, M: np.ndarray, fill=0.0) -> np.ndarray:
        """``(..., n_in, n_out)`` -> ``(..., nb, nc, tile_rows, per_tile)`` (padded with ``fill``)."""
        M = np.asarray(M)
        lead = M.shape[:-2]
        pad = [(0, 0)] * len(lead) + [(0, self.nb * self.tile_rows - self.n_in),
                                      (0, self.nc * self.per_tile - self.n_out)]
        P = np.pad(M, pad, constant_values=fill)
        P = P.reshape(*lead, self.nb, self.tile_rows, self.nc, self.per_tile)
        return np.moveaxis(P, -3, -2)

    def join(self, T: np.ndarray) -> np.ndarray:
        """Inverse of :meth:`split`: ``(..., nb, nc, tile_rows, per_tile)`` -> ``(..., n_in, n_out)``."""
        T = np.moveaxis(np.asarray(T), -2, -3)
        lead = T.shape[:-4]
        M = T.reshape(*lead, self.nb * self.tile_rows, self.nc * self.per_tile)
        return M[..., :self.n_in, :self.n_out]

    def used_inputs(self) -> np.ndarray:
        """``(nb,)`` logical inputs mapped into each tile row block."""
        return np.minimum(self.tile_rows, self.n_in - self.tile_rows * np.arange(self.nb))

    def used_outputs(self) -> np.ndarray:
        """``(nc,)`` logical outputs mapped into each tile column block."""
        return np.minimum(self.per_tile, self.n_out - self.per_tile * np.arange(self.nc))

    def assemble(self, D: np.ndarray) -> np.ndarray:
        """``(..., nb, nc, tile_rows, tile_cols)`` -> one device map ``(..., nb·rows, nc·cols)``."""
        D = np.moveaxis(np.asarray(D), -2, -3)
        lead = D.shape[:-4]
        return D.reshape(*lead, self.nb * self.tile_rows, self.nc * self.tile_cols)


def make_layout(n_in: int, n_out: int, circuit: Circuit) -> TileLayout:
    """The layout of an ``(n_in, n_out)`` matrix on ``circuit``; refuses a chip too small."""
    layout = TileLayout(int(n_in), int(n_out), circuit.tile_rows, circuit.tile_cols,
                        circuit.mapping)
    if circuit.max_tiles and layout.n_tiles > circuit.max_tiles:
        raise CardError(
            f"a {n_in}×{n_out} weight matrix that needs {layout.nb}×{layout.nc} = "
            f"{layout.n_tiles} tiles of {circuit.tile_rows}×{circuit.tile_cols} devices on the "
            f"crossbar card {circuit.name!r} ({circuit.path}), which has max_tiles = "
            f"{circuit.max_tiles}",
            f"a matrix that fits in {circuit.max_tiles} tiles (at most "
            f"{circuit.max_tiles * circuit.tile_rows} inputs × {circuit.outputs_per_tile} "
            "outputs per tile)",
            "Use a circuit card with larger or more tiles (params.tile_rows, params.tile_cols, "
            "params.max_tiles), or store fewer neurons/patterns.")
    return layout
