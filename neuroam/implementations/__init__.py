"""Implementations register by name and return the common RecallResult."""

from . import ideal_discrete, ideal_ode, ideal_sde  # noqa: F401  (registration)
from . import astrocyte  # noqa: F401  (registration)
from . import crossbar  # noqa: F401  (registration)
from . import oscillator  # noqa: F401  (registration)
from . import spiking  # noqa: F401  (registration)
from .base import Implementation, SettingsBase, validate_settings
from .registry import get, names, register

__all__ = ["Implementation", "SettingsBase", "validate_settings", "get", "names", "register"]
