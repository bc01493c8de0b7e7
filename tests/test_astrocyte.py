"""Neuron–astrocyte implementation: tensor contraction, energy, recall, reduction, errors."""

from pathlib import Path

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import neuroam as na
from neuroam.astrocyte import (AstrocyteNetwork, AstrocyteParams, apply_tensor, explicit_tensor,
                               load_params)
from neuroam.astrocyte.reduction import check_reduction, reduction_series
from neuroam.dynamics.common import TRACES
from neuroam.errors import CardError, NeuroamError, UnsupportedError, ValueRangeError
from neuroam.results import Status

QUARTIC = na.make_model("polynomial", n=4)


def _signs(a):
    return np.where(np.asarray(a) >= 0, 1.0, -1.0)


def _random_state(key, N, scale=0.5):
    """A random (x, S, P) with symmetric S and P, as the dynamics keep them."""
    kx, ks, kp = jax.random.split(key, 3)
    x = scale * jax.random.normal(kx, (N,))
    S = scale * jax.random.normal(ks, (N, N))
    P = scale * jax.random.normal(kp, (N, N))
    return x, (S + S.T) / 2, (P + P.T) / 2


# -- the O(N²K) contraction ---------------------------------------------------------------
@pytest.mark.parametrize("N,K", [(5, 1), (6, 3), (9, 7)])
def test_contraction_equals_explicit_tensor(N, K):
    rng = np.random.default_rng(N * K)
    xi = np.sign(rng.standard_normal((K, N)))
    psi = rng.standard_normal((N, N))  # not symmetric: the identity holds for any ψ
    T = explicit_tensor(xi)
    want = np.einsum("ijkl,kl->ij", T, psi)
    got = np.asarray(apply_tensor(jnp.asarray(xi, jnp.float32), jnp.asarray(psi, jnp.float32)))
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-4)
    assert np.allclose(T, T.transpose(2, 3, 0, 1)) and np.allclose(T, T.transpose(1, 0, 2, 3))


def test_explicit_tensor_refuses_large_n():
    with pytest.raises(ValueRangeError):
        explicit_tensor(np.ones((2, 100)))


# -- energy ---------------------------------------------------------------------------------
@eqx.filter_jit
def _dE_dt_and_dissipation(net, state, weights):
    flow = net.vector_field(state, jnp.ones_like(state[0]))
    grad = jax.grad(net.energy)(state)
    dEdt = sum(jnp.vdot(g, f) for g, f in zip(grad, flow))
    primes = [net.beta / jnp.cosh(net.beta * v) ** 2 for v in state]
    dissipation = sum(w * jnp.sum(p * f * f) for w, p, f in zip(weights, primes, flow))
    return dEdt, dissipation


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_energy_derivative_is_minus_dissipation(seed):
    """dE/dt = ∇E · f = −(2τ_x Σ h'ẋ² + τ_S Σ g'Ṡ² + τ_P Σ ψ'Ṗ²) ≤ 0 at any symmetric state."""
    pats = na.patterns.random_binary(K=3, D=7, seed=seed)
    params = AstrocyteParams(beta=1.0 + seed, tau_neuron=0.7, tau_synapse=1.3 + seed,
                             tau_process=2.0)
    net = AstrocyteNetwork(pats.xi, params)
    weights = jnp.asarray([2.0 * params.tau_neuron, params.tau_synapse, params.tau_process])
    for k in range(4):
        state = _random_state(jax.random.key(10 * seed + k), 7)
        dEdt, dissipation = _dE_dt_and_dissipation(net, state, weights)
        np.testing.assert_allclose(float(dEdt), -float(dissipation), rtol=2e-4, atol=1e-6)
        assert float(dEdt) <= 0.0


