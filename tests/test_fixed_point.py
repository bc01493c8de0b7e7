"""Fixed-point recall (``ideal-fixed-point``): the attractor of the update map.

Oracles: the ODE's final states (an adaptive Diffrax solve of the continuous dynamics,
tight tolerances, float64), the stored patterns themselves (LSE at large β), the cues
(clamped entries), the model's own energy along the iterates, runs recalled one by one,
and closed-form iteration counts of toy maps for the recorder.
"""

import functools

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import neuroam as na
from neuroam.dynamics.common import TRACES
from neuroam.dynamics.fixed_point import FixedPointConfig, solve_fixed_point
from neuroam.dynamics.maps import record_map
from neuroam.implementations import RecallJob, get, names
from neuroam.results import Status

# the suite's standard problem shape (12 trials of K = 6, D = 64): the LSE ODE oracle is the
# float64 program tests/test_dynamics.py compiles anyway; one fixed-point shape per form
D, K, PER = 64, 6, 2
PATS = na.patterns.random_binary(K=K, D=D, seed=3)
CUES = na.cues.flip(PATS, 0.15, trials_per_pattern=PER, seed=4)
FP64 = dict(dtype="float64", tol=1e-11, max_iters=200)

#: models whose fixed points the ODE reaches from these 15 % flip cues (in the basins);
#: every ``ideal-ode`` comparison compiles a Diffrax solve (~10 s on 2 shared cores), so
#: the fast suite keeps the LSE one-layer case and the rest run with ``-m slow``
MODELS = {
    "lse-one-layer": ("lse", {"beta": 0.5}),
    "lse-bipartite": ("lse", {"beta": 0.5, "form": "bipartite"}),
    "polynomial-one-layer": ("polynomial", {"n": 4}),
    "polynomial-bipartite": ("polynomial", {"n": 4, "form": "bipartite"}),
    "hopfield-one-layer": ("hopfield", {}),
    "hopfield-bipartite": ("hopfield", {"form": "bipartite"}),
}


def _cases(fast):
    return [pytest.param(k, id=k, marks=() if k in fast else pytest.mark.slow) for k in MODELS]


@functools.cache
def _recall(key):
    name, params = MODELS[key]
    model = na.make_model(name, **params)
    return model, na.recall(model, PATS, CUES, "ideal-fixed-point", **FP64)


def test_registered_and_labelled():
    impl = get("ideal-fixed-point")
    assert "ideal-fixed-point" in names()
    assert impl.time_unit == "iteration" and "not the ODE trajectory" in impl.description
    assert impl.batchable == {"tol"}


@pytest.mark.parametrize("key", _cases({"lse-one-layer"}))
def test_final_states_are_the_odes(key):
    model, fp = _recall(key)
    ode = na.recall(model, PATS, CUES, "ideal-ode", dtype="float64", rtol=1e-10, atol=1e-12,
                    steady_tol=1e-8, t1=100.0)  # stopped where the drift fell below 1e-8
    assert (ode.status == Status.CONVERGED).all() and (fp.status == Status.CONVERGED).all()
    np.testing.assert_allclose(fp.final, ode.final, rtol=0, atol=1e-7)
    ov = fp.final @ np.asarray(PATS.xi, float).T / D
    assert (ov.argmax(axis=1) == CUES.targets).all()  # in the cued pattern's basin
    assert fp.time_unit == "iteration" and fp.final.dtype == np.float64
    np.testing.assert_array_equal(fp.times, np.arange(fp.n_times))
    n = fp.extras["n_steps"].data
    np.testing.assert_array_equal(fp.converge_time, n - 1)  # the last evaluation confirms
    last = np.isfinite(fp.energies).sum(axis=1) - 1  # the trajectory ends at the converge time
    np.testing.assert_array_equal(last, fp.converge_time)


def test_bipartite_form_reaches_the_one_layer_fixed_point():
    """Eliminating the memory layer gives the one-layer energy: same attractors."""
    np.testing.assert_allclose(_recall("lse-bipartite")[1].final, _recall("lse-one-layer")[1].final,
                               rtol=0, atol=1e-9)


