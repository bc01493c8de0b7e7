"""Ideal dynamics: energy descent, agreement of forms and solvers, seeds, clamping, status."""

import jax.numpy as jnp
import numpy as np
import pytest

import neuroam as na
from neuroam.dynamics.common import TRACES
from neuroam.models import Layer, Network
from neuroam.models.lagrangians import Identity
from neuroam.models.synapses import WeightSynapse
from neuroam.results import Status

from helpers import BIPARTITE, FAMILIES, fast_subset, rel_rise


def _cues(pats, seed, rate=0.15, per=2):
    return na.cues.flip(pats, rate=rate, trials_per_pattern=per, seed=seed)


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("name,params", fast_subset(FAMILIES, {7}))
def test_ode_energy_never_increases(name, params, seed):
    """Property over seeds: along every ideal ODE trajectory E(t) is non-increasing.
    (K = 6, D = 64, 12 trials, float64: the shapes of test_float64_is_scoped_to_its_run,
    so the fast LSE case reuses its compiled solve. Every family's vector field is checked
    against its energy in the fast suite: tests/test_models.py, the Lyapunov identity.)"""
    pats = na.patterns.random_binary(K=6, D=64, seed=seed)
    cues = _cues(pats, seed + 10, rate=0.3)
    res = na.recall(na.make_model(name, **params), pats, cues, "ideal-ode", t1=30.0,
                    dtype="float64", rtol=1e-7, atol=1e-9)
    assert res.energies is not None and np.isfinite(res.energies[:, 0]).all()
    assert rel_rise(res.energies) <= 1e-9, f"{name}{params}: energy rose"
    assert (res.status != Status.NON_FINITE).all()


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("name,params", fast_subset([
    ("lse", {"beta": 0.5}), ("lse", {"beta": 0.5, "form": "bipartite"}), ("lsr", {"beta": 0.05})], {0}))
def test_ode_energy_descent_real_patterns(name, params, seed):
    pats = na.patterns.gaussian(K=6, D=16, seed=seed)
    cues = na.cues.noise(pats, sigma=0.5, trials_per_pattern=2, seed=seed)
    res = na.recall(na.make_model(name, **params), pats, cues, "ideal-ode", t1=40.0, n_save=100,
                    dtype="float64", rtol=1e-7, atol=1e-9)
    assert rel_rise(res.energies) <= 1e-9


@pytest.mark.parametrize("mode", ["async"])
@pytest.mark.parametrize("name,params", FAMILIES)
def test_async_updates_never_increase_energy(name, params, mode):
    pats = na.patterns.random_binary(K=8, D=48, seed=5)
    cues = na.cues.random(pats, 12, seed=6)  # far from every pattern: many flips
    res = na.recall(na.make_model(name, **params), pats, cues, "ideal-discrete", mode=mode, seed=3)
    E = res.energies
    d = np.diff(E, axis=1)
    assert np.nanmax(d) <= 1e-5 * (1 + np.nanmax(np.abs(E)))
    assert (res.status == Status.CONVERGED).all()


@pytest.mark.parametrize("name,params", fast_subset(BIPARTITE, set()))
def test_one_layer_and_bipartite_share_fixed_points(name, params, binary_patterns, flip_cues):
    one = na.recall(na.make_model(name, **params), binary_patterns, flip_cues, "ideal-ode", t1=60.0)
    bip = na.recall(na.make_model(name, form="bipartite", **params), binary_patterns, flip_cues,
                    "ideal-ode", t1=60.0)
    assert (one.status == Status.CONVERGED).all() and (bip.status == Status.CONVERGED).all()
    np.testing.assert_allclose(one.final, bip.final, atol=5e-3)
    np.testing.assert_array_equal(na.metrics.outcomes(one, binary_patterns),
                                  na.metrics.outcomes(bip, binary_patterns))


@pytest.mark.parametrize("solvers", [
    ("euler",), pytest.param(("shark", "sra1", "heun"), marks=pytest.mark.slow)])
