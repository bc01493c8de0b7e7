"""Device and circuit cards (TOML, every number with its unit and source), checked
against one schema per card kind and converted to SI when read."""

from .card import Card, Param, load_card, parse_card
from .schema import ParamSpec, Schema, known_kinds, schema_for

__all__ = ["Card", "Param", "load_card", "parse_card", "ParamSpec", "Schema", "schema_for",
           "known_kinds"]
