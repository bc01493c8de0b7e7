"""Batched ideal recall: a job in a batch gives what it gives alone, with one compile.

Why ODE/SDE results are compared with tolerances: a batched call runs the same
arithmetic through XLA kernels with an extra vmapped run axis (4 runs instead of 1),
which may sum in another order than the lone call. In float32 (ε ≈ 1.2e-7) the saved
trajectories then differ by round-off (seen: ≤ 4e-6), allowed as |Δ| ≤ 5e-5 + 1e-5·|x|.
The final state is read where the adaptive solve stops (RMS dx/dt < steady_tol): the
controller's error estimates are differences of nearly equal numbers, so round-off
moves its step sizes by ~1 % and the stop time by a fraction of a step, and the final
state by up to about steady_tol × step (seen: up to 1.25e-3 with real-valued patterns,
where a trial stopped one 1.2 τ step later at steady_tol = 1e-3; 0 with the ±1 cases
here, 7e-6 in benchmarks/bench_ideal_batch.py at D = 100). Final states are allowed
|Δ| ≤ 2e-3, far below the O(1) error of a mixed-up job. Discrete updates
are sign decisions on scores ξ·σ that are exact integers in float32: identical.

The adaptive cases are marked ``default_codegen``: XLA's older CPU code generation, which
the test session uses to compile faster, rounds the lone and the batched program
differently enough to move adaptive steps (1.3e-3 in saved energies), so they run in a
subprocess under the code generation users get (tests/conftest.py).
"""

import os

import numpy as np
import pytest

import neuroam as na
from neuroam.dynamics.common import TRACES
from neuroam.implementations import RecallJob, get
from neuroam.results import Status

MODEL = na.make_model("polynomial", n=4)
ATOL, RTOL, FINAL_ATOL = 5e-5, 1e-5, 2e-3
#: SDE jobs in the shapes of the standard problem of tests/test_dynamics.py (Hopfield,
#: K = 6, D = 64, 12 trials, Euler): a job alone runs a program compiled there anyway.
#: (ODE jobs keep their own shapes: with the Hopfield model round-off moves adaptive
#: steps, and the saved points then differ by interpolation error, ~rtol.)
SDE = dict(D=64, K=6, per=2, model=na.make_model("hopfield"))
SDE_SETTINGS = dict(solver="euler")


def _jobs(impl, settings: list[dict], *, D: int, K: int = 4, per: int = 3, seed0: int = 0,
          model=MODEL, real: bool = False):
    """One job per settings dict, each with its own seed, patterns and cues."""
    jobs = []
    for i, values in enumerate(settings):
        if real:
            pats = na.patterns.gaussian(K=K, D=D, seed=seed0 + 100 + i)
            cues = na.cues.noise(pats, sigma=0.3, trials_per_pattern=per, seed=seed0 + 200 + i)
        else:
            pats = na.patterns.random_binary(K=K, D=D, seed=seed0 + 100 + i)
            cues = na.cues.flip(pats, rate=0.25, trials_per_pattern=per, seed=seed0 + 200 + i)
        jobs.append(RecallJob(model, pats, cues, impl.settings(**values), seed=seed0 + i))
    return jobs


def _close(x, y):
    """Equal NaN masks (a stop between two save times may differ by one save) and
    round-off agreement where both are saved."""
    both = np.isfinite(x) & np.isfinite(y)
    assert np.mean(np.isfinite(x) == np.isfinite(y)) > 0.95
    np.testing.assert_allclose(x[both], y[both], rtol=RTOL, atol=ATOL)


def _same(a, b, exact: bool):
    if exact:
        for name in ("final", "states", "energies", "overlaps", "converge_time"):
            np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
        np.testing.assert_array_equal(a.extras["n_steps"].data, b.extras["n_steps"].data)
    else:
        np.testing.assert_allclose(a.final, b.final, rtol=0, atol=FINAL_ATOL)
        _close(a.energies, b.energies)
        _close(a.overlaps, b.overlaps)
        np.testing.assert_array_equal(np.isnan(a.converge_time), np.isnan(b.converge_time))
    np.testing.assert_array_equal(a.status, b.status)
    np.testing.assert_array_equal(a.times, b.times)
    keys = set(a.attrs) - {"wall_time_s"}
    assert keys == set(b.attrs) - {"wall_time_s"}
    same_cost = {"cost.flops", "energy_per_recall_J", "latency_per_recall_s", "cost_basis"}
    assert {k: a.attrs[k] for k in keys - same_cost} == {k: b.attrs[k] for k in keys - same_cost}
    if exact:  # the cost follows the mean step count, which round-off may move by a step
        assert {k: a.attrs[k] for k in same_cost} == {k: b.attrs[k] for k in same_cost}
    else:
        assert a.attrs["cost.flops"] == pytest.approx(b.attrs["cost.flops"], rel=0.1)