def test_sde_with_zero_noise_matches_ode(binary_patterns, flip_cues, solvers):
    model = na.make_model("hopfield")  # settles fast: both stop on the same fixed point
    ode = na.recall(model, binary_patterns, flip_cues, "ideal-ode", t1=30.0)
    for solver in solvers:
        sde = na.recall(model, binary_patterns, flip_cues, "ideal-sde", temperature=0.0, solver=solver,
                        t1=30.0, dt=0.02)
        np.testing.assert_allclose(sde.final, ode.final, atol=2e-3, err_msg=solver)


def test_same_seed_same_result(binary_patterns, flip_cues):
    model = na.make_model("lse", beta=0.1)
    sde = dict(temperature=0.2, t1=5.0, solver="euler")
    a = na.recall(model, binary_patterns, flip_cues, "ideal-sde", seed=7, **sde)
    b = na.recall(model, binary_patterns, flip_cues, "ideal-sde", seed=7, **sde)
    c = na.recall(model, binary_patterns, flip_cues, "ideal-sde", seed=8, **sde)
    np.testing.assert_array_equal(a.states, b.states)
    assert not np.array_equal(a.states, c.states)
    d1 = na.recall(model, binary_patterns, na.cues.random(binary_patterns, 6, seed=1), "ideal-discrete", seed=4)
    d2 = na.recall(model, binary_patterns, na.cues.random(binary_patterns, 6, seed=1), "ideal-discrete", seed=4)
    np.testing.assert_array_equal(d1.states, d2.states)


@pytest.mark.parametrize("impl,settings", [("ideal-ode", {"t1": 20.0}),
                                           ("ideal-sde", {"t1": 15.0, "temperature": 0.02,
                                                          "solver": "euler"}),
                                           ("ideal-discrete", {}),
                                           ("ideal-discrete", {"mode": "sync"})])
def test_clamped_entries_never_move(impl, settings, binary_patterns):
    cues = na.cues.occlude(binary_patterns, 0.5, fill="random", trials_per_pattern=2, seed=3) \
        if impl == "ideal-discrete" else na.cues.occlude(binary_patterns, 0.5, trials_per_pattern=2, seed=3)
    res = na.recall(na.make_model("hopfield"), binary_patterns, cues, impl, **settings)
    clamp = cues.clamp
    start = res.states[:, 0]
    for k in range(res.n_times):
        s = res.states[:, k]
        ok = np.isfinite(s)
        np.testing.assert_array_equal(s[clamp & ok], start[clamp & ok])
    np.testing.assert_array_equal(res.final[clamp], start[clamp])
    # the occluded half is completed from the clamped half
    assert na.metrics.summarize(res, binary_patterns)["accuracy"] == 1.0


def test_changing_numbers_does_not_recompile(binary_patterns, flip_cues):
    """Horizons and tolerances of the ODE (the Hopfield program of the standard problem,
    compiled by other tests too), β, temperatures and seeds of the SDE (LSE): one
    program each."""
    for beta in (0.1, 0.2):
        for tol in (1e-5, 1e-4):
            na.recall(na.make_model("hopfield"), binary_patterns, flip_cues, "ideal-ode",
                      t1=10.0 + beta, rtol=tol, steady_tol=100 * tol)
            na.recall(na.make_model("lse", beta=beta), binary_patterns, flip_cues, "ideal-sde",
                      t1=2.0, temperature=tol, solver="euler", seed=int(beta * 10))
            if (beta, tol) == (0.1, 1e-5):
                before = dict(TRACES)
    assert dict(TRACES) == before


def _unstable():
    """x' = 3x − x (identity neurons, self-coupling 3): the zero cue stays at its fixed
    point, any other cue diverges. Returns (model, patterns, cues of 2 trials)."""
    D = 4
    net = Network({"v": Layer(Identity(), D)}, (WeightSynapse(3.0 * jnp.eye(D), jnp.zeros(D)),))

    class Unstable(na.models.Hopfield):
        def bind(self, patterns):
            return net

    return Unstable(), na.PatternSet(np.ones((1, D))), na.CueSet(np.array([[0.0] * D, [1e-3] * D]), [-1, -1])


