"""Runs grouped into batches: the unit of execution of a study.

Runs of one label whose grid values differ only in seeds and in settings the
implementation declares :attr:`~neuroam.implementations.Implementation.batchable` share
one compiled shape: they form a group, recalled together by one
:meth:`~neuroam.implementations.Implementation.recall_batch` call per batch. A group is
cut into batches whose results fit in a memory budget (the first run's inputs are built
to size them); an implementation that does not batch gets one run per batch, so its
results still stream to disk one by one. Batch ids are stable: a resumed study plans its
remaining runs the same way.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
from collections.abc import Sequence

from ..scenario.grid import RunPoint

__all__ = ["Batch", "plan_batches", "batch_key", "BUDGET_BYTES", "MAX_RUNS"]

#: bytes of results one batch may hold (``result_bytes`` of its runs). A run's working
#: arrays while it recalls come on top — programmed chips, solver buffers, host copies:
#: ~6x its results on a 100-chip crossbar run — and up to four batches are in memory at
#: once (two computing, one queued for the writer, one being written). Measured on
#: fault_montecarlo.toml: peak RSS 3.3 GB at 64 MB (8.9 GB at 256 MB), 505 s vs 538 s.
BUDGET_BYTES = 64 << 20
#: at most this many runs per batched call
MAX_RUNS = 64


@dataclasses.dataclass(frozen=True)
class Batch:
    """Runs of one label recalled by one ``recall_batch`` call."""

    label: str
    implementation: str
    runs: tuple[RunPoint, ...]

    @property
    def id(self) -> str:
        digest = hashlib.sha1(" ".join(r.run_id for r in self.runs).encode()).hexdigest()
        return f"{self.label}-{digest[:12]}"

    def __len__(self) -> int:
        return len(self.runs)


def batch_key(run: RunPoint, batchable: frozenset[str]) -> str:
    """What must be equal for two runs to share a batch: the label and every grid value
    except the label's own batchable settings (seeds never count)."""
    prefix = f"implementations.{run.label}."
    fixed = {k: v for k, v in run.params.items()
             if not (k.startswith(prefix) and k[len(prefix):].split(".")[0] in batchable)}
    return run.label + json.dumps(fixed, sort_keys=True, default=str)


def _size_hint(run: RunPoint) -> float:
    """Product of the positive numbers among a run's shared swept values (K, D, trials,
    ...): larger shapes usually mean more work, so their batches go first on a cluster."""
    size = 1.0
    for key, value in run.params.items():
        if not key.startswith("implementations.") and isinstance(value, (int, float)) \
                and not isinstance(value, bool) and value > 0:
            size *= float(value)
    return size


def plan_batches(scenario, runs: Sequence[RunPoint], *, slots: int = 1, cache=None,
                 budget: int | None = None, max_runs: int | None = None) -> list[Batch]:
    """Batches of ``runs`` (see the module docstring), seed-major inside a batch.

    ``slots``: worker slots of a cluster; batches are cut so that there are at least two
    per slot when the study is large enough, and the largest shapes come first. In one
    process (``slots`` = 1) batches keep the order of their first run. ``budget`` (bytes
    of results per batch) and ``max_runs`` default to :data:`BUDGET_BYTES` and
    :data:`MAX_RUNS`.
    """
    from .. import implementations
    from .execute import InputCache

    cache = cache if cache is not None else InputCache()
    budget = BUDGET_BYTES if budget is None else budget
    max_runs = MAX_RUNS if max_runs is None else max(1, int(max_runs))
    groups: dict[str, list[RunPoint]] = {}
    for run in runs:
        impl = implementations.get(run.implementation)
        groups.setdefault(batch_key(run, impl.batchable if impl.batches else frozenset()),
                          []).append(run)
    share = max(1, math.ceil(len(runs) / (2 * slots))) if slots > 1 else max_runs
    batches: list[Batch] = []
    for group in groups.values():
        first = group[0]
        impl = implementations.get(first.implementation)
        per = 1
        if impl.batches and len(group) > 1:
            per = min(max_runs, share, _runs_in_budget(scenario, first, impl, cache, budget))
            # batched calls pad their run count to a power of two: cut batches at one, so
            # that a budget of 23 runs gives batches of 16 (padded to 16), not of 23
            # (computed and held as 32)
            per = 1 << (per.bit_length() - 1)
        group = sorted(group, key=lambda r: (r.seed, r.index))
        n = math.ceil(len(group) / per)
        size = math.ceil(len(group) / n)  # equal batches: less padding, fewer shapes
        batches += [Batch(first.label, first.implementation, tuple(group[i:i + size]))
                    for i in range(0, len(group), size)]
    order = {r.run_id: i for i, r in enumerate(runs)}
    first_run = lambda b: min(order[r.run_id] for r in b.runs)  # noqa: E731
    if slots > 1:
        return sorted(batches, key=lambda b: (-_size_hint(b.runs[0]), first_run(b)))
    return sorted(batches, key=first_run)


def _runs_in_budget(scenario, run: RunPoint, impl, cache, budget: int) -> int:
    """How many runs like ``run`` fit in ``budget`` bytes of results (at least 1)."""
    try:
        point = scenario.at(run)
        patterns, _, cues, _ = cache.get(point, run.seed)
        settings = point.implementations[run.label].settings
        size = impl.result_bytes(settings, cues.n_trials, patterns.D, patterns.K)
    except Exception:  # noqa: BLE001 - the run reports its own error when it executes
        return 1
    return max(1, int(budget // max(1, size)))
