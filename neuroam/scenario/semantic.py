"""Second validation stage: check parameters against what they feed.

Pattern generators and cue makers are checked against their signatures, the model by
building it with ``neuroam.models.make_model``, and each implementation's settings by
its ``Settings`` model. Device/circuit card references in settings are resolved to
absolute paths (unknown cards list the available ones), and each card is read: of the
kind the setting takes, and valid under the schema of that kind.
"""

from __future__ import annotations

import dataclasses
import inspect
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from ..cards.search import find_card
from ..errors import CardError, NeuroamError, ScenarioError
from .messages import explain
from .paths import suggest
from .spec import ScenarioSpec

__all__ = ["ImplementationConfig", "check_implementations", "check_model", "check_patterns",
           "check_cues", "card_kind", "card_paths", "build_model", "input_shape",
           "run_bytes", "check_memory", "check_references", "reference_metrics"]


@dataclasses.dataclass(frozen=True)
class ImplementationConfig:
    """One ``[implementations.LABEL]`` entry after validation."""

    label: str
    name: str
    settings: BaseModel  # an instance of the implementation's ``Settings``
    #: the label's own model (``[implementations.LABEL] model = {...}``), built when the
    #: scenario was validated; None: the scenario's [model]
    own_model: Any = None

    def model(self, shared):
        """The model this label recalls with: its own, else ``shared``."""
        return shared if self.own_model is None else self.own_model


def _wrap(exc: Exception, where: str, source: str) -> ScenarioError:
    return ScenarioError(f"In {where} of {source}: {exc}")


def card_kind(name: str, field: Any) -> str | None:
    """``"device"``/``"circuit"`` when a settings field holds card references."""
    extra = getattr(field, "json_schema_extra", None)
    if isinstance(extra, dict) and extra.get("card") in ("device", "circuit"):
        return extra["card"]
    low = name.lower()
    for kind in ("device", "circuit"):
        if low in (kind, kind + "s", kind + "_card") or low.endswith("_" + kind):
            return kind
    return None


def card_paths(settings: BaseModel) -> list[Path]:
    """Resolved card files named in validated ``settings`` (see :func:`card_kind`)."""
    out = []
    for key, field in type(settings).model_fields.items():
        if card_kind(key, field) is None:
            continue
        value = getattr(settings, key)
        for ref in (value if isinstance(value, list) else [value]):
            if isinstance(ref, str) and Path(ref).is_file():
                out.append(Path(ref).resolve())
    return out


def _resolve_cards(settings: dict, fields: dict, near: Path | None) -> dict:
    out = dict(settings)
    for key, value in settings.items():
        kind = card_kind(key, fields.get(key))
        if kind is None:
            continue
        if isinstance(value, str):
            out[key] = str(find_card(kind, value, near))
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            out[key] = [str(find_card(kind, v, near)) for v in value]
        _check_cards(out[key], kind, fields.get(key))
    return out


def _check_cards(value: Any, folder: str, field: Any) -> None:
    """Read every card a settings field names, refusing a card of a kind the field does
    not take (``json_schema_extra={"card": ..., "kind": ...}``) and checking the others
    against their schema: a bad card fails validation, before any run."""
    from ..cards import load_card

    extra = getattr(field, "json_schema_extra", None)
    kinds = extra.get("kind") if isinstance(extra, dict) else None
    if not kinds:
        return
    if extra.get("technologies") == "neuroam.devices":  # any declared crossbar technology
        from ..crossbar.device import load_device

        for ref in (value if isinstance(value, list) else [value]):
            if isinstance(ref, str):
                load_device(ref)
        return
    for ref in (value if isinstance(value, list) else [value]):
        if isinstance(ref, str):
            load_card(ref, folder=folder, kind=kinds)


def check_implementations(spec: ScenarioSpec, where: dict[str, str], *, source: str,
                          near: Path | None) -> dict[str, ImplementationConfig]:
    from .. import implementations as registry

    names = list(registry.names())
    out: dict[str, ImplementationConfig] = {}
    for label, entry in spec.implementations.items():
        place = where.get(label, f"implementations.{label}")
        name = entry.get("name", label)
        if name not in names:
            raise ScenarioError(
                f"the implementation {name!r} in {place} of {source}",
                "one of: " + ", ".join(names),
                f"{suggest(name, names).strip()} Use a registered name (`neuroam list "
                "implementations`), or set name = \"...\" when the table key is a label."
                .strip())
        impl = registry.get(name)
        raw = {k: v for k, v in entry.items() if k not in ("name", "model")}
        table = entry.get("model")
        own = None if table is None else build_model(table, f"{place}.model", source)
        fields = impl.Settings.model_fields
        if "save_states" in fields and "save_states" not in raw:
            raw["save_states"] = spec.save.states
        try:
            raw = _resolve_cards(raw, fields, near)
        except CardError as exc:
            raise CardError(f"In {place} of {source}: {exc}") from None
        try:
            settings = impl.Settings.model_validate(raw)
        except ValidationError as exc:
            raise explain(exc, impl.Settings, source=source, prefix=f"implementations.{label}",
                          context=f" ({name} settings)") from None
        out[label] = ImplementationConfig(label=label, name=name, settings=settings,
                                          own_model=own)
    return out