def test_status_per_trial_never_fails_the_batch():
    """A batch mixing a diverging trial and a converging one returns both."""
    model, pats, cues = _unstable()
    res = na.recall(model, pats, cues, "ideal-ode", t1=400.0, max_steps=2000)
    assert list(res.status) == [Status.CONVERGED, Status.NON_FINITE]
    out = na.metrics.outcomes(res, pats)
    assert out.shape == (2,)


@pytest.mark.slow
def test_a_trial_out_of_steps_is_max_steps():
    model, pats, cues = _unstable()
    res = na.recall(model, pats, cues, "ideal-ode", t1=400.0, max_steps=3)
    assert Status(res.status[1]) in (Status.MAX_STEPS, Status.NON_FINITE)


def test_sde_convergence_is_when_the_drift_reaches_the_noise():
    """Oracle: the noiseless ODE. A noisy trial counts as settled once its drift is
    within twice its thermal level (2√T/τ at unit curvature); the ODE stopped at that
    drift reaches it at the same time, up to the save spacing (0.16 τ) and the noise.
    A horizon that ends in transit is reported as not converged."""
    pats = na.patterns.random_binary(K=6, D=64, seed=0)
    cues = na.cues.flip(pats, rate=0.2, trials_per_pattern=2, seed=1)
    model = na.make_model("hopfield")  # the shapes and solvers of the tests above: no new program
    T = 0.01
    sde = na.recall(model, pats, cues, "ideal-sde", temperature=T, t1=8.0, dt=0.05,
                    solver="euler", seed=2)
    ode = na.recall(model, pats, cues, "ideal-ode", t1=8.0, steady_tol=1e-3 + 2 * np.sqrt(T),
                    rtol=1e-6, atol=1e-8)
    assert (sde.status == Status.CONVERGED).all() and (ode.status == Status.CONVERGED).all()
    assert np.median(ode.converge_time) > 1.0  # a real relaxation, not settled at the cue
    diff = sde.converge_time - ode.converge_time
    assert abs(np.median(diff)) <= 0.5 and np.max(np.abs(diff)) <= 1.0, diff
    assert na.metrics.summarize(sde, pats)["accuracy"] == 1.0
    # cut short in transit: every trial is "not converged", none passes for a memory
    short = na.recall(model, pats, cues, "ideal-sde", temperature=T, t1=0.5, dt=0.05,
                      solver="euler", seed=2)
    assert (short.status == Status.MAX_STEPS).all() and np.isnan(short.converge_time).all()
    assert na.metrics.summarize(short, pats)["not_converged_fraction"] == 1.0


def test_sde_noise_has_the_langevin_statistics():
    """Oracle: with E = ½|x|² (identity neurons, no coupling) the SDE is an
    Ornstein–Uhlenbeck process; Euler–Maruyama with step h has the exact stationary
    variance T / (1 − h/2) and lag-s correlation (1 − h)^(s/h). Wrong increments (a
    key reused across steps or trials, a wrong amplitude) miss both."""
    D, T, h = 1000, 0.05, 0.05
    pats = na.PatternSet(np.ones((1, D)))
    net = Network({"v": Layer(Identity(), D)}, (WeightSynapse(jnp.zeros((D, D)), jnp.zeros(D)),))

    class Free(na.models.Hopfield):
        def bind(self, patterns):
            return net

    cues = na.CueSet(np.zeros((16, D)), [-1] * 16)
    res = na.recall(Free(), pats, cues, "ideal-sde", temperature=T, dt=h, t1=30.0, solver="euler",
                    save_times=[20.0, 29.5, 30.0], seed=3)
    x20, x295, x30 = res.states[:, 0], res.states[:, 1], res.states[:, 2]
    var = np.var(x30)
    assert abs(var / (T / (1 - h / 2)) - 1) < 0.05, var
    corr = np.mean(x295 * x30) / np.sqrt(np.var(x295) * var)
    assert abs(corr - (1 - h) ** 10) < 0.03, corr  # 0.599
    assert abs(np.mean(x20 * x30)) / var < 0.03  # 10 τ apart: independent
    # trials share the cue but not the noise
    assert abs(np.corrcoef(x30[0], x30[1])[0, 1]) < 0.1


