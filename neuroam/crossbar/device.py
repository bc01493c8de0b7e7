"""The device-model protocol: one crossbar cell technology behind one interface.

A technology is a :class:`DeviceModel` subclass (a frozen dataclass of SI numbers read
from its device card) that answers everything the crossbar asks of a cell:

- conductance range: ``g_min``, ``g_max`` (S) and ``levels`` (0: analog), checked by
  :meth:`~DeviceModel.check_levels`; :meth:`~DeviceModel.tops` each device's own upper
  bound (device-to-device variation); :meth:`~DeviceModel.quantize` the programmable
  levels;
- programming: :meth:`~DeviceModel.program` target conductances → written ones (write
  noise, ``write_verify_iterations`` program-and-verify passes by default);
- drift: :meth:`~DeviceModel.drift_state` the per-device parameters of the drift law,
  drawn when the device is programmed, and :meth:`~DeviceModel.drift` the conductance
  ``t`` seconds later; :meth:`~DeviceModel.accumulated_noise` noise accumulated since
  programming, added once per chip;
- read noise: :meth:`~DeviceModel.read_sigma_rel` the relative σ of one read;
- ``stuck_on_fraction``: the share of stuck devices stuck at g_max (ON).

Randomness comes from the NumPy generator the caller passes, always in the order of the
pipeline (:func:`neuroam.crossbar.array.program_array`): tops, program, drift state,
accumulated noise. Every method acts on device arrays of any shape.

Technologies are found through the ``neuroam.devices`` entry-point group
(:class:`neuroam.plugins.Registry`): ``kind = "module:Class"``, where ``kind`` is the
``kind`` of the device cards that select it and the class's :attr:`~DeviceModel.kind`.
A technology whose cards are a new card kind declares the kind's
:class:`~neuroam.cards.schema.Schema` as :attr:`~DeviceModel.schema`; it is registered
when the technology is first loaded. So a new technology is one module (the class, its
schema) + one entry-point line + a card; the crossbar code never names one. The built-in
one is the aihwkit-style memristor (:mod:`.memristor`, cards of kind "memristor").
"""

from __future__ import annotations

import abc
import dataclasses
import tomllib
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from ..cards import Card, load_card
from ..cards.schema import Schema, known_kinds, register, schema_for
from ..errors import CardError
from ..plugins import PluginError, Registry

__all__ = ["DeviceModel", "DEVICES", "GROUP", "load_device", "technology_kinds"]

GROUP = "neuroam.devices"


