"""Models by name: ``make_model("polynomial", n=3)``; the ``neuroam.models`` entry-point group.

Every model family — neuroam's own and any other package's — is declared in that group
(``name = "module:Class"`` in the package's ``pyproject.toml``, the class a
:class:`~neuroam.models.Model` whose ``name`` is the entry point's) and found through
:class:`neuroam.plugins.Registry`.
"""

from __future__ import annotations

import difflib
import inspect

from ..errors import ModelError, NeuroamError
from ..plugins import PluginError, Registry
from .model import Model

__all__ = ["GROUP", "MODELS", "make_model", "model_names", "model_parameters", "model_variants"]

GROUP = "neuroam.models"


def _model_class(name: str, cls, where: str) -> type[Model]:
    if not (isinstance(cls, type) and issubclass(cls, Model)):
        raise PluginError(f"{where}, which is {cls!r}", "a subclass of neuroam.models.Model",
                          "Fix the entry point of the package that declares it.")
    if getattr(cls, "name", None) != name:
        raise PluginError(f"{where}, for a class named {getattr(cls, 'name', None)!r}",
                          "the entry point's name equal to the class's `name`",
                          "Rename one of them.")
    return cls


#: name -> model class (a read-only mapping, loaded on first use)
MODELS: Registry = Registry(GROUP, "model", _model_class)


def model_names() -> list[str]:
    return MODELS.names()


def model_parameters(name: str) -> dict[str, object]:
    """Parameter names and defaults of a model family."""
    sig = inspect.signature(_get(name).__init__)
    return {p.name: p.default for p in list(sig.parameters.values())[1:]}


def _get(name: str) -> type[Model]:
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


def model_variants(name: str) -> list[tuple[dict, Model]]:
    """``[(params, model)]``: the family's declared :attr:`~Model.variants` (else each of its
    forms at the defaults), built; parameter sets the family refuses are left out."""
    cls = _get(name)
    sets = list(cls.variants) or [{} if f == cls.forms[0] else {"form": f} for f in cls.forms]
    out = []
    for params in sets:
        try:
            out.append((dict(params), make_model(name, **params)))
        except (NeuroamError, TypeError):
            continue
    return out