# -- recall (a reduced version of the tutorial) ----------------------------------------------
@pytest.fixture(scope="module")
def small():
    """N = 64, K = 8, 10 % flips, two cues per pattern (the tutorial, N = 500, reduced;
    N = 100, K = 10 also recalls every cue but costs 2.5x the CPU). tests/test_oscillator.py's
    fixed-point test recalls the quartic model with ideal-ode in these shapes and settings
    (16 cues, no saved states): one compiled program between them."""
    pats = na.patterns.random_binary(K=8, D=64, seed=0)
    cues = na.cues.flip(pats, rate=0.1, trials_per_pattern=2, seed=1)
    astro = na.recall(QUARTIC, pats, cues, "astrocyte", t1=20.0, n_save=41)
    ideal = na.recall(QUARTIC, pats, cues, "ideal-ode", t1=50.0, save_states=False)
    return pats, cues, astro, ideal


def test_reduced_tutorial_recalls_every_cue(small):
    pats, cues, astro, _ = small
    summary = na.metrics.summarize(astro, pats)
    assert summary["accuracy"] == 1.0
    assert (astro.status == Status.CONVERGED).all()
    assert np.all(_signs(astro.final) == pats.xi[cues.targets])


def test_energy_never_increases_along_noiseless_trajectories(small):
    _, _, astro, _ = small
    assert na.metrics.energy_increase(astro.energies).max() <= 1e-5
    assert np.all(na.metrics.energy_monotone(astro.energies))
    assert np.isfinite(astro.energies[:, 0]).all()


def test_final_states_agree_with_ideal_quartic_dense_am(small):
    _, _, astro, ideal = small
    agree = np.mean(np.all(_signs(astro.final) == _signs(ideal.final), axis=1))
    assert agree >= 0.95


def test_result_layout_extras_and_compute_units(small):
    pats, cues, astro, _ = small
    T, S, N = cues.n_trials, astro.n_times, pats.D
    assert astro.states.shape == (T, S, N) and astro.overlaps.shape == (T, S, pats.K)
    for name in ("norm_S", "norm_P", "norm_g", "norm_psi", "energy_process", "energy_dense4",
                 "psi_rank_one", "drive_alignment"):
        assert astro.extras[name].dims == ("trial", "time")
        assert astro.extras[name].data.shape == (T, S)
    assert astro.extras["init_clipped"].data.shape == (T,)
    # the processes start at ψ₀ = −h₀h₀ᵀ and end at +hhᵀ
    rank_one = reduction_series(astro)["psi_rank_one"]
    assert np.all(rank_one[:, 0] < -0.99)
    last = np.array([r[np.isfinite(r)][-1] for r in rank_one])
    assert np.all(last > 0.99)
    assert astro.attrs["compute_units"] == N + N * N
    assert astro.attrs["memories_per_compute_unit"] == pytest.approx(pats.K / (N + N * N))
    from neuroam.store.record import record_from_result

    variables = record_from_result(astro, pats, na.metrics.outcomes(astro, pats))
    assert variables["norm_P"].dims == ("trial", "time")


def test_numbers_do_not_recompile(small):
    pats, cues, astro, _ = small
    before = dict(TRACES)
    again = na.recall(QUARTIC, pats, cues, "astrocyte", t1=0.5, n_save=41, beta=6.0,
                      tau_process=1.5, dt=0.02, rtol=2e-4, steady_tol=2e-3)
    assert dict(TRACES) == before
    assert again.attrs["beta"] == 6.0 and again.attrs["tau_process"] == 1.5


@pytest.mark.slow  # N = 200: 40 000 process states per trial; the N = 64 fixture keeps the fast check
def test_n200_k40_recall_succeeds():
    pats = na.patterns.random_binary(K=40, D=200, seed=3)
    cues = na.cues.flip(pats, rate=0.1, targets=np.arange(0, 40, 4), seed=4)
    res = na.recall(QUARTIC, pats, cues, "astrocyte", t1=20.0, n_save=2, save_states=False,
                    steady_tol=1e-2)
    assert na.metrics.summarize(res, pats)["accuracy"] == 1.0
    assert np.all(_signs(res.final) == pats.xi[cues.targets])