@dataclasses.dataclass(frozen=True)
class DeviceModel(abc.ABC):
    """A crossbar cell technology with the numbers of one device card (see the module
    docstring for the protocol). Conductances in S, times in s.

    Attributes:
        name, path: the card's name and file.
        g_min, g_max: the programmable conductance window (S), 0 ≤ g_min < g_max.
        levels: programmable levels (0: analog); the most a run may ask for.
        write_verify_iterations: program-and-verify passes by default.
        stuck_on_fraction: share of stuck devices stuck at g_max (ON) by default.
    """

    #: the card ``kind`` that selects this technology (its entry-point name)
    kind: ClassVar[str]
    #: the schema of its cards, registered when the technology is loaded (None: a kind
    #: neuroam already knows)
    schema: ClassVar[Schema | None] = None

    name: str
    path: Path | None
    g_min: float
    g_max: float
    levels: int
    write_verify_iterations: int
    stuck_on_fraction: float

    # -- the card ------------------------------------------------------------------------
    @classmethod
    @abc.abstractmethod
    def from_card(cls, card: Card) -> "DeviceModel":
        """The technology with the (schema-checked, SI) values of ``card``."""

    # -- conductance range ----------------------------------------------------------------
    @property
    def on_off(self) -> float:
        return self.g_max / self.g_min if self.g_min > 0 else float("inf")

    def check_levels(self, levels: int) -> int:
        """``levels`` asked for by a user, checked against the card (0 = analog)."""
        where = f"the {self.kind} card {self.name!r} ({self.path})"
        if levels == 1 or levels < 0:
            raise CardError(f"levels = {levels} for {where}",
                            "0 (analog) or an integer ≥ 2",
                            "Ask for at least two conductance levels, or 0 for analog.")
        if self.levels and (levels == 0 or levels > self.levels):
            asked = "analog (0) levels" if levels == 0 else f"levels = {levels}"
            raise CardError(f"{asked} for {where}, which allows params.levels = {self.levels}",
                            f"an integer in [2, {self.levels}]",
                            f"Ask for at most {self.levels} levels or pick a device card that "
                            "allows more.")
        return int(levels)

    def tops(self, shape, rng: np.random.Generator) -> np.ndarray:
        """Each device's own upper conductance bound (S). Default: g_max for all (no
        device-to-device variation, no draw)."""
        return np.full(shape, self.g_max)

    def quantize(self, g: np.ndarray, levels: int) -> np.ndarray:
        """Targets rounded to ``levels`` evenly spaced conductances in [g_min, g_max]
        (0: analog, ``g`` itself)."""
        from .programming import quantize

        return quantize(g, self, levels)

    # -- programming ------------------------------------------------------------------------
    @abc.abstractmethod
    def program(self, target: np.ndarray, rng: np.random.Generator, *, tops: np.ndarray,
                write_verify: int) -> np.ndarray:
        """Written conductances (S) for ``target`` (within [g_min, tops]): one write plus
        ``write_verify`` program-and-verify passes, never above each device's top."""

    # -- drift ------------------------------------------------------------------------------
    @abc.abstractmethod
    def drift_state(self, g_target: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Per-device parameters of the drift law (same shape as ``g_target``), drawn when
        the devices are programmed to ``g_target``."""

    @abc.abstractmethod
    def drift(self, g: np.ndarray, state: np.ndarray, t: float) -> np.ndarray:
        """Conductances ``t`` ≥ 0 seconds after programming, from those right after (``g``)
        and :meth:`drift_state`. ``t = 0`` gives ``g`` unchanged."""

    def accumulated_noise(self, g: np.ndarray, g_prog: np.ndarray, t: float,
                          rng: np.random.Generator) -> np.ndarray:
        """``g`` plus the noise accumulated from programming to ``t`` (once per chip).
        Default: none."""
        return g

    # -- reading --------------------------------------------------------------------------
    @abc.abstractmethod
    def read_sigma_rel(self, g: np.ndarray) -> np.ndarray:
        """Relative σ of one read of devices at ``g`` (dimensionless, a fresh array)."""


def _technology(kind: str, cls: Any, where: str) -> type[DeviceModel]:
    if not (isinstance(cls, type) and issubclass(cls, DeviceModel)):
        raise PluginError(f"{where}, which is {cls!r}",
                          "a subclass of neuroam.crossbar.device.DeviceModel",
                          "Fix the entry point of the package that declares it.")
    if getattr(cls, "kind", None) != kind:
        raise PluginError(f"{where}, for a class of kind {getattr(cls, 'kind', None)!r}",
                          "the entry point's name equal to the class's `kind` (the card kind)",
                          "Rename one of them.")
    if cls.schema is not None:
        if cls.schema.kind != kind:
            raise PluginError(f"{where}, whose schema is for cards of kind {cls.schema.kind!r}",
                              f"a schema of kind {kind!r}", "Make the two kinds agree.")
        if kind not in known_kinds():
            register(cls.schema)
        elif schema_for(kind) is not cls.schema:
            raise PluginError(f"{where}, declaring a schema for the card kind {kind!r}, which "
                              "another schema already defines", "one schema per card kind",
                              "Set `schema = None` to use the existing one, or rename the kind.")
    return cls


#: card kind -> technology class (a read-only mapping, loaded on first use)
DEVICES: Registry = Registry(GROUP, "crossbar device technology", _technology)


def technology_kinds() -> list[str]:
    """The card kinds of every declared technology, without importing any."""
    return DEVICES.names()


def _card_kind(ref: str | Path, near) -> str | None:
    from ..cards.search import find_card

    path = find_card("device", str(ref), near)
    try:
        found = tomllib.loads(path.read_text(encoding="utf-8")).get("kind")
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None  # load_card says what is wrong with the file
    return found if isinstance(found, str) else None


def load_device(ref: str | Path, near: str | Path | None = None) -> DeviceModel:
    """The technology a device card selects by its ``kind``, with the card's numbers; by
    name (``devices/<name>.toml``) or path. A card of a kind no technology declares is
    refused naming the kinds that are."""
    kinds = tuple(technology_kinds())
    kind = _card_kind(ref, near)
    if kind not in kinds:
        load_card(ref, folder="device", near=near, kind=kinds)  # raises: the wrong kind
        raise CardError(f"the device card {ref!r}", f"a card of kind {' or '.join(kinds)}",
                        "Pick a crossbar device card (`neuroam list devices`).")
    cls = DEVICES[kind]
    return cls.from_card(load_card(ref, folder="device", near=near, kind=kind))
