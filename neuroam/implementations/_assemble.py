"""Turn dynamics output into the common RecallResult; the batched recall body the ideal
implementations share."""

from __future__ import annotations

import abc
import time
from collections.abc import Callable, Sequence

from ..costs import ideal_cost
from ..results import Extra, RecallResult
from .base import Implementation, RecallJob

__all__ = ["to_result", "with_cost", "recall_jobs", "trajectory_bytes", "IdealContinuous"]


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


def recall_jobs(impl, jobs: Sequence[RecallJob], *, bind: Callable, solve: Callable,
                attrs: Callable, cost: Callable) -> list[RecallResult]:
    """One RecallResult per job from one batched solve.

    Args:
        impl: the implementation (its ``name`` and ``time_unit`` label the results).
        bind: ``job -> network`` bound to the job's patterns.
        solve: ``(jobs, networks) -> [Trajectories]`` (one batched call where possible).
        attrs: ``job -> dict`` of the job's attributes; ``wall_time_s`` is added: the
            job's share (elapsed / number of jobs) of the binding and batched solve.
        cost: ``(result, network, settings) -> CostEstimate`` of the job alone.
    """
    jobs = list(jobs)
    for job in jobs:
        job.cues.check_against(job.patterns)
    t0 = time.perf_counter()
    networks = [bind(job) for job in jobs]
    trajs = solve(jobs, networks)
    share = (time.perf_counter() - t0) / max(1, len(jobs))
    out = []
    for job, network, traj in zip(jobs, networks, trajs):
        result = to_result(impl.name, traj, job.cues, time_unit=impl.time_unit,
                           attrs={**attrs(job), "wall_time_s": share})
        out.append(with_cost(result, cost(result, network, job.settings)))
    return out


def trajectory_bytes(n_trials: int, D: int, K: int, n_saved: int, save_states: bool,
                     dtype: str = "float32") -> int:
    """Rough bytes of one run's result: cues, targets and final states ``(T, D)``, the
    saved energies, overlaps (and states) ``(T, S, ...)`` and per-trial scalars."""
    item = 8 if dtype == "float64" else 4
    return item * n_trials * (3 * D + 4 + n_saved * (K + 1 + (D if save_states else 0)))


class IdealContinuous(Implementation):
    """The recall body ``ideal-ode`` and ``ideal-sde`` share: bind each job's model to its
    patterns, build one run per job (:meth:`make_run`), solve them with
    :attr:`solve_runs` (one batched call per compiled shape), then attach attrs and the
    ideal-processor cost of each job alone. ``recall`` is a batch of one."""

    thread_safe = True

    @abc.abstractmethod
    def make_run(self, job: RecallJob, network):
        """The dynamics' run (``ODERun``/``SDERun``) of one job."""

    @abc.abstractmethod
    def solve_runs(self, runs: list) -> list:
        """``[run] -> [Trajectories]`` in order, e.g. :func:`~neuroam.dynamics.ode.solve_ode_batch`."""

    def job_attrs(self, job: RecallJob) -> dict:
        return {"model": job.model.describe(), "solver": job.settings.solver}

    def recall(self, model, patterns, cues, settings, *, seed=0) -> RecallResult:
        return self.recall_batch([RecallJob(model, patterns, cues, settings, seed)])[0]

    def recall_batch(self, jobs: Sequence[RecallJob]) -> list[RecallResult]:
        return recall_jobs(
            self, jobs, bind=lambda job: job.model.bind(job.patterns),
            solve=lambda js, nets: self.solve_runs([self.make_run(j, n) for j, n in zip(js, nets)]),
            attrs=self.job_attrs,
            cost=lambda result, network, s: ideal_cost(result, network, solver=s.solver,
                                                       steady_stop=s.steady_stop, processor=s.processor))

    def result_bytes(self, settings, n_trials: int, D: int, K: int) -> int:
        S = settings.n_save if settings.save_times is None else len(settings.save_times) + 1
        return trajectory_bytes(n_trials, D, K, S, settings.save_states, settings.dtype)