def test_host_arrays_reach_the_device_without_compiling():
    """neuroam.arrays.device_array (how models, problems and run stacks put host data on
    the device): NumPy's values and dtype, float64 narrowed outside x64 as jnp.asarray
    does, strongly typed, and no XLA program compiled for shapes never seen before
    (jnp.asarray of host data compiles one per shape and dtype)."""
    import jax
    import jax.monitoring

    from neuroam.arrays import device_array

    compiled, listening = [], [True]
    jax.monitoring.register_event_duration_secs_listener(
        lambda event, _s, **kw: compiled.append(event) if listening[0]
        and event == "/jax/core/compile/backend_compile_duration" else None)
    host = np.random.default_rng(0).standard_normal((3, 17, 5))
    try:
        a, mask, c = device_array(host), device_array(host[0] > 0), device_array(2.5, np.float32)
        with jax.enable_x64(True):
            wide = device_array(host)
        narrowed = device_array(wide, np.float32)
    finally:
        listening[0] = False
    assert compiled == []
    assert a.dtype == narrowed.dtype == c.dtype == np.float32 and mask.dtype == np.bool_
    assert wide.dtype == np.float64 and not (a.weak_type or c.weak_type)
    np.testing.assert_array_equal(a, host.astype(np.float32))
    np.testing.assert_array_equal(wide, host)
    np.testing.assert_array_equal(narrowed, a)
    np.testing.assert_array_equal(mask, host[0] > 0)
    assert float(c) == 2.5 and device_array(a) is a and device_array(a, np.float32) is a
    assert float(jax.jit(lambda x: device_array(x, np.float32).sum())(mask)) == mask.sum()


def test_float64_is_scoped_to_its_run(binary_patterns, flip_cues, tmp_path):
    """A float64 run keeps float64 arrays (in memory and in results.h5) and leaves JAX's
    x64 mode as it found it: a float32 run gives the same arrays before and after."""
    import h5py

    import jax

    model = na.make_model("lse", beta=0.1)
    before = na.recall(model, binary_patterns, flip_cues, "ideal-sde", temperature=0.01, t1=3.0,
                       solver="euler")
    res = na.recall(model, binary_patterns, flip_cues, "ideal-ode", dtype="float64")
    assert not jax.config.jax_enable_x64
    assert res.final.dtype == res.states.dtype == res.energies.dtype == np.float64
    assert res.replace(attrs={}).final.dtype == np.float64  # and stays so when copied
    assert na.metrics.summarize(res, binary_patterns)["accuracy"] == 1.0
    after = na.recall(model, binary_patterns, flip_cues, "ideal-sde", temperature=0.01, t1=3.0,
                      solver="euler")
    assert after.final.dtype == np.float32
    np.testing.assert_array_equal(before.states, after.states)
    # through the engine: a float64 label and a float32 label side by side in threads
    from helpers import scenario_text
    from neuroam.scenario import loads_scenario
    from neuroam.sweep import run_study

    text = scenario_text("precision", """
[implementations.wide]
name = "ideal-ode"
dtype = "float64"
t1 = 10.0
[implementations.narrow]
name = "ideal-sde"
temperature = 0.01
t1 = 3.0
solver = "euler"
""", K=6, D=64, model='name = "lse"\nbeta = 0.1')  # the programs of the runs above: none new
    out = run_study(loads_scenario(text), tmp_path / "o", threads=2)
    assert all(r.ok for r in out.records)
    with h5py.File(out.results, "r") as f:
        finals = {}
        f.visititems(lambda n, o: finals.setdefault(n.split("/")[1], set()).add(o.dtype)
                     if n.endswith("/final") else None)
    assert finals == {"wide": {np.dtype("float64")}, "narrow": {np.dtype("float32")}}
    with pytest.raises(na.errors.UnsupportedError, match="x64"):  # a bare solver call
        from neuroam.dynamics.ode import solve_ode
        solve_ode(model.bind(binary_patterns), binary_patterns, flip_cues, dtype="float64")


