"""Batched crossbar recall: a batch gives every job the result it gets alone, and compiles
the recall loop once per power of two of jobs."""

import dataclasses

import numpy as np
import pytest

import neuroam as na
import neuroam.implementations.crossbar as crossbar_impl
from neuroam.dynamics.common import TRACES
from neuroam.errors import ValueRangeError
from neuroam.implementations.base import RecallJob
from neuroam.learning.fault_aware import FaultAwareProblem, fault_aware, fault_aware_batch

XBAR = na.implementations.get("crossbar")
HOP = na.make_model("hopfield")
DENSE = na.make_model("exponential", form="bipartite", beta=4.0)


def _job(model, seed, **settings):
    """A job with its own patterns and cues (D = 32, K = 4, two cues per pattern)."""
    pats = na.patterns.random_binary(K=4, D=32, seed=100 + seed)
    cues = na.cues.flip(pats, rate=0.15, trials_per_pattern=2, seed=200 + seed)
    return RecallJob(model, pats, cues, XBAR.settings(n_draws=2, **settings), seed)


FAULT_AWARE = dict(rule="fault-aware", train_steps=100)
PCM = dict(rule="model", device="pcm-aihwkit", circuit="crossbar-64")
JOBS = {
    "fault-aware": [
        _job(HOP, 0, fault_rate=0.0, fault_kind="stuck", **FAULT_AWARE),
        _job(HOP, 1, fault_rate=0.3, fault_kind="zero", train_flip_rate=0.2, **FAULT_AWARE),
        _job(HOP, 2, fault_rate=0.2, fault_kind="stuck", fault_model="lines", **FAULT_AWARE),
        _job(HOP, 3, fault_rate=0.5, fault_kind="zero", fault_model="clustered", levels=8,
             **FAULT_AWARE),
    ],
    "model": [
        _job(DENSE, 4, fault_rate=0.1, fault_kind="stuck", drift_time=0.0, **PCM),
        _job(DENSE, 5, fault_rate=0.0, drift_time=3.15e7, noise_margin=0.0, **PCM),
        _job(DENSE, 6, fault_rate=0.25, fault_kind="zero", drift_time=3.15e7,
             drift_compensation=True, ir_drop="off", **PCM),
    ],
}


_ALONE: dict = {}


def _alone(job):
    """The job run by itself (cached: both groupings compare against the same run)."""
    key = id(job)
    if key not in _ALONE:
        _ALONE[key] = XBAR.recall(job.model, job.patterns, job.cues, job.settings, seed=job.seed)
    return _ALONE[key]


@pytest.mark.parametrize("grouping", [pytest.param("one run per step", marks=pytest.mark.slow),
                                      "all runs at once"])
@pytest.mark.parametrize("rule", [r if r == "model" else pytest.param(r, marks=pytest.mark.slow)
                                  for r in sorted(JOBS)])
def test_a_batch_gives_each_job_its_lone_result(rule, grouping, monkeypatch):
    per_step = 1 if grouping == "one run per step" else None
    monkeypatch.setattr(crossbar_impl, "runs_per_step", lambda: per_step)
    jobs = JOBS[rule]
    batched = XBAR.recall_batch(jobs)
    assert len(batched) == len(jobs)
    for job, got in zip(jobs, batched):
        alone = _alone(job)
        # chips: faults, devices, drift and trained weights come from the job's seed alone
        for key in ("fault_mask", "stuck", "conductance", "weight_effective", "compensation",
                    "draw"):
            np.testing.assert_array_equal(got.extras[key].data, alone.extras[key].data, key)
        np.testing.assert_array_equal(got.final, alone.final)
        np.testing.assert_array_equal(got.status, alone.status)
        np.testing.assert_array_equal(got.extras["n_steps"].data, alone.extras["n_steps"].data)
        np.testing.assert_array_equal(got.cues, alone.cues)
        if per_step == 1:  # each run's draws are vmapped exactly as in a lone run
            np.testing.assert_array_equal(got.overlaps, alone.overlaps)
            np.testing.assert_array_equal(got.energies, alone.energies)
        else:
            # All runs in one vmap: XLA compiles the energy read-out (a float32 quadratic
            # form of the trained weights) differently for 4 runs than for 1, so energies
            # may differ in the last bits; the trajectories themselves are the same.
            np.testing.assert_allclose(got.overlaps, alone.overlaps, rtol=1e-6, atol=1e-6,
                                       equal_nan=True)
            np.testing.assert_allclose(got.energies, alone.energies, rtol=1e-5, atol=1e-5,
                                       equal_nan=True)
        assert set(got.attrs) == set(alone.attrs)
        for key, want in alone.attrs.items():
            if key in ("wall_time_s", "program_time_s"):  # the batch's time shared by its jobs
                continue
            if isinstance(want, float):  # cost estimates read the trajectories: round-off
                assert got.attrs[key] == pytest.approx(want, rel=1e-6), key
            else:
                assert got.attrs[key] == want, key
    # the jobs really differ: their own faults, drift and seeds reach the results
    masks = [r.extras["fault_mask"].data.mean() for r in batched]
    assert len(set(np.round(masks, 3))) > 1
    assert len({r.final.tobytes() for r in batched}) == len(jobs)