def check_support(impls: dict[str, ImplementationConfig], shared, *, source: str) -> None:
    """Each label's implementation can realise its model (:meth:`Implementation.supports`
    with the label's settings), before any run."""
    from .. import implementations as registry

    for label, cfg in impls.items():
        try:
            registry.get(cfg.name).check_model(cfg.model(shared), cfg.settings)
        except NeuroamError as exc:
            raise type(exc)(f"In implementations.{label} of {source}: {exc}") from None


def build_model(table: Any, where: str, source: str):
    """Build a model from a ``{name = ..., params...}`` table (``where`` names it in
    errors: "[model]" or "implementations.LABEL.model"); returns it."""
    from .. import models

    if not isinstance(table, dict) or not isinstance(table.get("name"), str):
        raise ScenarioError(f"{where} = {table!r} in {source}",
                            "a table with a model name, e.g. { name = \"hopfield\", "
                            "rule = \"hebbian\" }",
                            f"Write {where} as a TOML table with at least `name`.")
    names = list(models.model_names())
    name = table["name"]
    if name not in names:
        raise ScenarioError(f"{where}.name = {name!r} in {source}",
                            "one of: " + ", ".join(names),
                            f"{suggest(name, names).strip()} Pick one of the listed models."
                            .strip())
    params = {k: v for k, v in table.items() if k != "name"}
    try:
        return models.make_model(name, **params)
    except (NeuroamError, TypeError) as exc:
        raise _wrap(exc, where, source) from None


def check_model(spec: ScenarioSpec, *, source: str):
    """Build the scenario's shared model once to check its parameters; returns it."""
    return build_model({"name": spec.model.name, **spec.model.params}, "[model]", source)


def _check_signature(fn, params: dict[str, Any], table: str, source: str,
                     skip: tuple[str, ...] = ()) -> None:
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return
    accepted = [n for n, p in sig.parameters.items()
                if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) and n not in skip]
    if any(p.kind is p.VAR_KEYWORD for p in sig.parameters.values()):
        return
    for key in params:
        if key not in accepted:
            raise ScenarioError(f"the unknown key `{table}.{key}` in {source}",
                                f"one of the parameters of {fn.__name__}: " + ", ".join(accepted),
                                f"{suggest(key, accepted).strip()} Remove or rename "
                                f"`{table}.{key}`.".strip())


def pattern_params(spec: ScenarioSpec) -> dict[str, Any]:
    p = spec.patterns
    out = {k: getattr(p, k) for k in ("K", "D") if getattr(p, k) is not None}
    out.update(p.params)
    return out


def check_patterns(spec: ScenarioSpec, *, source: str) -> None:
    from .. import patterns as gen

    p = spec.patterns
    if p.file is not None:
        extra = sorted(pattern_params(spec))
        if extra:
            raise ScenarioError(f"patterns.file together with {', '.join(extra)} in {source}",
                                "only `file` (the file fixes K and D)",
                                "Remove the other [patterns] keys, or use a generator.")
        return
    known = gen.GENERATORS.names()
    fn = gen.GENERATORS[p.generator] if p.generator in gen.GENERATORS else None
    if fn is None:
        raise ScenarioError(f"patterns.generator = {p.generator!r} in {source}",
                            "one of: " + ", ".join(known),
                            f"{suggest(p.generator, known).strip()} Pick a generator from "
                            "neuroam.patterns, or give file = \"...\".".strip())
    _check_signature(fn, pattern_params(spec), "patterns", source, skip=("seed",))


def check_cues(spec: ScenarioSpec, *, source: str) -> None:
    """The cue kind exists and its parameters match the cue maker's signature."""
    from .. import cues

    makers = cues.CUE_KINDS
    kind = spec.cues.kind
    if kind not in makers:
        raise ScenarioError(f"cues.kind = {kind!r} in {source}",
                            "one of: " + ", ".join(makers.names()),
                            f"{suggest(kind, makers.names()).strip()} Pick one of the listed cue "
                            "kinds.".strip())
    _check_signature(makers[kind], spec.cues.params, "cues", source, skip=("patterns", "seed"))


def input_shape(point) -> tuple[int, int, int] | None:
    """``(K, D, T)`` of a scenario point (patterns, neurons, cues) read from its settings
    and, for a ``.npy`` patterns file, from the file's header; None when a generator
    fixes the shape itself (images, digits) or the file is of another kind."""
    import numpy as np

    spec = point.spec.patterns
    path = point.patterns_file
    if path is not None:
        if path.suffix != ".npy":
            return None
        try:
            shape = np.load(path, mmap_mode="r").shape
        except (OSError, ValueError):
            return None  # the patterns loader reports a bad file with its own message
        if len(shape) != 2:
            return None
        K, D = (int(n) for n in shape)
    else:
        K, D = spec.K, spec.D
        if K is None or D is None:
            return None
    cues = point.spec.cues.params
    if isinstance(cues.get("targets"), list):
        T = len(cues["targets"])
    elif isinstance(cues.get("n"), int):
        T = cues["n"]
    else:
        tpp = cues.get("trials_per_pattern", 1)
        T = K * (tpp if isinstance(tpp, int) and tpp > 0 else 1)
    return K, D, T


