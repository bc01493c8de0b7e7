"""Brian2 back-ends: runtime (numpy, cython) and cpp_standalone, with their limits.

- ``numpy``: Brian2's runtime with the numpy code-generation target. No compiler, a
  fixed cost per time step and object; a fresh network is built per chunk of trials.
- ``cython``: the runtime with compiled code objects. The first use compiles (≈ 20 s
  here; cached on disk under ~/.cython/brian_extensions, so later processes reuse it),
  then every step is cheaper than numpy.
- ``cpp_standalone``: the whole network compiled into one program. It is built once per
  network *shape* (sizes and constants, :meth:`~.netlist.Netlist.structure_key`) in a
  persistent project directory (``$NEUROAM_CACHE`` or ``~/.cache/neuroam``
  /brian2-standalone/<key>); every chunk of trials — and every later recall with the
  same shape, new patterns included — re-runs that program with new weights, biases,
  cues and initial potentials passed as ``run_args``, without recompiling. A fresh
  process regenerates the sources (≈ 1–2 s), finds them unchanged and skips the compile.
  The cache keeps the :data:`KEEP_PROGRAMS` most recently used programs (each holds its
  connectivity, tens of MB for large networks); delete the folder to clear it.

Limits (:data:`BACKENDS`): the synapses of one network (a batch of trial copies) must fit
the back-end's memory budget; a single trial that does not fit is refused with a
:class:`~neuroam.errors.UnsupportedError` naming the sizes and the way out.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import gc
import os
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from ..errors import UnsupportedError
from .build import Handles, build_network, chunk_values
from .netlist import Netlist

__all__ = ["Backend", "BACKENDS", "ChunkInput", "ChunkSpikes", "run_chunks", "cache_root",
           "check_size", "default_batch"]


@dataclasses.dataclass(frozen=True)
class Backend:
    """A Brian2 back-end and its size limits.

    Attributes:
        name: ``"numpy"``, ``"cython"`` or ``"cpp_standalone"``.
        target: Brian2 code-generation target for the runtime, None for standalone.
        max_synapses: most synapses one network (all trial copies) may hold.
        batch_synapses: synapses per network the automatic batch size aims at.
    """

    name: str
    target: str | None
    max_synapses: int
    batch_synapses: int

    @property
    def standalone(self) -> bool:
        return self.target is None


#: Limits: a runtime synapse costs ≈ 60 B of Python-side arrays, a standalone one ≈ 30 B;
#: the budgets keep one network under ≈ 0.5 GB (numpy), 1.2 GB (cython), 3 GB (standalone).
BACKENDS: dict[str, Backend] = {
    "numpy": Backend("numpy", "numpy", 8_000_000, 2_000_000),
    "cython": Backend("cython", "cython", 20_000_000, 4_000_000),
    "cpp_standalone": Backend("cpp_standalone", None, 100_000_000, 8_000_000),
}


def check_size(netlist: Netlist, backend: Backend) -> None:
    """Raise when one trial's network exceeds the back-end's synapse limit."""
    n = netlist.synapses_per_trial
    if n > backend.max_synapses:
        bigger = [b.name for b in BACKENDS.values() if b.max_synapses >= n]
        fix = (f"Use backend = {bigger[0]!r}" if bigger else "Use fewer neurons (D or K)")
        raise UnsupportedError(
            f"a {netlist.architecture} network of {netlist.neurons_per_trial} neurons and "
            f"{n:,} synapses per trial for the {backend.name!r} backend",
            f"at most {backend.max_synapses:,} synapses per network on {backend.name!r}",
            f"{fix}, or store fewer/smaller patterns (all-to-all coupling grows as D², "
            "the bipartite network as 2·K·D).")


def default_batch(netlist: Netlist, backend: Backend, n_trials: int) -> int:
    """Trial copies per network: as many as fit the back-end's batch budget."""
    per = max(1, netlist.synapses_per_trial)
    return int(max(1, min(n_trials, backend.batch_synapses // per)))


@dataclasses.dataclass(frozen=True)
class ChunkInput:
    """One network run: ``batch`` trials (the last chunk padded with silent trials).

    Attributes:
        cues: ``(batch, D)`` cue drives; clamp: ``(batch, D)`` held drives or None.
        v0: population -> ``(batch, size)`` initial potentials (V).
        noise: population -> ``(steps, batch, size)`` N(0, 1) membrane noise, or None.
        n_real: trials that are not padding.
    """

    cues: np.ndarray
    clamp: np.ndarray | None
    v0: dict[str, np.ndarray]
    noise: dict[str, np.ndarray] | None
    n_real: int


@dataclasses.dataclass(frozen=True)
class ChunkSpikes:
    """Spikes of one chunk: population -> (times s, neuron index within the batch)."""

    spikes: dict[str, tuple[np.ndarray, np.ndarray]]
    build_s: float
    run_s: float
    compiled: bool = False


#: standalone programs kept in the cache (least recently used ones are deleted)
KEEP_PROGRAMS = 12


def _prune(root: Path, keep: int = KEEP_PROGRAMS) -> None:
    """Delete the least recently used programs beyond ``keep`` (skipping ones in use)."""
    import shutil

    locks = sorted(root.glob("*.lock"), key=lambda p: p.stat().st_mtime, reverse=True)
    for lock in locks[keep:]:
        with open(lock, "a") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                continue  # another process is building or running it
            shutil.rmtree(lock.with_suffix(""), ignore_errors=True)
        with contextlib.suppress(OSError):
            lock.unlink()


def cache_root() -> Path:
    root = os.environ.get("NEUROAM_CACHE")
    base = Path(root) if root else Path.home() / ".cache" / "neuroam"
    return base / "brian2-standalone"


def _run_protocol(netlist: Netlist, h: Handles) -> None:
    net = netlist.network
    for G in h.groups.values():
        G.cue_on = 1.0
    h.network.run(net["cue_duration"])
    for G in h.groups.values():
        G.cue_on = 0.0
    h.network.run(net["duration"] - net["cue_duration"])


def _collect(h: Handles) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    from brian2 import second

    return {name: (np.asarray(M.t / second, dtype=np.float64), np.asarray(M.i[:], dtype=np.int64))
            for name, M in h.monitors.items()}


@contextlib.contextmanager
def _codegen_target(target: str):
    from brian2 import prefs

    old = prefs.codegen.target
    prefs.codegen.target = target
    try:
        yield
    finally:
        prefs.codegen.target = old


@contextlib.contextmanager
def _young_heap_only():
    """Let a full garbage collection look only at objects created inside the block.

    Brian2's ``Network.run`` calls ``gc.collect()`` every time (only to warn about
    objects left out of a network). In a process that holds JAX programs and earlier
    results that full collection costs ~0.1–1 s per call (three calls per chunk), more
    than a small simulation. ``gc.freeze()`` moves everything alive now to the permanent
    generation for the block, so those collections see only Brian2's new objects;
    ``gc.unfreeze()`` hands them back afterwards (unless something had frozen objects
    before us: then they stay frozen, as the caller had chosen).
    """
    import gc

    ours = gc.get_freeze_count() == 0
    gc.freeze()
    try:
        yield
    finally:
        if ours:
            gc.unfreeze()


def _run_runtime(netlist: Netlist, chunks: Iterable[ChunkInput], backend: Backend, batch: int,
                 noise: bool) -> list[ChunkSpikes]:
    import time

    from brian2 import second

    out = []
    with _codegen_target(backend.target), _young_heap_only():
        for chunk in chunks:
            t0 = time.perf_counter()
            h = build_network(netlist, batch, noise=noise, noise_values=chunk.noise)
            values = chunk_values(netlist, h, chunk.cues, chunk.clamp, chunk.v0)
            for var, value in values.items():
                var[:] = value
            h.network.run(0 * second)  # code generation (and cython compilation) only
            t1 = time.perf_counter()
            _run_protocol(netlist, h)
            spikes = _collect(h)
            out.append(ChunkSpikes(spikes, t1 - t0, time.perf_counter() - t1))
            del h
    return out


@dataclasses.dataclass
class _Session:
    """The standalone program this process built last (the device is global in Brian2)."""

    key: str | None = None
    handles: Handles | None = None
    directory: Path | None = None
    runs: int = 0


_SESSION = _Session()


@contextlib.contextmanager
def _standalone_device(directory: Path, fresh: bool):
    from brian2 import set_device
    from brian2.devices.device import get_device, reset_device

    set_device("cpp_standalone", build_on_run=False, directory=str(directory))
    try:
        device = get_device()
        if fresh:
            device.reinit()
            device.activate(build_on_run=False, directory=str(directory))
            # Brian2 names code objects uniquely among the living ones: collect the last
            # program's objects first, so this build generates the same names (and the same
            # sources, which make then does not recompile) as a fresh process would.
            gc.collect()
        yield device
    finally:
        reset_device()


@contextlib.contextmanager
def _locked(path: Path, exclusive: bool = True):
    """Builds hold the program's lock exclusively, runs share it: a process never rewrites
    the sources and static arrays another process's binary is reading."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        os.utime(path)  # last use, for the cache's least-recently-used pruning
        try:
            yield fh
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _standalone_build(netlist: Netlist, batch: int, noise: bool) -> tuple[Handles, Path, float, bool]:
    """Build (or reuse) the compiled program for this shape; returns handles and timing."""
    import time

    key = netlist.structure_key(batch, extra={"noise": noise, "backend": "cpp_standalone"})
    if (_SESSION.key == key and _SESSION.handles is not None
            and _SESSION.directory == cache_root() / key):
        return _SESSION.handles, _SESSION.directory, 0.0, False
    _SESSION.key, _SESSION.handles = None, None  # release the previous program's objects
    directory = cache_root() / key
    t0 = time.perf_counter()
    with _locked(directory.with_suffix(".lock")):
        binary = directory / "main"
        stamp = binary.stat().st_mtime_ns if binary.exists() else None
        for stale in (directory / "static_arrays").glob("init_*"):  # old run_args values
            stale.unlink(missing_ok=True)
        with _standalone_device(directory, fresh=True) as dev, _young_heap_only():
            h = build_network(netlist, batch, noise=noise)
            _run_protocol(netlist, h)
            dev.build(directory=str(directory), compile=True, run=False, clean=False,
                      with_output=False)
    _SESSION.key, _SESSION.handles, _SESSION.directory = key, h, directory
    _prune(directory.parent)
    compiled = stamp is None or binary.stat().st_mtime_ns != stamp
    return h, directory, time.perf_counter() - t0, compiled


def _run_standalone(netlist: Netlist, chunks: Iterable[ChunkInput], batch: int,
                    noise: bool) -> list[ChunkSpikes]:
    import shutil
    import time

    h, directory, build_s, compiled = _standalone_build(netlist, batch, noise)
    out = []
    with _standalone_device(directory, fresh=False) as dev:
        for chunk in chunks:
            _SESSION.runs += 1
            results = f"results-{os.getpid()}-{_SESSION.runs}"
            t0 = time.perf_counter()
            run_args = chunk_values(netlist, h, chunk.cues, chunk.clamp, chunk.v0, chunk.noise)
            with _locked(directory.with_suffix(".lock"), exclusive=False) as fh:
                dev.run(directory=str(directory), results_directory=results,
                        with_output=False, run_args=run_args)
                spikes = _collect(h)
                shutil.rmtree(directory / results, ignore_errors=True)
                _forget_run_arrays(dev, directory, fh)
            out.append(ChunkSpikes(spikes, build_s, time.perf_counter() - t0, compiled))
            build_s, compiled = 0.0, False
    return out


def _forget_run_arrays(dev, directory: Path, lock) -> None:
    """Delete the run_args value files of the last run (per-chunk data), unless another
    process runs the same program: the files are named by their content, so two workers
    may share one. Left-overs are deleted by the next build."""
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        dev.run_args_arrays.clear()
        return
    for name in list(getattr(dev, "run_args_arrays", [])):
        for path in (directory / "static_arrays" / name,
                     directory / "static_arrays" / (name + ".lock")):
            with contextlib.suppress(OSError):
                path.unlink()
    dev.run_args_arrays.clear()


def run_chunks(netlist: Netlist, chunks: Iterable[ChunkInput], backend_name: str, batch: int,
               noise: bool) -> list[ChunkSpikes]:
    """Simulate ``chunks`` (each a batch of trials) on one back-end, in this process."""
    backend = BACKENDS[backend_name]
    if backend.standalone:
        return _run_standalone(netlist, chunks, batch, noise)
    return _run_runtime(netlist, chunks, backend, batch, noise)