@pytest.mark.parametrize("key", _cases({"lse-one-layer", "lse-bipartite"}))
def test_energy_never_increases(key):
    """Every layer update minimises the energy over that layer (bipartite: the synapse is
    linear in each layer; one-layer LSE, even-n polynomial and pattern Hopfield: a CCCP step)."""
    E = _recall(key)[1].energies
    assert np.isfinite(E[:, :2]).all()
    rise = np.nanmax(np.diff(E, axis=1) / (1.0 + np.abs(E[:, :-1])))
    assert rise <= 1e-12


def test_lse_large_beta_lands_on_the_pattern_in_one_or_two_iterations():
    fp = na.recall(na.make_model("lse", beta=5.0), PATS, CUES, "ideal-fixed-point", **FP64)
    assert (fp.status == Status.CONVERGED).all()
    assert (fp.converge_time <= 2).all()
    np.testing.assert_allclose(fp.final, np.asarray(PATS.xi)[CUES.targets], atol=1e-9)


def test_clamped_neurons_never_move():
    cue = CUES.states
    flipped = cue != np.asarray(PATS.xi)[CUES.targets]
    clamp = flipped & (np.cumsum(flipped, axis=1) == 1)  # hold the first wrong entry of each cue
    held = na.cues.CueSet(cue, CUES.targets, clamp=clamp)
    fp = na.recall(na.make_model("lse", beta=0.5), PATS, held, "ideal-fixed-point", **FP64)
    np.testing.assert_array_equal(fp.final[clamp], cue[clamp])
    for t in range(fp.n_times):  # at every saved iterate
        rows = np.isfinite(fp.states[:, t, 0])
        np.testing.assert_array_equal(fp.states[rows, t][clamp[rows]], cue[rows][clamp[rows]])
    free = _recall("lse-one-layer")[1]
    assert np.abs(free.final[clamp] - cue[clamp]).min() > 0.5  # free, they flip back


def test_batched_runs_equal_runs_one_by_one():
    impl = get("ideal-fixed-point")
    jobs = []
    for i, tol in enumerate([1e-4, 1e-8, 1e-11]):
        p = na.patterns.random_binary(K=K, D=D, seed=10 + i)
        c = na.cues.flip(p, 0.15, trials_per_pattern=PER, seed=20 + i)
        jobs.append(RecallJob(na.make_model("lse", beta=0.5), p, c, impl.settings(**{**FP64, "tol": tol}),
                              seed=i))
    before = TRACES["fixed-point"]
    batch = impl.recall_batch(jobs)
    assert TRACES["fixed-point"] - before <= 1  # one compiled call for all tolerances
    for job, b in zip(jobs, batch):
        a = impl.recall(job.model, job.patterns, job.cues, job.settings, seed=job.seed)
        for name in ("final", "states", "energies", "overlaps"):
            np.testing.assert_allclose(getattr(b, name), getattr(a, name), rtol=1e-12, atol=1e-12,
                                       err_msg=name)
        for name in ("status", "converge_time", "times"):
            np.testing.assert_array_equal(getattr(b, name), getattr(a, name), err_msg=name)
        assert b.attrs["tol"] == job.settings.tol and b.attrs["cost.flops"] > 0
    looser, tighter = batch[0].extras["n_steps"].data, batch[2].extras["n_steps"].data
    assert looser.mean() < tighter.mean()


