"""The validated :class:`Scenario` and the functions that load one."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..errors import ScenarioError
from .grid import RunPoint, expand
from . import semantic
from .messages import explain
from .paths import normalize_implementations, set_path, split, suggest
from .spec import ScenarioSpec
from .toml_io import parse_override, parse_toml, read_toml

__all__ = ["Scenario", "load_scenario", "loads_scenario"]


@dataclasses.dataclass(frozen=True)
class Scenario:
    """A scenario file after overrides and both validation stages.

    Attributes:
        spec: the static sections (``scenario``, ``patterns``, ``model``, ``cues``,
            ``sweep``, ``save``).
        data: the normalized nested dict (``[[implementations]]`` turned into a table,
            overrides applied); sweep points are applied to it.
        implementations: label -> validated :class:`~.semantic.ImplementationConfig`.
        text: the file's full text (stored in results.h5).
        source: the file's path, or ``"<string>"``.
        overrides: the ``--set`` items, as given.
    """

    spec: ScenarioSpec
    data: dict[str, Any]
    implementations: dict[str, semantic.ImplementationConfig]
    text: str
    source: str
    overrides: tuple[str, ...] = ()
    where: dict[str, str] = dataclasses.field(default_factory=dict)
    #: validated grid points by their grid values: a point is validated once per study
    _points: dict[str, "Scenario"] = dataclasses.field(default_factory=dict, compare=False,
                                                        repr=False)

    @property
    def name(self) -> str:
        return self.spec.scenario.name

    @property
    def seed(self) -> int:
        return self.spec.scenario.seed

    @property
    def near(self) -> Path | None:
        return None if self.source.startswith("<") else Path(self.source).resolve()

    @property
    def seeds(self) -> list[int]:
        return list(self.spec.sweep.seeds or [self.seed])

    def digest(self) -> str:
        """Hash of the effective content: equal digests mean identical runs."""
        blob = json.dumps(self.data, sort_keys=True, default=str).encode()
        return hashlib.sha256(blob).hexdigest()[:16]

    def runs(self) -> list[RunPoint]:
        """Every run (implementation × grid point × seed), point-major."""
        labels = {label: cfg.name for label, cfg in self.implementations.items()}
        return expand(self.spec.sweep.grid, self.seeds, labels)

    def at(self, run: RunPoint) -> "Scenario":
        """This scenario with ``run``'s grid values applied, validated the first time a
        point is asked for and kept: later runs at the same point cost a look-up."""
        key = json.dumps(run.params, sort_keys=True, default=str)
        point = self._points.get(key)
        if point is None:
            data = self.data
            for k, value in run.params.items():
                data = set_path(data, k, value, origin="[sweep] grid key")
            point = self if data == self.data else _validate(
                data, text=self.text, source=self.source, overrides=self.overrides,
                where=self.where, deep=False, context=f" (sweep point {run.describe()})")
            self._points[key] = point
        return point

    @property
    def patterns_file(self) -> Path | None:
        """The ``[patterns] file``, a relative path read from the scenario's folder (the
        current folder for a scenario given as text); None for a generator."""
        spec = self.spec.patterns
        if spec.file is None:
            return None
        path = Path(spec.file).expanduser()
        return self.near.parent / path if not path.is_absolute() and self.near else path

    def input_files(self) -> list[Path]:
        """The files this scenario names: its patterns file and every card given in the
        settings of any label at any grid point (defaults an implementation loads by
        itself are recorded per run when they are read; see :mod:`neuroam.inputs`)."""
        files: list[Path] = []
        points = [self, *self._points.values()]
        for point in points:
            if point.patterns_file is not None:
                files.append(point.patterns_file.resolve())
            for cfg in point.implementations.values():
                files += semantic.card_paths(cfg.settings)
        return sorted(set(files))

    def config(self, run: RunPoint) -> semantic.ImplementationConfig:
        return self.at(run).implementations[run.label]


def _validate(data: dict, *, text: str, source: str, overrides: Sequence[str],
              where: dict[str, str], deep: bool, context: str = "") -> Scenario:
    try:
        spec = ScenarioSpec.model_validate(data, strict=True)
    except ValidationError as exc:
        raise explain(exc, ScenarioSpec, source=source, context=context) from None
    near = None if source.startswith("<") else Path(source).resolve()
    _check_grid_labels(spec, source)
    impls = semantic.check_implementations(spec, where, source=source + context, near=near)
    semantic.check_patterns(spec, source=source + context)
    semantic.check_cues(spec, source=source + context)
    shared = semantic.check_model(spec, source=source + context)
    semantic.check_support(impls, shared, source=source + context)
    semantic.check_references(spec, source=source + context, overridden=bool(overrides))
    scenario = Scenario(spec=spec, data=data, implementations=impls, text=text, source=source,
                        overrides=tuple(overrides), where=where)
    if deep:
        _check_points(scenario)
    return scenario


def _check_overrides_not_swept(data: dict, overrides: Sequence[str], source: str) -> None:
    """A ``--set`` on a key the grid sweeps would be overwritten at every point: refuse it
    and say how to set the axis instead."""
    sweep = data.get("sweep")
    grid = sweep.get("grid") if isinstance(sweep, dict) else None
    if not isinstance(grid, dict):
        return
    for item in overrides:
        key, _ = parse_override(item)
        parts = split(key)
        if parts[:1] == ["sweep"]:
            continue
        for axis in grid:
            if parts[:len(split(axis))] == split(axis):
                raise ScenarioError(
                    f"--set {item!r}, but [sweep] grid of {source} sweeps `{axis}`, which "
                    "would replace it at every grid point",
                    "--set only on keys the grid does not sweep",
                    f"Set the axis itself: --set 'sweep.grid.\"{axis}\"=[...]' (one value "
                    "runs one point), or replace the whole grid with --set 'sweep.grid={...}'.")


def _check_grid_labels(spec: ScenarioSpec, source: str) -> None:
    """A grid key under ``implementations.`` must name one of the labels."""
    labels = list(spec.implementations)
    for key in spec.sweep.grid:
        parts = key.split(".")
        if parts[0] == "implementations" and (len(parts) < 3 or parts[1] not in labels):
            label = parts[1] if len(parts) > 1 else ""
            raise ScenarioError(
                f"the grid key `{key}` in [sweep] of {source}",
                "implementations.<label>.<setting> with a label among: " + ", ".join(labels),
                f"{suggest(label, labels).strip()} Use the label of an [implementations] "
                "table.".strip())


def _check_points(scenario: Scenario) -> None:
    """Validate every grid point, check that each run fits in memory (from the shapes,
    before anything is allocated), and build the base patterns and cues once."""
    for run in scenario.runs():
        if run.seed == scenario.seeds[0]:
            semantic.check_memory(scenario.at(run), run.label)
    from .build import build_inputs

    first = scenario.runs()[0]
    build_inputs(scenario.at(first), first.seed)


def loads_scenario(text: str, *, source: str = "<string>", overrides: Sequence[str] = (),
                   deep: bool = True) -> Scenario:
    """Validate scenario ``text``. ``overrides`` are ``"key.path=value"`` strings."""
    data = parse_toml(text, source=source)
    data, where = normalize_implementations(data)
    for item in overrides:
        key, value = parse_override(item)
        data = set_path(data, key, value, origin=f"--set {item!r}")
    data, where2 = normalize_implementations(data)
    _check_overrides_not_swept(data, overrides, source)
    return _validate(data, text=text, source=source, overrides=overrides,
                     where={**where2, **where}, deep=deep)


def load_scenario(path: str | Path, overrides: Sequence[str] = (), *,
                  deep: bool = True) -> Scenario:
    """Read, override and validate a scenario file. Raises ScenarioError/CardError."""
    _, text = read_toml(path)
    return loads_scenario(text, source=str(path), overrides=overrides, deep=deep)
