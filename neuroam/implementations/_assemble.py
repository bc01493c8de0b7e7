"""Turn dynamics output into the common RecallResult."""

from __future__ import annotations

from ..results import Extra, RecallResult

__all__ = ["to_result", "with_cost"]


def to_result(name, traj, cues, *, time_unit="tau", attrs=None, extras=None) -> RecallResult:
    ex = dict(extras or {})
    if traj.n_steps is not None:
        ex.setdefault("n_steps", Extra(("trial",), traj.n_steps))
    return RecallResult(
        implementation=name, times=traj.times, states=traj.states, energies=traj.energies,
        overlaps=traj.overlaps, final=traj.final, status=traj.status,
        converge_time=traj.converge_time, cues=cues.states, targets=cues.targets,
        time_unit=time_unit, extras=ex, attrs=dict(attrs or {}))


def with_cost(result: RecallResult, cost) -> RecallResult:
    """``result`` with a :class:`~neuroam.costs.CostEstimate` recorded in its attrs."""
    if cost is None:
        return result
    attrs = dict(result.attrs)
    attrs.update(cost.as_summary())
    attrs["cost_basis"] = cost.basis
    return result.replace(attrs=attrs)
