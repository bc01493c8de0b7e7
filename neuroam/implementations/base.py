"""The contract every implementation fulfils."""

from __future__ import annotations

import abc
import difflib
from typing import ClassVar

import pydantic

from ..errors import ValueRangeError
from ..results import RecallResult

__all__ = ["Implementation", "SettingsBase", "validate_settings"]


class SettingsBase(pydantic.BaseModel):
    """Settings of one implementation: typed, with defaults, unknown keys refused."""

    model_config = pydantic.ConfigDict(extra="forbid", frozen=True)


def validate_settings(impl: "Implementation", values: dict) -> SettingsBase:
    """``impl.Settings(**values)`` with a one-paragraph error naming the key."""
    try:
        return impl.Settings(**values)
    except pydantic.ValidationError as exc:
        err = exc.errors()[0]
        key = ".".join(str(p) for p in err["loc"])
        fields = sorted(impl.Settings.model_fields)
        if err["type"] == "extra_forbidden":
            close = difflib.get_close_matches(key, fields, n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise ValueRangeError(f"unknown setting {key!r} for implementation {impl.name!r}",
                                  f"one of {fields}", f"Remove or rename it.{hint}") from None
        raise ValueRangeError(f"{key}={err.get('input')!r} for implementation {impl.name!r}",
                              err["msg"].lower(), f"Fix the value of {key!r}.") from None


class Implementation(abc.ABC):
    """A substrate that recalls stored patterns from cues.

    Concrete implementations register by ``name``, declare their ``Settings`` and raise
    :class:`~neuroam.errors.UnsupportedError` for models or patterns they cannot serve
    (never a silent fallback).
    """

    name: ClassVar[str]
    description: ClassVar[str]
    time_unit: ClassVar[str] = "tau"
    Settings: ClassVar[type[SettingsBase]]

    @abc.abstractmethod
    def recall(self, model, patterns, cues, settings: SettingsBase, *, seed: int = 0) -> RecallResult:
        """Recall ``patterns`` stored in ``model`` from ``cues``; returns a RecallResult."""

    def settings(self, **values) -> SettingsBase:
        return validate_settings(self, values)
