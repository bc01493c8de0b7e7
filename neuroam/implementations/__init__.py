"""Implementations: one substrate per module, each recalling the same model and patterns
into the common RecallResult; found by name through entry points (:mod:`.registry`)."""

from .base import Implementation, RecallJob, SettingsBase, validate_settings
from .registry import IMPLEMENTATIONS, get, names

__all__ = ["Implementation", "RecallJob", "SettingsBase", "validate_settings", "get", "names",
           "IMPLEMENTATIONS"]