def test_chunks_do_not_change_results():
    """Iterations run in chunks of compiled calls (16 by default); a run of 2-iteration
    chunks stopped at max_iters = 5 repeats the first iterates of the default run."""
    model = na.make_model("lse", beta=0.5)
    hard = na.cues.flip(PATS, 0.45, trials_per_pattern=PER, seed=5)  # 3 to 6 iterations
    full = na.recall(model, PATS, hard, "ideal-fixed-point", **FP64)
    with jax.enable_x64(True):
        short = solve_fixed_point(model.bind(PATS), PATS, hard, tol=FP64["tol"], dtype="float64",
                                  config=FixedPointConfig(max_iters=5, chunk=2))
    n = full.extras["n_steps"].data
    assert (n > 5).any() and (n <= 5).any()  # both endings occur
    np.testing.assert_array_equal(short.status == Status.CONVERGED, n <= 5)
    np.testing.assert_array_equal(short.n_steps, np.minimum(n, 5))
    S = len(short.times)
    assert short.times.tolist() == list(range(S)) and S <= 6
    for name in ("states", "energies", "overlaps"):
        np.testing.assert_array_equal(getattr(short, name), getattr(full, name)[:, :S],
                                      err_msg=name)
    done = n <= 5
    np.testing.assert_array_equal(short.final[done], full.final[done])
    np.testing.assert_array_equal(short.final[~done], full.states[~done, 5])


def test_recorder_statuses_on_toy_maps():
    """x ← a·x, one trial per a, |Δ| < 1e-3 stops: a = ½ from 1 stops at the first k with
    2^-(k+1) < 1e-3, k = 9 (from 0 at once); a = 10 passes the 3e9 bound at the 10th step;
    a = −1 is a 2-cycle that runs all 12 steps."""
    a = jnp.asarray([0.5, 0.5, 10.0, -1.0], jnp.float32)

    def step(x, s):
        new = a * x
        return new, (~(jnp.abs(new - x) < 1e-3)).astype(jnp.int32)

    out = record_map(step, lambda x: {"x": x}, jnp.asarray([1.0, 0.0, 1.0, 1.0], jnp.float32), 12,
                     jnp.float32, finite=lambda x: jnp.abs(x) < 3e9)
    buf, x, status, ctime, n = (np.asarray(v) for v in (out[0]["x"], *out[1:]))
    assert status.tolist() == [Status.CONVERGED, Status.CONVERGED, Status.NON_FINITE, Status.MAX_STEPS]
    assert ctime[:2].tolist() == [9.0, 0.0] and np.isnan(ctime[2:]).all()
    assert n.tolist() == [10, 1, 10, 12] and x[0] == 2.0 ** -9 and x[2] == 1e10
    assert np.isfinite(buf).sum(axis=1).tolist() == [10, 1, 11, 13]
    assert buf[3].tolist() == [1.0, -1.0] * 6 + [1.0]


@pytest.mark.parametrize("values", [{"tol": 0.0}, {"tol": -1e-5}, {"max_iters": 0},
                                    {"tolerance": 1e-3}])
def test_bad_settings_are_refused(values):
    with pytest.raises(na.errors.ValueRangeError):
        get("ideal-fixed-point").settings(**values)


def test_bad_numbers_are_refused_below_the_settings():
    net = na.make_model("lse").bind(PATS)
    with pytest.raises(na.errors.ValueRangeError, match="tol"):
        solve_fixed_point(net, PATS, CUES, tol=0.0)
    with pytest.raises(na.errors.ValueRangeError, match="max_iters"):
        FixedPointConfig(max_iters=0)


def test_an_optimisation_level_in_xla_flags_wins(monkeypatch):
    """The loop compiles at LLVM level 1 unless XLA_FLAGS already picks a level (this
    suite picks 0 in conftest.py, and the loop then compiles at 0 like everything else)."""
    from neuroam.crossbar import dynamics as crossbar_loop
    from neuroam.dynamics import fixed_point
    from neuroam.dynamics.common import compiler_options

    assert fixed_point.COMPILER_OPTIONS == crossbar_loop.COMPILER_OPTIONS == {}
    monkeypatch.setenv("XLA_FLAGS", "--xla_cpu_enable_fast_math=false")
    assert compiler_options(1) == {"xla_backend_optimization_level": 1}
    monkeypatch.setenv("XLA_FLAGS", "--xla_backend_optimization_level=2")
    assert compiler_options(1) == {}