@pytest.mark.slow
def test_reductions_only(binary_patterns, flip_cues):
    res = na.recall(na.make_model("hopfield"), binary_patterns, flip_cues, "ideal-ode", save_states=False)
    assert res.states is None and res.overlaps.shape == (len(flip_cues), 50, binary_patterns.K)


def test_sign_activation_refused_by_ode(binary_patterns, flip_cues):
    from neuroam.models.lagrangians import Sign
    from neuroam.models.synapses import DenseSynapse, PowerSeparation

    class Binary(na.models.Hopfield):
        def bind(self, patterns):
            return Network({"v": Layer(Sign(), patterns.D)},
                           (DenseSynapse(jnp.asarray(patterns.xi), jnp.zeros(patterns.K), PowerSeparation(2, scale=patterns.D)),))

    with pytest.raises(na.errors.UnsupportedError, match="ideal-discrete"):
        na.recall(Binary(), binary_patterns, flip_cues, "ideal-ode")


def test_discrete_refuses_real_patterns():
    pats = na.patterns.gaussian(3, 8, seed=0)
    with pytest.raises(na.errors.UnsupportedError):
        na.recall(na.make_model("lse"), pats, na.cues.noise(pats, 0.1), "ideal-discrete")


def test_requested_save_times(binary_patterns, flip_cues):
    # 49 requested times + t1: the 50 saves of the default, so the compiled solve is shared
    asked = [0.0, 1.0, 2.0, 5.0, *np.linspace(5.5, 19.5, 45)]
    res = na.recall(na.make_model("hopfield"), binary_patterns, flip_cues, "ideal-ode", t1=20.0,
                    save_times=asked)
    np.testing.assert_allclose(res.times, [*asked, 20.0])
    np.testing.assert_allclose(res.states[:, 0], np.tanh(4.0 * flip_cues.states), rtol=1e-5)
    with pytest.raises(na.errors.ValueRangeError, match="increasing"):
        na.recall(na.make_model("hopfield"), binary_patterns, flip_cues, "ideal-ode", t1=2.0,
                  save_times=[0.0, 3.0, 1.0])


@pytest.mark.parametrize("name,params", fast_subset([("polynomial", {"n": 3}), ("exponential", {}),
                                                     ("lse", {"beta": 0.1, "form": "bipartite"})], set()))
def test_exponential_integrator_matches_tsit5(name, params, binary_patterns, flip_cues):
    """ETD2 (exact leak, adaptive) reaches the same fixed points, with energy descent."""
    model = na.make_model(name, **params)
    ref = na.recall(model, binary_patterns, flip_cues, "ideal-ode", rtol=1e-6, atol=1e-8, steady_tol=1e-4)
    etd = na.recall(model, binary_patterns, flip_cues, "ideal-ode", solver="etd2", dtype="float64",
                    rtol=1e-6, atol=1e-8, steady_tol=1e-4, n_save=80)
    assert (etd.status == Status.CONVERGED).all()
    np.testing.assert_allclose(etd.final, ref.final, atol=2e-3)
    assert rel_rise(etd.energies) <= 1e-7


@pytest.mark.parametrize("name", ["tsit5", pytest.param("dopri5", marks=pytest.mark.slow),
                                  pytest.param("bosh3", marks=pytest.mark.slow)])
