"""Models by name: ``make_model("polynomial", n=3)``."""

from __future__ import annotations

import difflib
import inspect

from ..errors import ModelError, RegistryError
from .model import Model
from .zoo.exponential import ExponentialDenseAM
from .zoo.hopfield import Hopfield
from .zoo.lse import LSE
from .zoo.lsr import LSR
from .zoo.polynomial import PolynomialDenseAM

__all__ = ["MODELS", "make_model", "model_names", "model_parameters"]

MODELS: dict[str, type[Model]] = {
    cls.name: cls for cls in (Hopfield, PolynomialDenseAM, ExponentialDenseAM, LSE, LSR)
}


def model_names() -> list[str]:
    return sorted(MODELS)


def model_parameters(name: str) -> dict[str, object]:
    """Parameter names and defaults of a model family."""
    sig = inspect.signature(_get(name).__init__)
    return {p.name: p.default for p in list(sig.parameters.values())[1:]}


def _get(name: str) -> type[Model]:
    if name not in MODELS:
        close = difflib.get_close_matches(str(name), MODELS, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise RegistryError(f"model {name!r}", f"one of {model_names()}", f"Pick a known model.{hint}")
    return MODELS[name]


def make_model(name: str, **params) -> Model:
    """Build a model by name; unknown parameters are refused with a suggestion."""
    cls = _get(name)
    allowed = model_parameters(name)
    for key in params:
        if key not in allowed:
            close = difflib.get_close_matches(key, allowed, n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise ModelError(f"parameter {key!r} for model {name!r}",
                             f"one of {sorted(allowed)}", f"Remove or rename it.{hint}")
    return cls(**params)
