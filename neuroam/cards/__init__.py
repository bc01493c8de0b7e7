"""Device and circuit cards (TOML, SI units, every number with its source)."""

from .card import Card, Param, load_card, parse_card

__all__ = ["Card", "Param", "load_card", "parse_card"]