def test_drift_time_in_a_batch_moves_the_conductances(monkeypatch):
    """Same seed, a year apart: the batch programs each job's drift, not the first job's.
    (Three jobs, all runs at once: the compiled loop of the "model" batch above.)"""
    monkeypatch.setattr(crossbar_impl, "runs_per_step", lambda: None)
    year = JOBS["model"][1]
    fresh = dataclasses.replace(year, settings=year.settings.model_copy(
        update={"drift_time": 0.0}))
    a, b, _ = XBAR.recall_batch([year, fresh, JOBS["model"][0]])
    assert np.mean(a.extras["conductance"].data) < 0.9 * np.mean(b.extras["conductance"].data)


@pytest.mark.parametrize("per_step", [1, None])
def test_batches_of_three_and_four_jobs_compile_the_loop_once(per_step, monkeypatch):
    monkeypatch.setattr(crossbar_impl, "runs_per_step", lambda: per_step)
    jobs = [_job(HOP, s, rule="storkey", max_steps=13, fault_rate=r, fault_kind=k)
            for s, (r, k) in enumerate([(0.0, "stuck"), (0.1, "zero"), (0.2, "stuck"),
                                        (0.4, "zero")])]
    before = TRACES["crossbar"]
    three = XBAR.recall_batch(jobs[:3])
    assert TRACES["crossbar"] == before + 1
    four = XBAR.recall_batch(jobs)
    assert TRACES["crossbar"] == before + 1
    for x, y in zip(three, four):
        np.testing.assert_array_equal(x.final, y.final)


def test_jobs_differing_in_a_loop_setting_are_refused():
    a = _job(HOP, 0, rule="storkey")
    b = _job(HOP, 1, rule="storkey", max_steps=7)
    with pytest.raises(ValueRangeError, match="max_steps"):
        XBAR.recall_batch([a, b])
    assert "fault_rate" in XBAR.batchable and "max_steps" not in XBAR.batchable


def test_result_bytes_tracks_the_result_size(monkeypatch):
    # one run, all draws at once: the compiled loop of the lone "model" runs above
    monkeypatch.setattr(crossbar_impl, "runs_per_step", lambda: None)
    job = _job(DENSE, 0, rule="model")
    res = XBAR.recall(job.model, job.patterns, job.cues, job.settings, seed=0)
    arrays = [res.states, res.energies, res.overlaps, res.final, res.cues,
              *(e.data for e in res.extras.values())]
    actual = sum(np.asarray(a).nbytes for a in arrays if a is not None)
    est = XBAR.result_bytes(job.settings, job.cues.n_trials, 32, 4)
    assert 0.5 * actual < est < 2.0 * actual
    more = XBAR.result_bytes(job.settings.model_copy(update={"n_draws": 8}),
                             job.cues.n_trials, 32, 4)
    assert more == pytest.approx(4 * est, rel=0.01)


@pytest.mark.parametrize("maps_per_step", [None, 2])
def test_fault_aware_batch_gives_each_problem_its_lone_weights(maps_per_step):
    """Three problems with their own patterns, masks, flip rates and seeds, padded to 8
    maps: all vmapped together, or two maps at a time with the padding skipped."""
    rng = np.random.default_rng(0)
    problems = [FaultAwareProblem(na.patterns.random_binary(K=3, D=12, seed=s),
                                  mask=rng.random((2, 12, 12)) < 0.3, flip_rate=f, seed=s)
                for s, f in ((0, 0.1), (1, 0.0), (2, 0.3))]
    batched = fault_aware_batch(problems, steps=50, pad_to=8, maps_per_step=maps_per_step)
    for pr, got in zip(problems, batched):
        alone = fault_aware(pr.patterns, mask=pr.mask, flip_rate=pr.flip_rate, seed=pr.seed,
                            steps=50)
        assert got.W.shape == (2, 12, 12) and got.b.shape == (2, 12)
        np.testing.assert_allclose(got.W, alone.W, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(got.b, alone.b, rtol=1e-5, atol=1e-6)
        assert np.all(got.W[pr.mask] == 0)
