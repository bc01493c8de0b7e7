"""Expand ``[sweep]`` into runs: implementation × grid point × seed.

A grid key under ``implementations.LABEL.`` only affects that implementation, so the
other implementations are not re-run for each of its values. Runs come out point-major
(every implementation of one point and seed before the next), with stable ids.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
from typing import Any

__all__ = ["RunPoint", "expand", "relevant_keys", "format_value"]


@dataclasses.dataclass(frozen=True)
class RunPoint:
    """One run of the study.

    Attributes:
        label: implementation label (key of ``[implementations]``).
        implementation: registered implementation name.
        index: index of this label's grid point (0 when nothing is swept).
        seed: the run seed (patterns, cues and noise seeds derive from it).
        params: ``{dotted key: value}`` of the grid values that apply to this label.
    """

    label: str
    implementation: str
    index: int
    seed: int
    params: dict[str, Any]

    @property
    def point_id(self) -> str:
        return f"p{self.index:03d}-s{self.seed}"

    @property
    def run_id(self) -> str:
        """``"<label>/<point id>"``: the run's group under ``/runs`` in the store."""
        return f"{self.label}/{self.point_id}"

    def describe(self) -> str:
        parts = [f"{k}={format_value(v)}" for k, v in self.params.items()]
        return " ".join([self.label, *parts, f"seed={self.seed}"])


def format_value(value: Any) -> str:
    """Short text for a grid value (tables as ``name n=3``)."""
    if isinstance(value, dict):
        head = str(value.get("name", ""))
        rest = " ".join(f"{k}={format_value(v)}" for k, v in value.items() if k != "name")
        return (head + " " + rest).strip()
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, (list, tuple)):
        return json.dumps(value, default=str)
    return str(value)


def relevant_keys(grid_keys: list[str], label: str) -> list[str]:
    prefix = f"implementations.{label}"
    return [k for k in grid_keys
            if not k.startswith("implementations.") or k == prefix or k.startswith(prefix + ".")]


def _freeze(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def expand(grid: dict[str, list[Any]], seeds: list[int],
           implementations: dict[str, str]) -> list[RunPoint]:
    """All runs. ``implementations`` maps label -> implementation name."""
    keys = list(grid)
    seen: dict[str, dict[str, int]] = {label: {} for label in implementations}
    runs: list[RunPoint] = []
    ids: set[str] = set()
    combos = list(itertools.product(*(grid[k] for k in keys))) if keys else [()]
    for combo in combos:
        full = dict(zip(keys, combo))
        for seed in seeds:
            for label, name in implementations.items():
                params = {k: full[k] for k in relevant_keys(keys, label)}
                frozen = _freeze(params)
                index = seen[label].setdefault(frozen, len(seen[label]))
                run = RunPoint(label, name, index, int(seed), params)
                if run.run_id not in ids:
                    ids.add(run.run_id)
                    runs.append(run)
    return runs
