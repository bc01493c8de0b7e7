"""K_max by bisection over the number of stored patterns."""

from __future__ import annotations

import dataclasses

from ..errors import ValueRangeError
from .retrieval import Retrieval, retrieval

__all__ = ["Capacity", "find_kmax"]


@dataclasses.dataclass(frozen=True)
class Capacity:
    """Largest K whose mean retrieved fraction is ≥ ``target`` (with every probe kept)."""

    kmax: int
    target: float
    criterion: str
    probes: tuple[Retrieval, ...]


def find_kmax(model, D: int, *, k_lo: int = 1, k_hi: int, target: float = 0.9, **kwargs) -> Capacity:
    """Bisection for K_max in [k_lo, k_hi] under the criterion of :func:`retrieval`.

    Assumes retrieval decreases with K (averaged over the seeds given in ``kwargs``).
    ``k_lo`` must pass and ``k_hi`` fail; both are checked.
    """
    if not 1 <= k_lo < k_hi:
        raise ValueRangeError(f"k_lo={k_lo}, k_hi={k_hi}", "1 ≤ k_lo < k_hi", "Bracket K_max.")
    if not 0 < target <= 1:
        raise ValueRangeError(f"target={target}", "0 < target ≤ 1", "A target fraction of retrieved cues.")
    probes = {}

    def ok(k):
        if k not in probes:
            probes[k] = retrieval(model, D, k, **kwargs)
        return probes[k].mean >= target

    if not ok(k_lo):
        raise ValueRangeError(f"k_lo={k_lo} already failing ({probes[k_lo].mean:.2f} < {target})",
                              "a lower bracket that passes", "Lower k_lo.")
    if ok(k_hi):
        raise ValueRangeError(f"k_hi={k_hi} still passing ({probes[k_hi].mean:.2f} ≥ {target})",
                              "an upper bracket that fails", "Raise k_hi.")
    lo, hi = k_lo, k_hi
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if ok(mid) else (lo, mid)
    crit = probes[lo].criterion + f", mean retrieved fraction ≥ {target}"
    return Capacity(lo, target, crit, tuple(probes[k] for k in sorted(probes)))
