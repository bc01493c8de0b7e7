"""The static part of the scenario format, as pydantic models (``extra="forbid"``).

Parameters that belong to a pattern generator, an energy model, a cue maker or an
implementation are checked in a second stage (:mod:`.semantic`) against the callable
or the ``Settings`` model they feed, so that unknown keys are caught there too.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = ["ScenarioSpec", "ScenarioInfo", "PatternsSpec", "ModelSpec", "CuesSpec",
           "SweepSpec", "SaveSpec", "ReferenceSpec", "CrossingSpec", "NAME_PATTERN"]

NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
_U32 = 2**32 - 1


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_default=True, allow_inf_nan=False)


class _Open(BaseModel):
    """A table whose extra keys are parameters checked in the semantic stage."""

    model_config = ConfigDict(extra="allow", validate_default=True, allow_inf_nan=False)

    @property
    def params(self) -> dict[str, Any]:
        return dict(self.model_extra or {})


class ScenarioInfo(_Strict):
    """``[scenario]``: what this study is."""

    name: str = Field(pattern=NAME_PATTERN, description="Short name; default output folder "
                      "results/<name>/. Letters, digits, '_', '.', '-'.")
    description: str = Field("", description="What the study shows; copied into report.md.")
    seed: int = Field(0, ge=0, le=_U32, description="Master seed; patterns, cues and noise "
                      "derive their seeds from it (or from each of [sweep] seeds).")


class PatternsSpec(_Open):
    """``[patterns]``: a generator from ``neuroam.patterns`` with its parameters, or a file."""

    generator: str | None = Field(None, description="random_binary, correlated_binary, "
                                  "gaussian, sphere, images, ... Other keys are its parameters.")
    file: str | None = Field(None, description="A .npy/.npz/.h5 file of shape (K, D), "
                             "relative to the scenario file.")
    K: int | None = Field(None, ge=1, le=10_000_000, description="Number of stored patterns.")
    D: int | None = Field(None, ge=1, le=10_000_000, description="Neurons per pattern.")
    seed: int | None = Field(None, ge=0, le=_U32, description="Fixed seed (default: derived "
                             "from the run seed).")

    @model_validator(mode="after")
    def _one_source(self):
        if (self.generator is None) == (self.file is None):
            raise ValueError("give exactly one of `generator` or `file` (from the command "
                             "line, replace the whole table: --set "
                             "'patterns={file=\"x.npy\"}')")
        return self


class ModelSpec(_Open):
    """``[model]``: ``name`` and the keyword parameters of ``neuroam.models.make_model``."""

    name: str = Field(description="hopfield, polynomial, exponential, lse, lsr, ...")


class CuesSpec(_Open):
    """``[cues]``: ``kind`` and the parameters of ``neuroam.cues.make_cues``."""

    kind: str = Field(description="flip, occlude, noise, exact, random, ...")
    seed: int | None = Field(None, ge=0, le=_U32, description="Fixed seed (default: derived "
                             "from the run seed).")


class SweepSpec(_Strict):
    """``[sweep]``: a full grid over dotted keys, times seeds."""

    grid: dict[str, list[Any]] = Field(default_factory=dict, description="Dotted key -> list "
                                       "of values, e.g. {\"patterns.K\" = [10, 20]}.")
    seeds: list[int] | None = Field(None, min_length=1, description="Run seeds (default: "
                                    "[scenario] seed only).")

    @field_validator("grid")
    @classmethod
    def _grid(cls, grid: dict[str, list[Any]]):
        for key, values in grid.items():
            if not values:
                raise ValueError(f"grid key {key!r} has an empty list of values")
            if key.split(".")[0] in ("sweep", "scenario"):
                raise ValueError(f"grid key {key!r} cannot be swept (use [sweep] seeds for "
                                 "seeds)")
        return grid

    @field_validator("seeds")
    @classmethod
    def _seeds(cls, seeds: list[int] | None):
        if seeds is not None:
            if any(s < 0 or s > _U32 for s in seeds):
                raise ValueError(f"seeds must lie in 0..{_U32}")
            if len(set(seeds)) != len(seeds):
                raise ValueError("seeds must be distinct")
        return seeds


class SaveSpec(_Strict):
    """``[save]``: what the HDF5 store keeps."""

    states: bool = Field(True, description="Keep full state trajectories (trial, time, "
                         "neuron); false keeps overlaps and energies only.")
    decimate: int = Field(1, ge=1, le=1_000_000, description="Keep every N-th saved time "
                          "point (the last one is always kept).")
    threshold: float | None = Field(None, gt=0.0, le=1.0, description="Overlap needed to "
                                    "count a trial as retrieved (default: the metrics' own).")
    extras: bool | list[str] = Field(True, description="Keep the implementations' extra "
                                     "arrays (spike trains, fault masks, conductance maps): "
                                     "all (true), none (false) or the named ones.")


class CrossingSpec(_Strict):
    """Where along a swept axis a metric crosses a level (e.g. the critical load α_c)."""

    axis: str = Field(description="The swept dotted key along which to look, e.g. "
                      "\"patterns.K\".")
    level: float = Field(description="The level the metric crosses, e.g. 0.5.")
    scale: float = Field(1.0, gt=0, description="Multiply the axis value by this before "
                         "comparing (e.g. 1/D to turn K into the load α = K/D).")
    direction: Literal["falling", "rising"] = Field(
        "falling", description="falling: the first axis value at which the metric drops "
        "below the level after being at or above it; rising: the reverse.")
    log: bool = Field(False, description="Interpolate between grid points in log(axis) "
                      "(for axes swept in powers, such as K = 4, 8, 16, ...).")


class ReferenceSpec(_Strict):
    """``[[reference]]``: a published or theoretical value to set beside the measured one.

    ``ours`` is the mean over seeds of the summary field ``metric`` of ``label`` at the
    grid point ``at`` (or, with ``crossing``, the axis value where that mean crosses a
    level); the report lists each reference with ours and whether it lies within the
    tolerance.
    """

    label: str | None = Field(None, description="Implementation label; optional when the "
                              "scenario has one label.")
    metric: str = Field(description="A summary field: accuracy, mean_final_overlap, ...")
    at: dict[str, Any] = Field(default_factory=dict, description="Grid point: swept key -> "
                               "value; swept keys not named are averaged over.")
    crossing: CrossingSpec | None = None
    value: float = Field(description="The published or theoretical value.")
    tolerance: float | None = Field(None, ge=0, description="Reproduced when |ours − value| "
                                    "≤ tolerance.")
    rel_tolerance: float | None = Field(None, gt=0, description="Reproduced when |ours/value "
                                        "− 1| ≤ rel_tolerance.")
    source: str = Field(min_length=1, description="Where the value comes from (paper, "
                        "figure, formula).")
    note: str = Field("", description="What differs between their protocol and ours.")

    @model_validator(mode="after")
    def _one_tolerance(self):
        if (self.tolerance is None) == (self.rel_tolerance is None):
            raise ValueError("give exactly one of `tolerance` (absolute) or `rel_tolerance` "
                             "(relative)")
        if self.rel_tolerance is not None and self.value == 0:
            raise ValueError("a relative tolerance needs a nonzero `value`; use `tolerance`")
        return self


class ScenarioSpec(_Strict):
    """A whole scenario file after ``[[implementations]]`` were turned into a table."""

    scenario: ScenarioInfo
    patterns: PatternsSpec
    model: ModelSpec
    cues: CuesSpec
    implementations: dict[str, dict[str, Any]] = Field(
        min_length=1, description="Label -> {name = implementation, settings...}.")
    sweep: SweepSpec = Field(default_factory=SweepSpec)
    save: SaveSpec = Field(default_factory=SaveSpec)
    reference: list[ReferenceSpec] = Field(
        default_factory=list, description="Published or theoretical values the report sets "
        "beside the measured ones ([[reference]] tables).")

    @field_validator("implementations")
    @classmethod
    def _labels(cls, impls: dict[str, dict[str, Any]]):
        import re
        for label in impls:
            if not re.match(NAME_PATTERN, label):
                raise ValueError(f"implementation label {label!r} must match {NAME_PATTERN}")
        return impls
