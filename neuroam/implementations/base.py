"""The contract every implementation fulfils."""

from __future__ import annotations

import abc
import contextlib
import dataclasses
import difflib
import functools
import inspect
from collections.abc import Sequence
from typing import Any, ClassVar

import pydantic

from ..errors import UnsupportedError, ValueRangeError
from ..plugins import PluginError
from ..results import RecallResult, float64_results

__all__ = ["Implementation", "SettingsBase", "RecallJob", "validate_settings", "ROLES"]

#: what an implementation is to the others (:attr:`Implementation.role`)
ROLES = ("reference", "hardware")


class SettingsBase(pydantic.BaseModel):
    """Settings of one implementation: typed, with defaults, unknown keys refused."""

    model_config = pydantic.ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


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


@dataclasses.dataclass(frozen=True)
class RecallJob:
    """One run's inputs in a batched call (:meth:`Implementation.recall_batch`).

    Attributes:
        model: the :class:`~neuroam.models.Model` recalled with.
        patterns: the stored :class:`~neuroam.patterns.PatternSet` ``(K, D)``.
        cues: the :class:`~neuroam.cues.CueSet` ``(T, D)`` made from ``patterns``.
        settings: an instance of the implementation's ``Settings``.
        seed: seed of the run's own randomness (noise, fault draws, update order).
    """

    model: Any
    patterns: Any
    cues: Any
    settings: SettingsBase
    seed: int = 0


def _wants_float64(settings) -> bool:
    return getattr(settings, "dtype", "float32") == "float64"


@contextlib.contextmanager
def _precision(float64: bool):
    """JAX's x64 mode and float64 results for this call only, in this thread (a float64
    run no longer switches the whole process: later float32 runs compute exactly as
    before it)."""
    if not float64:
        yield
        return
    import jax

    with jax.enable_x64(True), float64_results():
        yield


def _scoped(fn, batch: bool):
    """``recall`` / ``recall_batch`` of a subclass, run inside :func:`_precision`."""
    sig = inspect.signature(fn)

    @functools.wraps(fn)
    def wrapper(self, *args, **kwargs):
        bound = sig.bind(self, *args, **kwargs)
        if batch:
            jobs = bound.arguments["jobs"] = list(bound.arguments["jobs"])  # read twice
            for j in jobs:
                self.check_model(j.model, j.settings)
            wanted = any(_wants_float64(j.settings) for j in jobs)
        else:
            if "model" in bound.arguments:
                self.check_model(bound.arguments["model"], bound.arguments["settings"])
            wanted = _wants_float64(bound.arguments["settings"])
        with _precision(wanted):
            return fn(*bound.args, **bound.kwargs)

    wrapper._precision_scoped = True
    return wrapper