# -- reduction to the quartic DenseAM ---------------------------------------------------------
def test_process_term_is_the_quartic_dense_am(small):
    """E_pp(hhᵀ) = 2 E₄(h) and g₀h₀ = I₄(h₀), against the core polynomial n = 4 model."""
    pats, cues, _, _ = small
    ident = check_reduction(pats, cues)
    np.testing.assert_allclose(ident["energy_ratio"], 1.0, rtol=1e-5)
    assert ident["current_error"].max() < 1e-4
    assert ident["init_clipped"].max() == 0.0


def test_drive_is_the_quartic_current_at_the_cue_then_departs(small):
    _, _, astro, _ = small
    s = reduction_series(astro)
    assert np.all(s["drive_alignment"][:, 0] > 0.9999)
    assert np.all(np.abs(s["process_ratio"][:, 0] - 1.0) < 1e-4)
    # the correspondence holds at the cue only: while the processes release it breaks
    assert np.nanmin(s["process_ratio"]) < 0.5


def test_cue_consistent_start_breaks_at_loads_near_n_squared():
    """|c T[ψ₀]| < 1 fails on the diagonal once K ≳ N²: the start is clipped there."""
    pats = na.patterns.random_binary(K=120, D=8, seed=0)
    cues = na.cues.flip(pats, rate=0.0, targets=[0, 1], seed=0)
    assert check_reduction(pats, cues)["init_clipped"].min() > 0.0


def test_only_the_cue_consistent_start_corrects_bits(small):
    """S = P = 0, or ψ₀ = +h₀h₀ᵀ, leave every cue as it is (same shapes: no recompile)."""
    pats, cues, astro, _ = small
    for init in ("zero", "flipped"):
        res = na.recall(QUARTIC, pats, cues, "astrocyte", t1=20.0, n_save=41, init=init)
        assert np.all(_signs(res.final) == cues.states), init
    assert np.all(_signs(astro.final) == pats.xi[cues.targets])


# -- noise and clamping -----------------------------------------------------------------------
def test_sde_is_reproducible_per_seed_and_synapse_noise_hurts_most():
    pats = na.patterns.random_binary(K=4, D=24, seed=2)
    cues = na.cues.flip(pats, rate=0.125, trials_per_pattern=1, seed=3)
    kw = dict(t1=4.0, dt=0.05, solver="euler", adaptive=False, n_save=3, save_states=False)
    a = na.recall(QUARTIC, pats, cues, "astrocyte", temperature=0.01, seed=5, **kw)
    b = na.recall(QUARTIC, pats, cues, "astrocyte", temperature=0.01, seed=5, **kw)
    c = na.recall(QUARTIC, pats, cues, "astrocyte", temperature=0.01, seed=6, **kw)
    np.testing.assert_array_equal(a.final, b.final)
    assert not np.array_equal(a.energies, c.energies)
    neurons = na.recall(QUARTIC, pats, cues, "astrocyte", temperature=0.01, seed=5,
                        noise_on=["neurons"], **kw)
    acc = lambda r: na.metrics.summarize(r, pats)["accuracy"]  # noqa: E731
    assert acc(neurons) == 1.0 and acc(a) < 1.0


def test_clamped_neurons_never_move(small):
    pats = small[0]
    cues = na.cues.occlude(pats, 0.25, trials_per_pattern=2, seed=1)  # same shapes as `small`
    res = na.recall(QUARTIC, pats, cues, "astrocyte", t1=20.0, n_save=41)
    clamp = cues.clamp
    np.testing.assert_allclose(res.final[clamp], np.tanh(res.attrs["beta"] * cues.states[clamp]),
                               atol=1e-6)
    assert np.all(res.status == Status.CONVERGED)


# -- bad input ------------------------------------------------------------------------------
def _card(tmp_path, kind="astrocyte", **params):
    lines = [f'kind = "{kind}"']
    for k, v in params.items():
        lines += [f"[params.{k}]", f"value = {v}", 'unit = "1"', 'source = "test"']
    p = tmp_path / "card.toml"
    p.write_text("\n".join(lines) + "\n")
    return str(p)


def test_unknown_card_is_a_card_error(small):
    pats, cues, _, _ = small
    with pytest.raises(CardError, match="astrocyte-tutorial"):
        na.recall(QUARTIC, pats, cues, "astrocyte", device="astrocyte-tutorail")


