"""Build the inputs of one run: patterns, model and cues, with seeds derived from the run seed.

Every implementation at the same grid point and seed sees the very same patterns and
cues: their seeds depend only on the run seed and on a fixed tag, never on the
implementation.
"""

from __future__ import annotations

import inspect
import zlib
from typing import Any

import numpy as np

from ..errors import NeuroamError, ScenarioError

__all__ = ["derive_seed", "build_inputs", "build_patterns", "build_cues"]


def derive_seed(seed: int, tag: str) -> int:
    """A 32-bit seed for ``tag`` ("patterns", "cues", "recall") from the run seed."""
    seq = np.random.SeedSequence([int(seed), zlib.crc32(tag.encode())])
    return int(seq.generate_state(1)[0])


def _call(fn, kwargs: dict[str, Any], where: str, source: str):
    try:
        return fn(**kwargs)
    except NeuroamError as exc:
        raise ScenarioError(f"In {where} of {source}: {exc}") from None
    except TypeError as exc:
        raise ScenarioError(f"{where} parameters {sorted(kwargs)} in {source} ({exc})",
                            "the parameters of " + getattr(fn, "__name__", "the function"),
                            f"Fix {where} in the scenario.") from None


def _accepts(fn, name: str) -> bool:
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return True
    return name in params or any(p.kind is p.VAR_KEYWORD for p in params.values())


def build_patterns(scenario, seed: int):
    """The run's :class:`~neuroam.patterns.PatternSet` ``(K, D)``."""
    from .. import patterns as gen
    from .semantic import pattern_params

    spec = scenario.spec.patterns
    path = scenario.patterns_file
    if path is not None:
        if not path.exists():
            from ..errors import ScenarioError

            base = (f"from the scenario's folder {str(scenario.near.parent)!r}"
                    if scenario.near is not None else "from the current folder")
            raise ScenarioError(f"patterns.file = {spec.file!r} in {scenario.source}: there is "
                                f"no file {str(path)!r}",
                                f"a .npy or .h5 pattern file; a relative path is read {base}",
                                "Put the file there, or give its absolute path.")
        return _call(gen.load, {"path": path}, "[patterns] file", scenario.source)
    fn = gen.GENERATORS[spec.generator]
    kwargs = pattern_params(scenario.spec)
    if _accepts(fn, "seed"):
        kwargs["seed"] = spec.seed if spec.seed is not None else derive_seed(seed, "patterns")
    return _call(fn, kwargs, "[patterns]", scenario.source)


def build_cues(scenario, patterns, seed: int):
    """The run's :class:`~neuroam.cues.CueSet` ``(T, D)``."""
    from .. import cues

    spec = scenario.spec.cues
    params = dict(spec.params)
    params["seed"] = spec.seed if spec.seed is not None else derive_seed(seed, "cues")
    made = _call(lambda **kw: cues.make_cues(patterns, spec.kind, **kw), params, "[cues]",
                 scenario.source)
    made.check_against(patterns)
    return made


def build_inputs(scenario, seed: int):
    """``(patterns, model, cues)`` for ``scenario`` (already at its grid point)."""
    from .semantic import check_model

    patterns = build_patterns(scenario, seed)
    cues = build_cues(scenario, patterns, seed)
    model = check_model(scenario.spec, source=scenario.source)
    return patterns, model, cues