CASES = [
    # 12 trials in batches of 8, the last one padded
    pytest.param("ideal-ode", [dict(t1=20.0, rtol=1e-4, steady_tol=1e-3, batch_size=8),
                               dict(t1=30.0, rtol=1e-5, atol=1e-7, steady_tol=5e-4, batch_size=8),
                               dict(t1=25.0, rtol=3e-4, steady_tol=2e-3, batch_size=8)],
                 dict(D=40), False, marks=pytest.mark.default_codegen),
    ("ideal-sde", [dict(t1=4.0, temperature=0.01, **SDE_SETTINGS),
                   dict(t1=5.0, temperature=0.05, dt=0.04, **SDE_SETTINGS),
                   dict(t1=3.0, temperature=0.0, **SDE_SETTINGS)], SDE, False),
    ("ideal-discrete", [dict(batch_size=8)] * 3, dict(D=40), True),
    ("ideal-discrete", [dict(mode="sync", batch_size=8)] * 3, dict(D=40), True),
]


@pytest.mark.parametrize("name,settings,shapes,exact", CASES,
                         ids=[f"{getattr(c, 'values', c)[0]}-{i}" for i, c in enumerate(CASES)])
def test_batch_matches_each_job_alone(name, settings, shapes, exact):
    """Different seeds, patterns, cues and numbers in one call, 3 runs padded to 4."""
    impl = get(name)
    static = {"batch_size", "mode", "solver"}  # equal in every job
    assert set().union(*(set(s) for s in settings)) - static <= impl.batchable
    jobs = _jobs(impl, settings, **shapes)
    batch = impl.recall_batch(jobs)
    assert len(batch) == len(jobs)
    for job, res in zip(jobs, batch):
        alone = impl.recall(job.model, job.patterns, job.cues, job.settings, seed=job.seed)
        _same(res, alone, exact)
        assert res.final.shape == (len(job.cues), shapes["D"])
        assert (res.status != Status.NON_FINITE).all()


@pytest.mark.default_codegen
def test_identity_checks_run_under_the_code_generation_users_get():
    """The checks above run with XLA's default CPU code generation (in a subprocess when
    the session uses the older one): the suite's flags are kept, that one is not."""
    flags = os.environ.get("XLA_FLAGS", "").split()
    assert "--xla_cpu_use_fusion_emitters=false" not in flags
    assert "--xla_backend_optimization_level=0" in flags


@pytest.mark.slow
@pytest.mark.default_codegen
def test_real_patterns_batch_matches_each_job_alone():
    """Real-valued patterns (normalised overlaps) with LSE: the stop-time sensitivity case."""
    impl = get("ideal-ode")
    jobs = _jobs(impl, [dict(t1=20.0 + i, rtol=1e-5 * (i + 1)) for i in range(3)], D=16, K=5,
                 per=2, model=na.make_model("lse", beta=0.5), real=True)
    for job, res in zip(jobs, impl.recall_batch(jobs)):
        _same(res, impl.recall(job.model, job.patterns, job.cues, job.settings), False)
        assert na.metrics.summarize(res, job.patterns)["accuracy"] == 1.0


