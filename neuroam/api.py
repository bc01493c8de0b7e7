"""One-call recall: ``neuroam.recall(model, patterns, cues, "ideal-ode", t1=20)``."""

from __future__ import annotations

from . import implementations
from .results import RecallResult

__all__ = ["recall"]


def recall(model, patterns, cues, implementation: str = "ideal-ode", *, seed: int = 0,
           **settings) -> RecallResult:
    """Recall ``patterns`` stored in ``model`` from ``cues`` through ``implementation``.

    Args:
        model: a :class:`~neuroam.models.Model` (e.g. ``make_model("lse", beta=0.1)``).
        patterns: the stored :class:`~neuroam.patterns.PatternSet`.
        cues: a :class:`~neuroam.cues.CueSet` made from those patterns.
        implementation: a registered name (see ``neuroam.implementations.names()``).
        seed: seed of any randomness inside the implementation (noise, update order).
        **settings: that implementation's settings (validated; unknown keys refused).
    """
    impl = implementations.get(implementation)
    return impl.recall(model, patterns, cues, impl.settings(**settings), seed=seed)