def test_card_of_another_kind_is_refused(tmp_path):
    with pytest.raises(CardError, match="astrocyte"):
        load_params(_card(tmp_path, kind="memristor", beta=5.0))


@pytest.mark.parametrize("key", ["tau_neuron", "tau_synapse", "tau_process", "beta"])
def test_negative_time_constants_and_gains_are_refused(tmp_path, key):
    with pytest.raises(CardError, match=key):
        load_params(_card(tmp_path, **{key: -1.0}))
    with pytest.raises(ValueRangeError, match=key):
        AstrocyteParams(**{key: -1.0})


def test_settings_and_models_are_checked(small):
    pats, cues, _, _ = small
    impl = na.implementations.get("astrocyte")
    with pytest.raises(ValueRangeError, match="tau_process"):
        impl.settings(tau_process=-2.0)
    with pytest.raises(ValueRangeError, match="tau_proces"):
        impl.settings(tau_proces=2.0)
    with pytest.raises(UnsupportedError, match="polynomial"):
        na.recall(na.make_model("polynomial", n=3), pats, cues, "astrocyte")
    with pytest.raises(UnsupportedError, match="euler"):
        na.recall(QUARTIC, pats, cues, "astrocyte", temperature=0.01)
    real = na.patterns.gaussian(K=3, D=16, seed=0)
    with pytest.raises(NeuroamError):
        na.recall(QUARTIC, real, na.cues.noise(real, sigma=0.1, seed=0), "astrocyte")


def test_tutorial_card_holds_the_tutorial_numbers():
    p = load_params("astrocyte-tutorial")
    assert (p.beta, p.taus, p.tensor_exponent, p.dt, p.t1, p.temperature) == \
        (5.0, (1.0, 1.0, 1.0), 3.0, 0.05, 50.0, 0.0)


def test_scenario_validates():
    from pathlib import Path

    from neuroam.scenario import load_scenario

    path = Path(__file__).resolve().parents[1] / "scenarios" / "astrocyte_vs_ideal.toml"
    sc = load_scenario(path)
    assert {c.name for c in sc.implementations.values()} == {"ideal-ode", "astrocyte"}
    assert "patterns.K" in sc.spec.sweep.grid


# -- the published checks, at full size (slow) ------------------------------------------------
@pytest.mark.slow
def test_tutorial_parameters_recall_every_cue():
    """N = 500, K = 10, β = 5, 10 % flips, Euler dt = 0.05 as in the authors' tutorial."""
    pats = na.patterns.random_binary(K=10, D=500, seed=0)
    cues = na.cues.flip(pats, rate=0.1, trials_per_pattern=2, seed=1)
    res = na.recall(QUARTIC, pats, cues, "astrocyte", solver="euler", adaptive=False,
                    n_save=21, save_states=False)
    assert na.metrics.summarize(res, pats)["accuracy"] == 1.0
    assert np.all(_signs(res.final) == pats.xi[cues.targets])
    assert na.metrics.energy_increase(res.energies).max() <= 1e-5


@pytest.mark.slow
@pytest.mark.parametrize("rate", [0.1, 0.3])
def test_n200_k40_every_pattern(rate):
    pats = na.patterns.random_binary(K=40, D=200, seed=5)
    cues = na.cues.flip(pats, rate=rate, trials_per_pattern=1, seed=6)
    res = na.recall(QUARTIC, pats, cues, "astrocyte", t1=20.0, n_save=2, save_states=False)
    assert na.metrics.summarize(res, pats)["accuracy"] == 1.0


@pytest.mark.slow
def test_equal_time_constants_lose_cues_the_ideal_recalls_slow_processes_recover_them(monkeypatch):
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[1] / "benchmarks"))
    from astrocyte_reduction import breakdown_study

    bd = breakdown_study(N=30, Ks=(128,), n_cues=40, tau_processes=(1.0, 5.0))
    ideal, tutorial, slow = (bd[k]["accuracy"][0] for k in bd)
    assert ideal == 1.0
    assert tutorial < 0.5 < slow
