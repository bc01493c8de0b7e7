"""A crossbar circuit: tile geometry, weight mapping and peripherals (card kind ``"crossbar"``).

- ``tile_rows`` × ``tile_cols`` devices per tile (one array); ``max_tiles`` tiles on the
  chip (0: as many as needed). Matrices larger than one tile are split; partial sums of
  tiles that share outputs are added digitally after their ADCs.
- ``mapping``: ``"differential"`` (two devices per weight, adjacent columns, w ∝ g⁺ − g⁻)
  or ``"offset"`` (one device per weight, w ∝ g − g_ref, one reference column per tile).
- ``dac_bits`` / ``adc_bits`` (0: ideal converter). Inputs are scaled by their largest
  magnitude before the DAC (aihwkit's "abs-max" noise management) and rescaled after the
  ADC. The ADC full scale is ``adc_range`` × the worst-case current of the inputs mapped
  into the tile (n_inputs · v_read · (g_max − g_min)); ``output_noise`` is additive Gaussian
  noise at the ADC input, in units of one cell's full current v_read · (g_max − g_min).
- ``wire_resistance`` (Ω per cell segment of every row and column wire) and
  ``read_voltage`` (V, the input of magnitude 1).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from ..cards import Card, load_card
from ..cards.tables import MAPPINGS

__all__ = ["Circuit", "MAPPINGS", "load_circuit", "circuit_from_card"]


@dataclasses.dataclass(frozen=True)
class Circuit:
    name: str
    path: Path | None
    tile_rows: int
    tile_cols: int
    max_tiles: int
    mapping: str
    dac_bits: int
    adc_bits: int
    adc_range: float
    output_noise: float
    wire_resistance: float
    read_voltage: float

    @property
    def outputs_per_tile(self) -> int:
        """Logical outputs (weight columns) one tile holds."""
        return self.tile_cols // 2 if self.mapping == "differential" else self.tile_cols - 1


def circuit_from_card(card: Card) -> Circuit:
    """A :class:`Circuit` from a crossbar card (checked against its schema when read;
    see :data:`neuroam.cards.tables.CROSSBAR`)."""
    v = card.require_kind("crossbar").value
    return Circuit(
        name=card.name, path=card.path, tile_rows=v("tile_rows"), tile_cols=v("tile_cols"),
        max_tiles=v("max_tiles"), mapping=v("mapping"), dac_bits=v("dac_bits"),
        adc_bits=v("adc_bits"), adc_range=v("adc_range"), output_noise=v("output_noise"),
        wire_resistance=v("wire_resistance"), read_voltage=v("read_voltage"),
    )


def load_circuit(ref: str | Path) -> Circuit:
    """A crossbar circuit card by name (``circuits/<name>.toml``) or path."""
    return circuit_from_card(load_card(ref, folder="circuit", kind="crossbar"))