def test_unrolled_solvers_are_the_diffrax_methods(name):
    """The unrolled Runge–Kutta solvers (neuroam.dynamics.erk) take the same steps and
    produce the same states, dense output included, as Diffrax's own classes (float64)."""
    import diffrax
    import jax

    from neuroam.dynamics import erk

    ours, theirs = erk.UNROLLED[name](), erk.UNROLLED[name].reference()
    with jax.enable_x64(True):
        W = jnp.asarray(np.random.default_rng(0).standard_normal((6, 6)), jnp.float64)
        term = diffrax.ODETerm(lambda t, y, args: jnp.tanh(W @ y) - y)
        ts = jnp.linspace(0.0, 5.0, 23)

        def solve(solver, y0):
            sol = diffrax.diffeqsolve(term, solver, 0.0, 5.0, None, y0, saveat=diffrax.SaveAt(ts=ts),
                                      stepsize_controller=diffrax.PIDController(rtol=1e-6, atol=1e-8),
                                      adjoint=diffrax.ForwardMode())
            return sol.ys, sol.stats["num_steps"]

        y0 = jnp.asarray(np.random.default_rng(1).standard_normal((4, 6)), jnp.float64)
        a, n_ours = jax.vmap(lambda y: solve(ours, y))(y0)
        b, n_theirs = jax.vmap(lambda y: solve(theirs, y))(y0)
    np.testing.assert_array_equal(n_ours, n_theirs)
    np.testing.assert_allclose(a, b, rtol=0, atol=1e-11)
    assert ours.order(term) == theirs.order(term) and ours.error_order(term) == theirs.error_order(term)


@pytest.mark.parametrize("patterns", ["binary", "real"])
def test_overlaps_reuse_the_energy_product(patterns):
    """Overlaps are ξg/D (binary) or cosines (real) whether or not they share the synapse's ξ;
    they share it exactly when a synapse multiplies by the stored patterns."""
    from neuroam.dynamics.common import make_problem, overlap_matrix

    pats = (na.patterns.random_binary(K=5, D=32, seed=0) if patterns == "binary"
            else na.patterns.gaussian(K=5, D=32, seed=0))
    g = jnp.asarray(np.random.default_rng(2).standard_normal(32), jnp.float32)
    expected = np.asarray(overlap_matrix(pats) @ g)
    if patterns == "real":
        expected = expected / np.linalg.norm(np.asarray(g))
    models = [na.make_model("lse", beta=0.1), na.make_model("lse", beta=0.1, form="bipartite")]
    if patterns == "binary":
        models.append(na.make_model("hopfield", rule="hebbian"))
    for model in models:
        prob = make_problem(model.bind(pats), pats, jnp.float32)
        stores_xi = not (model.name == "hopfield")
        assert (prob.ov_synapse is not None) == stores_xi
        np.testing.assert_allclose(np.asarray(prob.overlaps(g)), expected, rtol=1e-5, atol=1e-6)


@pytest.mark.slow
def test_steady_stop_on_the_carried_drift_is_the_event_stop(monkeypatch, binary_patterns, flip_cues):
    """With an unrolled solver the steady-state test reads RMS dy/dt from the step's last
    stage (DriftWatch) instead of evaluating the field again: same stop (float64)."""
    import diffrax
    import jax

    from neuroam.dynamics import ode

    monkeypatch.setitem(ode.ODE_SOLVERS, "diffrax-tsit5", diffrax.Tsit5)
    net = na.make_model("lse", beta=0.1, form="bipartite").bind(binary_patterns)
    with jax.enable_x64(True):
        ours, theirs = (ode.solve_ode(net, binary_patterns, flip_cues, dtype="float64",
                                      config=ode.ODEConfig(solver=s)) for s in ("tsit5", "diffrax-tsit5"))
    assert (ours.status == Status.CONVERGED).all()
    np.testing.assert_array_equal(ours.n_steps, theirs.n_steps)
    np.testing.assert_allclose(ours.converge_time, theirs.converge_time, rtol=1e-8)
    np.testing.assert_allclose(ours.final, theirs.final, atol=1e-9)
    np.testing.assert_allclose(ours.energies, theirs.energies, atol=1e-9)


def test_the_batched_driver_names_what_a_problem_lacks():
    """A problem without the driver's protocol is refused up front with a neuroam error."""
    from neuroam.dynamics.continuous import PROBLEM_METHODS, run_spec
    from neuroam.errors import UnsupportedError

    class Half:
        def start(self, trial):
            return trial["cue"], None, {}

    with pytest.raises(UnsupportedError) as err:
        run_spec(Half(), {"cue": np.zeros((2, 3))}, ts=np.linspace(0, 1, 3), numbers={},
                 method=None, dtype="float32", batch_size=2)
    assert all(name in str(err.value) for name in PROBLEM_METHODS[1:])
