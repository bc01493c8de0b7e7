"""Make cues by kind name: the entry point the scenario runner uses."""

from __future__ import annotations

import difflib
import inspect

from ..errors import RegistryError, UnsupportedError
from ..plugins import Registry, callable_entry
from .cue_set import CueSet

__all__ = ["make_cues", "CUE_KINDS"]

#: cue makers by kind: the ``neuroam.cues`` entry-point group (``kind = "module:maker"``,
#: ``maker(patterns, **params) -> CueSet``); neuroam's own kinds are declared there too
CUE_KINDS: Registry = Registry("neuroam.cues", "cue kind", callable_entry("cue maker"))


def make_cues(patterns, kind: str, **params) -> CueSet:
    """Cues of the named ``kind`` made from ``patterns``.

    ``make_cues(p, "flip", rate=0.1, seed=3)`` is ``flip(p, rate=0.1, seed=3)``; the
    kinds are the keys of :data:`CUE_KINDS` (``flip``, ``occlude``, ``noise``,
    ``exact``, ``random``). A ``seed`` is accepted for every kind and ignored by the
    deterministic ones (``exact``), so callers can pass one seed uniformly.

    Raises:
        RegistryError: unknown ``kind`` (the message lists the valid ones and the
            closest match).
        UnsupportedError: a parameter the kind does not take, or a missing required one.
    """
    if not isinstance(kind, str) or kind not in CUE_KINDS:
        close = difflib.get_close_matches(str(kind), list(CUE_KINDS), n=1)
        hint = f"Did you mean {close[0]!r}? " if close else ""
        raise RegistryError(f"cue kind {kind!r}", f"one of {', '.join(CUE_KINDS.names())}",
                            f"{hint}Pick one of the registered cue kinds.")
    fn = CUE_KINDS[kind]
    sig = inspect.signature(fn)
    if "seed" not in sig.parameters:
        params.pop("seed", None)
    try:
        sig.bind(patterns, **params)
    except TypeError as e:
        accepted = [
            f"{n}{'' if p.default is not inspect.Parameter.empty else ' (required)'}"
            for n, p in list(sig.parameters.items())[1:]
        ]
        unknown = [k for k in params if k not in sig.parameters]
        hint = ""
        if unknown:
            close = difflib.get_close_matches(unknown[0], list(sig.parameters)[1:], n=1)
            hint = f"Did you mean {close[0]!r} instead of {unknown[0]!r}? " if close else ""
        raise UnsupportedError(f"cue kind {kind!r} with parameters {sorted(params)} ({e})",
                               f"parameters among: {', '.join(accepted) or 'none'}",
                               f"{hint}Fix the cue parameters.") from None
    return fn(patterns, **params)
