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
from ..errors import CardError

__all__ = ["Circuit", "MAPPINGS", "load_circuit", "circuit_from_card"]

MAPPINGS = ("differential", "offset")


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


def _int(card: Card, key: str, lo: int, hi: int | None = None) -> int:
    v = card.check_range(key, lo, hi)
    if v != int(v):
        raise CardError(f"{key} = {card.value(key)!r} in the crossbar card {card.name!r} "
                        f"({card.path})", "an integer", f"Fix params.{key}.value in the card.")
    return int(v)


def circuit_from_card(card: Card) -> Circuit:
    """Validate a crossbar card and turn it into a :class:`Circuit`."""
    card.require_kind("crossbar")
    mapping = card.value("mapping")
    if mapping not in MAPPINGS:
        raise CardError(f"mapping = {mapping!r} in the crossbar card {card.name!r} ({card.path})",
                        f"one of {list(MAPPINGS)}", "Fix params.mapping.value in the card.")
    rows = _int(card, "tile_rows", 1, 1 << 16)
    cols = _int(card, "tile_cols", 1, 1 << 16)
    if cols < 2:
        why = ("two device columns" if mapping == "differential"
               else "a reference column beside it")
        raise CardError(f"tile_cols = {cols} in the crossbar card {card.name!r} ({card.path}), "
                        f"too small for the {mapping} mapping",
                        f"tile_cols in [2, 65536] (a {mapping} weight column needs {why})",
                        "Fix params.tile_cols in the card.")
    bits = {}
    for key in ("dac_bits", "adc_bits"):
        bits[key] = _int(card, key, 0, 24)
        if bits[key] == 1:
            raise CardError(f"{key} = 1 in the crossbar card {card.name!r} ({card.path})",
                            "0 (ideal converter) or an integer in [2, 24] (signed levels)",
                            f"Fix params.{key}.value in the card.")
    return Circuit(
        name=card.name, path=card.path, tile_rows=rows, tile_cols=cols,
        max_tiles=_int(card, "max_tiles", 0), mapping=mapping, **bits,
        adc_range=card.check_range("adc_range", 0.0, 1.0, lo_open=True),
        output_noise=card.check_range("output_noise", 0.0),
        wire_resistance=card.check_range("wire_resistance", 0.0),
        read_voltage=card.check_range("read_voltage", 0.0, 10.0, lo_open=True),
    )


def load_circuit(ref: str | Path) -> Circuit:
    """A crossbar circuit card by name (``circuits/<name>.toml``) or path."""
    return circuit_from_card(load_card(ref, folder="circuit"))
