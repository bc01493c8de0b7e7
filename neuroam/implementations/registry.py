"""Implementations by name: the ``neuroam.implementations`` entry-point group.

Every implementation — neuroam's own and any other package's — is declared in that group
(``name = "module:Class"`` in the package's ``pyproject.toml``) and found through
:class:`neuroam.plugins.Registry`, so a separate package plugs one in without touching
neuroam. A module is imported only when its implementation is used: a crossbar study
never imports Diffrax, Brian2 or the oscillator code.
"""

from __future__ import annotations

from ..errors import RegistryError
from ..plugins import PluginError, Registry
from .base import Implementation

__all__ = ["GROUP", "IMPLEMENTATIONS", "get", "names", "reference_rank", "references_first",
           "model_variants", "supported_models"]

GROUP = "neuroam.implementations"


def _instance(name: str, cls, where: str) -> Implementation:
    if not (isinstance(cls, type) and issubclass(cls, Implementation)):
        raise PluginError(f"{where}, which is {cls!r}",
                          "a subclass of neuroam.implementations.Implementation",
                          "Fix the entry point of the package that declares it.")
    if cls.name != name:
        raise PluginError(f"{where}, for a class named {cls.name!r}",
                          "the entry point's name equal to the class's `name`",
                          "Rename one of them.")
    return cls()


#: name -> the (one, shared) instance of that implementation
IMPLEMENTATIONS: Registry = Registry(GROUP, "implementation", _instance)


def get(name: str) -> Implementation:
    """The implementation declared as ``name`` (imported on first use)."""
    return IMPLEMENTATIONS[name]


def names() -> list[str]:
    """Every declared name, without importing anything."""
    return IMPLEMENTATIONS.names()


def reference_rank(name: str) -> int | None:
    """The :attr:`~Implementation.reference_rank` of the implementation ``name`` when its
    :attr:`~Implementation.role` is "reference"; None for hardware, and for a name that
    is not installed here (a stored study read elsewhere: it cannot be vouched for)."""
    try:
        impl = IMPLEMENTATIONS[name]
    except (RegistryError, PluginError):
        return None
    return impl.reference_rank if impl.role == "reference" else None


def references_first(impl_of: dict[str, str]) -> list[str]:
    """The labels of ``{label: implementation name}`` whose implementation is a reference,
    in the order reports prefer them: if any has a positive rank, only those, highest rank
    first (ideal-ode, then ideal-fixed-point); else every reference label. Ties keep the
    order of ``impl_of``."""
    ranks = {lab: reference_rank(name) for lab, name in impl_of.items()}
    refs = [lab for lab, r in ranks.items() if r is not None]
    ranked = sorted((lab for lab in refs if ranks[lab] > 0), key=lambda lab: -ranks[lab])
    return ranked or refs


def model_variants() -> list[tuple[str, object]]:
    """``[(label, model)]`` over every registered model family and its declared
    :attr:`~neuroam.models.Model.variants` (``"polynomial(n=4)"``)."""
    from ..models import model_names
    from ..models.registry import model_variants as variants_of

    out = []
    for name in model_names():
        for params, model in variants_of(name):
            args = ", ".join(f"{k}={v}" for k, v in params.items())
            out.append((f"{name}({args})" if args else name, model))
    return out


def supported_models(impl: Implementation,
                     variants: list[tuple[str, object]] | None = None) -> list[str]:
    """Labels of the registered models (and their variants) that ``impl`` supports with
    its default settings (:meth:`Implementation.supports`)."""
    variants = model_variants() if variants is None else variants
    return [label for label, model in variants if impl.supports(model) is None]