def test_same_seed_same_path_whatever_the_batch():
    """A job keeps its Brownian paths in any batch; another seed draws other paths."""
    impl = get("ideal-sde")
    # the program of test_batch_matches_each_job_alone's SDE case
    pats = na.patterns.random_binary(K=6, D=64, seed=7)
    cues = na.cues.flip(pats, rate=0.2, trials_per_pattern=2, seed=8)
    s = impl.settings(t1=3.0, temperature=0.2, **SDE_SETTINGS)
    a, b, c, d = (RecallJob(SDE["model"], pats, cues, s, seed=k) for k in (1, 2, 1, 3))
    first = impl.recall_batch([a, b, c])
    second = impl.recall_batch([b, c, d])  # other places in another batch (3 runs: same program)
    np.testing.assert_allclose(first[0].states, first[2].states, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(first[2].states, second[1].states, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(first[1].states, second[0].states, rtol=RTOL, atol=ATOL)
    assert np.abs(first[0].states - first[1].states).max() > 1e-2


@pytest.mark.parametrize("name,key,numbers,shapes", [
    ("ideal-ode", "ode", lambda i: dict(t1=15.0 + i, rtol=1e-4 * (1 + i), steady_tol=1e-3 * (1 + i),
                                        batch_size=8), dict(D=40)),
    pytest.param("ideal-sde", "sde", lambda i: dict(t1=2.0 + 0.5 * i, temperature=0.01 * i, n_save=8),
                 SDE, marks=pytest.mark.slow),
    ("ideal-discrete", "discrete", lambda i: dict(batch_size=8), dict(D=40)),
])
def test_batches_of_three_and_four_runs_compile_once(name, key, numbers, shapes):
    """Other patterns, cues, seeds and numbers in 3 runs, then 4: one program. (The shapes of
    test_batch_matches_each_job_alone, so that program may already exist: then none is
    traced, else exactly one.)"""
    impl = get(name)
    before = TRACES[key]
    impl.recall_batch(_jobs(impl, [numbers(i) for i in range(3)], seed0=10, **shapes))
    after_three = TRACES[key]
    impl.recall_batch(_jobs(impl, [numbers(i) for i in range(3, 7)], seed0=20, **shapes))
    assert after_three - before <= 1 and TRACES[key] == after_three


@pytest.mark.default_codegen
def test_structurally_different_jobs_run_apart_in_order():
    """Jobs of other shapes and static settings in one call are split into compiled
    groups and come back in order, as if alone. (Three jobs in the shapes of
    test_batch_matches_each_job_alone's ODE case, and one in those of the quartic recall
    of tests/test_astrocyte.py, K = 8, D = 64, 16 trials, no saved states: programs that
    exist already.)"""
    ode = get("ideal-ode")
    jobs = _jobs(ode, [dict(t1=10.0, batch_size=8), dict(t1=12.0, batch_size=8),
                       dict(t1=11.0, batch_size=8)], D=40, seed0=30)
    other = _jobs(ode, [dict(t1=10.0, save_states=False)], D=64, K=8, per=2, seed0=34)
    jobs.insert(1, other[0])
    for job, res in zip(jobs, ode.recall_batch(jobs)):
        _same(res, ode.recall(job.model, job.patterns, job.cues, job.settings, seed=job.seed), False)


@pytest.mark.slow
def test_multiplicative_noise_on_and_off_run_apart_in_order():
    """Multiplicative noise on and off compile differently: split, in order, as if alone."""
    sde = get("ideal-sde")
    jobs = _jobs(sde, [dict(t1=2.0, solver="euler", multiplicative=0.0, n_save=5),
                       dict(t1=2.0, solver="euler", multiplicative=0.1, n_save=5)], D=20, per=1, seed0=40)
    for job, res in zip(jobs, sde.recall_batch(jobs)):
        _same(res, sde.recall(job.model, job.patterns, job.cues, job.settings, seed=job.seed), False)


@pytest.mark.parametrize("name,values", [pytest.param("ideal-ode", dict(t1=5.0, n_save=7), marks=pytest.mark.slow),
                                         pytest.param("ideal-ode", dict(t1=5.0, save_times=[0.0, 1.0], save_states=False),
                                                      marks=pytest.mark.slow),
                                         ("ideal-discrete", dict(max_sweeps=5))])
def test_result_bytes_bounds_the_result(name, values):
    impl = get(name)
    job = _jobs(impl, [values], D=16, K=3, per=2, seed0=50)[0]
    res = impl.recall_batch([job])[0]
    real = sum(np.asarray(a).nbytes for a in (res.final, res.cues, res.energies, res.overlaps)
               if a is not None) + (res.states.nbytes if res.states is not None else 0)
    est = impl.result_bytes(job.settings, len(job.cues), 16, 3)
    assert real <= est <= 2 * real
