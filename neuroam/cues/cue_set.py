"""Cues: the initial states of recall trials, with their targets and clamping masks."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import numpy as np

from ..errors import ShapeError, ValueRangeError

__all__ = ["CueSet"]


@dataclasses.dataclass(frozen=True)
class CueSet:
    """A batch of ``T`` recall trials over ``D`` visible neurons.

    Attributes:
        states: ``(T, D)`` float32 initial visible states (activations).
        targets: ``(T,)`` int index of the stored pattern each cue was made from,
            or -1 when the cue has no target.
        clamp: ``(T, D)`` bool mask, True where the entry is *known* and held fixed
            during recall (tutorial eq. 5.9 uses the complement as the update mask),
            or ``None`` when nothing is clamped.
        kind: how the cues were made (``"flip"``, ``"occlude"``, ``"noise"``, ``"exact"``).
        meta: generator parameters (rate, seed, ...).
    """

    states: np.ndarray
    targets: np.ndarray
    clamp: np.ndarray | None = None
    kind: str = "custom"
    meta: Mapping[str, Any] = dataclasses.field(default_factory=dict)

    def __post_init__(self):
        states = np.asarray(self.states, dtype=np.float32)
        if states.ndim == 1:
            states = states[None]
        if states.ndim != 2:
            raise ShapeError(f"cue states of shape {states.shape}", "a 2-D array (trial, neuron)",
                             "Stack one initial state per trial as rows.")
        if not np.all(np.isfinite(states)):
            raise ValueRangeError("cue states with non-finite entries", "finite values",
                                  "Replace NaN/inf in the cues.")
        targets = np.asarray(self.targets, dtype=np.int64).reshape(-1)
        if targets.shape != (states.shape[0],):
            raise ShapeError(f"{targets.shape[0]} targets for {states.shape[0]} cues",
                             "one target index per cue (-1 for none)",
                             "Pass `targets` with one entry per row of `states`.")
        clamp = self.clamp
        if clamp is not None:
            clamp = np.asarray(clamp, dtype=bool)
            if clamp.ndim == 1 and clamp.shape[0] == states.shape[1]:
                clamp = np.broadcast_to(clamp, states.shape)
            if clamp.shape != states.shape:
                raise ShapeError(
                    f"a clamping mask of shape {clamp.shape}",
                    f"shape {states.shape} (trial, neuron) or ({states.shape[1]},)",
                    "Give one boolean per neuron (True = known and clamped), per trial or shared.")
            clamp = np.ascontiguousarray(clamp)
        object.__setattr__(self, "states", states)
        object.__setattr__(self, "targets", targets)
        object.__setattr__(self, "clamp", clamp)
        object.__setattr__(self, "meta", dict(self.meta))

    @property
    def n_trials(self) -> int:
        return self.states.shape[0]

    @property
    def D(self) -> int:
        return self.states.shape[1]

    def __len__(self) -> int:
        return self.n_trials

    def check_against(self, patterns) -> None:
        """Raise unless these cues fit ``patterns`` (same D, targets in range)."""
        if self.D != patterns.D:
            raise ShapeError(f"cues with D={self.D} neurons", f"D={patterns.D} as in the patterns",
                             "Make the cues from the same pattern set you recall.")
        if self.targets.size and (self.targets.max() >= patterns.K or self.targets.min() < -1):
            raise ValueRangeError(f"target indices in [{self.targets.min()}, {self.targets.max()}]",
                                  f"-1 ≤ target < K={patterns.K}",
                                  "Targets index the stored patterns; use -1 for no target.")
