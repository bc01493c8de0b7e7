"""Scenario files (TOML): format, validation, overrides, cards and the JSON schema; the grid
of runs (:mod:`.grid`) and each run's inputs (:mod:`.build`)."""

from .scenario import Scenario, load_scenario, loads_scenario
from .search import available, find_card, find_scenario
from .spec import ScenarioSpec
from .toml_io import parse_override

__all__ = ["Scenario", "ScenarioSpec", "load_scenario", "loads_scenario", "parse_override",
           "find_card", "find_scenario", "available", "json_schema"]


def json_schema() -> dict:
    """The JSON schema of scenario files (with every registered implementation's settings)."""
    from .schema_export import json_schema as _schema

    return _schema()
