"""Every domain exception neuroam raises.

Each message says three things: what was received, what was expected, and how to
fix it. User-facing entry points (the CLI) catch :class:`NeuroamError` and print
the message without a traceback; anything else is a bug in neuroam.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = [
    "NeuroamError",
    "ShapeError",
    "ValueRangeError",
    "ModelError",
    "LearningRuleError",
    "UnsupportedError",
    "SimulatorError",
    "RegistryError",
    "ScenarioError",
    "StoreError",
    "CardError",
    "ClusterError",
    "format_error",
    "suggest",
]


def format_error(received: str, expected: str, fix: str) -> str:
    """Compose the one-paragraph message every neuroam error carries."""
    return f"Received {received}; expected {expected}. {fix}"


def suggest(word: str, choices: Iterable[str]) -> str:
    """``" Did you mean `x`?"`` for the closest choice, or ``""`` (for the fix part)."""
    close = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1, cutoff=0.6)
    return f" Did you mean `{close[0]}`?" if close else ""


class NeuroamError(Exception):
    """Base class: a problem with the user's input, not a bug in neuroam."""

    def __init__(self, received: str, expected: str | None = None, fix: str | None = None):
        if expected is None and fix is None:
            super().__init__(received)
        else:
            super().__init__(format_error(received, expected or "a valid value", fix or ""))


class ShapeError(NeuroamError, ValueError):
    """An array has the wrong number of dimensions or the wrong size."""


class ValueRangeError(NeuroamError, ValueError):
    """A number lies outside its allowed range, or an array holds non-finite values."""


class ModelError(NeuroamError, ValueError):
    """An energy model was configured in a way that has no valid energy."""


class LearningRuleError(NeuroamError, ValueError):
    """A learning rule was asked for something it cannot produce."""


class UnsupportedError(NeuroamError):
    """An implementation or dynamics was asked for something it does not support."""


class RegistryError(NeuroamError, KeyError):
    """An unknown or duplicate name in a registry (implementations, cards, ...)."""

    def __str__(self) -> str:  # KeyError would otherwise quote the message
        return str(self.args[0]) if self.args else ""


class ScenarioError(NeuroamError):
    """A scenario file is malformed or invalid."""


class StoreError(NeuroamError):
    """An HDF5 results file is missing, corrupt, foreign or cannot be written."""


class CardError(NeuroamError):
    """A device or circuit card is missing or invalid."""


class ClusterError(NeuroamError):
    """A Dask scheduler cannot be reached or a cluster cannot be started."""


class SimulatorError(NeuroamError):
    """An external circuit simulator (ngspice) failed on a netlist neuroam wrote."""