class Implementation(abc.ABC):
    """A substrate that recalls stored patterns from cues.

    Concrete implementations register by ``name``, declare their ``Settings`` and their
    :attr:`role`, and say which models they can realise with :meth:`supports`, the one
    capability check: it reads the model's declared
    :attr:`~neuroam.models.Model.structure` (never its name or class), ``neuroam
    validate`` calls it for every label and grid point, ``neuroam list`` shows its
    answers, and every ``recall`` / ``recall_batch`` calls it (through
    :meth:`check_model`) before running, so an unsupported model is refused the same
    way everywhere (never a silent fallback). Patterns and cues are still checked by
    ``recall``.

    Batches: the study engine hands :meth:`recall_batch` runs that share one compiled
    shape — the same model, patterns and cues of the same shapes (their values differ
    from seed to seed), and settings that differ at most in the fields named in
    :attr:`batchable`. An implementation that overrides :meth:`recall_batch` stacks them
    along a batch axis (one compiled call); the others run them one by one. Either way a
    job's result does not depend on which other jobs share its batch: the same seed gives
    the same random draws in a batch of one and in a batch of a hundred.
    """

    name: ClassVar[str]
    description: ClassVar[str]
    time_unit: ClassVar[str] = "tau"
    Settings: ClassVar[type[SettingsBase]]
    #: settings that may differ between the jobs of one :meth:`recall_batch` call (e.g.
    #: noise levels, fault rates). Seeds (and the patterns and cues they draw) may always
    #: differ. Empty and no :meth:`recall_batch` override: jobs run one by one.
    batchable: ClassVar[frozenset[str]] = frozenset()
    #: "reference": an ideal realisation of the model's own dynamics, which reports compare
    #: the others with; "hardware": a substrate (device, circuit, simulator of one) whose
    #: results are compared with a reference. See :data:`ROLES`.
    role: ClassVar[str] = "hardware"
    #: among reference labels, reports prefer the highest rank (ideal-ode 2, then
    #: ideal-fixed-point 1: the same attractors without the trajectory; 0: any other)
    reference_rank: ClassVar[int] = 0
    #: True when batches may run in parallel threads of one process (JAX and NumPy code
    #: that keeps no global state); False (a simulator with a global device, such as
    #: Brian2) runs its batches alone, in the engine's own thread.
    thread_safe: ClassVar[bool] = False
    #: modules a process must import in its main thread before this implementation can
    #: run in a worker thread (Brian2 installs a SIGINT handler on import, which Python
    #: allows only there). The distributed executor imports them on its workers, once a
    #: study has a label of this implementation.
    main_thread_imports: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.role not in ROLES:
            raise PluginError(f"the implementation class {cls.__name__} with role = {cls.role!r}",
                              f"one of {list(ROLES)}", "Declare role = \"reference\" for an "
                              "ideal realisation of the model, else \"hardware\".")
        # every implementation's recall runs float64 jobs in a scoped x64 mode
        for name in ("recall", "recall_batch"):
            fn = cls.__dict__.get(name)
            if fn is not None and not getattr(fn, "__isabstractmethod__", False) \
                    and not getattr(fn, "_precision_scoped", False):
                setattr(cls, name, _scoped(fn, batch=name == "recall_batch"))

    @abc.abstractmethod
    def recall(self, model, patterns, cues, settings: SettingsBase, *, seed: int = 0) -> RecallResult:
        """Recall ``patterns`` stored in ``model`` from ``cues``; returns a RecallResult."""

    def recall_batch(self, jobs: Sequence[RecallJob]) -> list[RecallResult]:
        """One :class:`RecallResult` per job, in order (see the class docstring for what
        the jobs of one batch share). The default runs them one by one through
        :meth:`recall`."""
        return [self.recall(j.model, j.patterns, j.cues, j.settings, seed=j.seed) for j in jobs]

    def supports(self, model, settings: SettingsBase | None = None) -> str | None:
        """None when this implementation can realise ``model``, else the reason in words
        (what it expected and how to fix it). Decided from ``model.structure`` and, where
        they change what is realised, ``settings`` (None: the defaults), before anything
        is built. The default accepts every model."""
        return None

    def check_model(self, model, settings: SettingsBase | None = None) -> None:
        """Raise :class:`~neuroam.errors.UnsupportedError` with the reason :meth:`supports`
        gives, if any."""
        reason = self.supports(model, settings)
        if reason is not None:
            raise UnsupportedError(
                f"Received the model {model.describe()} ({model.structure.describe()}) for "
                f"the implementation {self.name!r}; {reason}")

    @property
    def batches(self) -> bool:
        """True when :meth:`recall_batch` runs several jobs as one batched call."""
        return type(self).recall_batch is not Implementation.recall_batch

    def result_bytes(self, settings: SettingsBase, n_trials: int, D: int, K: int) -> int:
        """Rough size in bytes of one run's result (``n_trials`` cues, ``D`` neurons, ``K``
        patterns); the engine sizes batches with it. The default assumes 64 saved times."""
        S = int(getattr(settings, "n_save", 64))
        states = bool(getattr(settings, "save_states", True))
        return 4 * n_trials * (3 * D + S * (K + 1 + (D if states else 0)))

    def in_threads(self, settings: SettingsBase) -> bool:
        """May a batch with these settings run next to others in one process? (float64
        may: its x64 mode is scoped to the call and thread.)"""
        return self.thread_safe

    def settings(self, **values) -> SettingsBase:
        return validate_settings(self, values)