def run_bytes(point, label: str) -> int | None:
    """A rough lower bound of the memory one run of ``label`` at ``point`` needs, in
    bytes: the patterns and cues (float64, with the clamp mask), the implementation's
    result (:meth:`Implementation.result_bytes`), and a D×D weight matrix when the model
    is a one-layer pairwise Hopfield network. None when the shapes are not known before
    the patterns are made."""
    from .. import implementations as registry

    shape = input_shape(point)
    if shape is None:
        return None
    K, D, T = shape
    cfg = point.implementations[label]
    model = cfg.model(None) or check_model(point.spec, source=point.source)
    size = 8 * (K * D + 2 * T * D)
    size += registry.get(cfg.name).result_bytes(cfg.settings, T, D, K)
    if getattr(model, "name", "") == "hopfield" and getattr(model, "form", "") == "one-layer":
        size += 8 * D * D
    return size


def _physical_memory() -> int | None:
    import os

    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        return None


def check_memory(point, label: str, *, limit: int | None = None) -> None:
    """Refuse a run that cannot fit in this machine's memory (``limit`` bytes, default all
    of its physical memory) before anything is allocated."""
    limit = _physical_memory() if limit is None else limit
    need = run_bytes(point, label)
    if limit is None or need is None or need <= limit:
        return
    K, D, T = input_shape(point)
    gib = 2.0 ** 30
    raise ScenarioError(
        f"a run of implementations.{label} in {point.source} that needs at least "
        f"{need / gib:,.1f} GiB (K = {K} patterns of D = {D} neurons, {T} cues)",
        f"a run that fits in this machine's {limit / gib:,.1f} GiB of memory",
        "Reduce patterns.D, patterns.K or the cues per pattern, keep fewer saved states "
        "([save] states = false, or a smaller n_save), or run it on a larger machine.")


#: summary fields a ``[[reference]]`` may compare (``metric``)
def reference_metrics() -> tuple[str, ...]:
    from ..metrics.summary import CHIP_FIELDS, PHASE_FIELDS, SUMMARY_FIELDS
    return (*SUMMARY_FIELDS, *CHIP_FIELDS, *PHASE_FIELDS, "energy_per_recall_J",
            "latency_per_recall_s")


def check_references(spec: ScenarioSpec, *, source: str, overridden: bool) -> None:
    """Each ``[[reference]]`` names a label, a summary field and grid points of this
    scenario. With ``--set`` overrides (which may replace labels or the grid) only the
    metric is checked: references whose point was not run show as "not run" in the report."""
    labels, grid = list(spec.implementations), spec.sweep.grid
    metrics = reference_metrics()
    for i, ref in enumerate(spec.reference, 1):
        where = f"[[reference]] number {i} of {source}"
        if ref.metric not in metrics:
            raise ScenarioError(f"metric = {ref.metric!r} in {where}",
                                "a summary field: " + ", ".join(metrics),
                                f"{suggest(ref.metric, list(metrics)).strip()} Compare one of "
                                "the summary fields the runs record.".strip())
        if overridden:
            continue
        if ref.label is None and len(labels) > 1:
            raise ScenarioError(f"no label in {where}", "label = one of " + ", ".join(labels),
                                "Name the implementation label whose runs it compares.")
        if ref.label is not None and ref.label not in labels:
            raise ScenarioError(f"label = {ref.label!r} in {where}",
                                "one of the labels: " + ", ".join(labels),
                                f"{suggest(ref.label, labels).strip()} Use an "
                                "[implementations] label.".strip())
        axis = ref.crossing.axis if ref.crossing is not None else None
        for key, value in ref.at.items():
            if key not in grid:
                raise ScenarioError(f"the key {key!r} of `at` in {where}",
                                    "a key swept in [sweep.grid]: " + (", ".join(grid) or "none"),
                                    "`at` picks a grid point; a key that is not swept has "
                                    "one value everywhere and needs no entry.")
            if value not in grid[key]:
                raise ScenarioError(f"{key} = {value!r} in `at` of {where}",
                                    f"one of the swept values {grid[key]!r}",
                                    "Compare at a grid point the scenario runs.")
            if key == axis:
                raise ScenarioError(f"the crossing axis {key!r} also fixed in `at` of {where}",
                                    "an axis that `at` leaves free",
                                    "Remove it from `at`: the crossing runs along it.")
        if axis is not None:
            values = grid.get(axis)
            if values is None or len(values) < 2 or not all(
                    isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
                raise ScenarioError(f"crossing axis {axis!r} in {where}",
                                    "a key swept over at least two numbers",
                                    "Sweep it in [sweep.grid], e.g. \"patterns.K\" = [8, 16, 32].")
            if ref.crossing.log and min(values) <= 0:
                raise ScenarioError(f"log = true on the axis {axis!r} in {where}",
                                    "positive axis values", "Use log = false.")
