"""The one result type every implementation returns."""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np

from ..errors import ShapeError
from .status import Status

__all__ = ["RecallResult", "Extra", "float64_results"]

_FLOAT64 = contextvars.ContextVar("neuroam_float64_results", default=False)


@contextlib.contextmanager
def float64_results() -> Iterator[None]:
    """Results built inside keep float64 states, energies, overlaps and finals (a run
    that asked for float64; see :meth:`~neuroam.implementations.Implementation.recall`).
    Outside, they are stored as float32."""
    token = _FLOAT64.set(True)
    try:
        yield
    finally:
        _FLOAT64.reset(token)


@dataclasses.dataclass(frozen=True)
class Extra:
    """An implementation-specific array with named dimensions.

    ``dims`` names every axis of ``data``; dimensions shared with the main result use
    the same names (``trial``, ``time``, ``neuron``, ``pattern``). Ragged data such as
    spike trains use their own dimension (``spike``) in the contiguous ragged layout:
    ``spike_time(spike)``, ``spike_neuron(spike)``, ``spike_count(trial)``.
    """

    dims: tuple[str, ...]
    data: np.ndarray
    units: str = ""

    def __post_init__(self):
        object.__setattr__(self, "data", np.asarray(self.data))
        if len(self.dims) != self.data.ndim:
            raise ShapeError(
                f"an extra array of shape {self.data.shape} with dims {self.dims}",
                "one dimension name per axis",
                "Pass `dims` with exactly one name per axis of `data`.",
            )


@dataclasses.dataclass(frozen=True)
class RecallResult:
    """Trajectories and outcomes of a batch of recall trials.

    Shapes use ``T`` trials, ``S`` saved time points, ``D`` visible neurons and ``K``
    stored patterns. Saved samples that were never reached (a trial that stopped early)
    are NaN.

    Attributes:
        implementation: registered name of the implementation (``"ideal-ode"``, ...).
        times: ``(S,)`` save times, in the implementation's time unit (``time_unit``).
        states: ``(T, S, D)`` visible activations over time, or ``None`` when only
            reductions were saved.
        energies: ``(T, S)`` total energy over time, or ``None`` when the
            implementation has no energy.
        overlaps: ``(T, S, K)`` overlap of the visible activations with every stored
            pattern, ``(1/D) Σ_i ξ_i^μ g_i`` for binary patterns and cosine similarity
            for real-valued ones.
        final: ``(T, D)`` visible activations at the end of each trial.
        status: ``(T,)`` :class:`~neuroam.results.Status` codes (int8).
        converge_time: ``(T,)`` time at which each trial reached its steady state
            (NaN when it did not), in ``time_unit``.
        cues: ``(T, D)`` the initial visible states.
        targets: ``(T,)`` index of the pattern each cue was made from (-1: none).
        time_unit: unit of ``times`` and ``converge_time`` (``"s"``, ``"tau"``,
            ``"sweep"``, ``"iteration"``: iterations of a fixed-point update map).
        extras: implementation-specific arrays with named dimensions.
        attrs: scalar metadata (solver, tolerances, seed, wall and compile time).
    """

    implementation: str
    times: np.ndarray
    states: np.ndarray | None
    energies: np.ndarray | None
    overlaps: np.ndarray
    final: np.ndarray
    status: np.ndarray
    converge_time: np.ndarray
    cues: np.ndarray
    targets: np.ndarray
    time_unit: str = "tau"
    extras: Mapping[str, Extra] = dataclasses.field(default_factory=dict)
    attrs: Mapping[str, Any] = dataclasses.field(default_factory=dict)

    def __post_init__(self):
        real = np.float64 if _FLOAT64.get() else np.float32
        conv = {
            "times": np.float64,
            "overlaps": real,
            "final": real,
            "status": np.int8,
            "converge_time": np.float64,
            "cues": np.float32,
            "targets": np.int64,
        }
        for name, dtype in conv.items():
            object.__setattr__(self, name, np.asarray(getattr(self, name), dtype=dtype))
        for name in ("states", "energies"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, np.asarray(value, dtype=real))
        object.__setattr__(self, "extras", dict(self.extras))
        object.__setattr__(self, "attrs", dict(self.attrs))
        self._check_shapes()

    def _check_shapes(self):
        T, D = self.final.shape if self.final.ndim == 2 else (None, None)
        if T is None:
            raise ShapeError(
                f"`final` of shape {self.final.shape}", "shape (trial, neuron)",
                "Return one final visible state per trial.")
        S = self.times.shape[0]
        K = self.overlaps.shape[-1]
        expected = {
            "times": (S,),
            "overlaps": (T, S, K),
            "status": (T,),
            "converge_time": (T,),
            "cues": (T, D),
            "targets": (T,),
        }
        if self.states is not None:
            expected["states"] = (T, S, D)
        if self.energies is not None:
            expected["energies"] = (T, S)
        for name, shape in expected.items():
            got = getattr(self, name).shape
            if got != shape:
                raise ShapeError(
                    f"`{name}` of shape {got}",
                    f"shape {shape} (trial={T}, time={S}, neuron={D}, pattern={K})",
                    "Every array of a RecallResult must share the trial, time, neuron and "
                    "pattern sizes.")

    # -- sizes ---------------------------------------------------------------
    @property
    def n_trials(self) -> int:
        return self.final.shape[0]

    @property
    def n_neurons(self) -> int:
        return self.final.shape[1]

    @property
    def n_patterns(self) -> int:
        return self.overlaps.shape[-1]

    @property
    def n_times(self) -> int:
        return self.times.shape[0]

    # -- convenience ----------------------------------------------------------
    @property
    def final_overlaps(self) -> np.ndarray:
        """``(T, K)`` overlaps of the final states with every stored pattern."""
        return self.overlaps[:, -1, :] if self.n_times else np.zeros((self.n_trials, self.n_patterns))

    def status_counts(self) -> dict[str, int]:
        return {s.name.lower(): int(np.sum(self.status == s)) for s in Status}

    def replace(self, **changes) -> "RecallResult":
        if self.final.dtype == np.float64:  # a float64 result stays float64
            with float64_results():
                return dataclasses.replace(self, **changes)
        return dataclasses.replace(self, **changes)
