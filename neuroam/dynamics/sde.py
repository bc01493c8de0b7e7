"""Noisy recall: dx = −(1/τ) ∂E/∂x̂ dt + (√(2T/τ) + m·|x|) dW, solved with Diffrax.

T is the temperature (additive noise), m the optional multiplicative noise. Noise
acts on every unclamped neuron of every layer. Each trial draws its own Brownian path
from ``seed``; the same seed gives identical paths (VirtualBrownianTree).
"""

from __future__ import annotations

import dataclasses

import diffrax
import equinox as eqx
import jax
import jax.numpy as jnp
import lineax as lx
import numpy as np

from ..errors import UnsupportedError, ValueRangeError
from .common import TRACES, is_finite, save_grid, Trajectories, make_problem, require_continuous, resolve_dtype, status_codes
from .ode import _run_batches

__all__ = ["SDEConfig", "solve_sde", "SDE_SOLVERS"]

#: name -> (solver class, needs space-time Lévy area, additive noise only)
SDE_SOLVERS = {
    "shark": (diffrax.ShARK, True, True),
    "sra1": (diffrax.SRA1, True, True),
    "euler": (diffrax.Euler, False, False),
    "euler-maruyama": (diffrax.Euler, False, False),
    "heun": (diffrax.Heun, False, False),
}


@dataclasses.dataclass(frozen=True)
class SDEConfig:
    """Static choices (changing them recompiles)."""

    solver: str = "shark"
    n_save: int = 50
    save_states: bool = True
    max_steps: int = 100_000
    steady_stop: bool = False
    multiplicative: bool = False

    def __post_init__(self):
        if self.solver not in SDE_SOLVERS:
            raise ValueRangeError(f"solver={self.solver!r}", f"one of {sorted(SDE_SOLVERS)}",
                                  "ShARK or SRA1 for additive noise; Euler or Heun with multiplicative noise.")
        if self.multiplicative and SDE_SOLVERS[self.solver][2]:
            raise UnsupportedError(
                f"multiplicative noise with the {self.solver} solver",
                "an additive-noise solver only with additive noise",
                "Use solver='euler' (Euler–Maruyama) or 'heun' for multiplicative noise.")


def _solve_batch(problem, y0, free, keys, ts, dt, temperature, mult, steady_tol, cfg: SDEConfig):
    TRACES["sde"] += 1
    cls, levy, _ = SDE_SOLVERS[cfg.solver]
    solver = cls()
    tau = jnp.concatenate([jnp.full((l.size,), l.tau) for l in problem.network.layers.values()])
    amp = jnp.sqrt(2.0 * temperature / tau).astype(y0.dtype)
    t1 = ts[-1]

    saveat = problem.saveat(ts, cfg.save_states)

    def steady(t, y, args, **kwargs):  # drift-only criterion (the noise never vanishes)
        v = problem.vector_field(y, args)
        return jnp.sqrt(jnp.mean(v * v)) < steady_tol

    event = diffrax.Event(steady) if cfg.steady_stop else None

    def one(y0_i, free_i, key):
        bm = diffrax.VirtualBrownianTree(jnp.zeros((), t1.dtype), t1, tol=dt / 2, shape=jax.ShapeDtypeStruct((problem.n,), y0.dtype), key=key,
                                         levy_area=diffrax.SpaceTimeLevyArea if levy else diffrax.BrownianIncrement)
        drift = diffrax.ODETerm(lambda t, y, args: problem.vector_field(y, args))
        if cfg.multiplicative:
            diff_fn = lambda t, y, args: lx.DiagonalLinearOperator((amp + mult * jnp.abs(y)) * args)
        else:
            diff_fn = lambda t, y, args: lx.DiagonalLinearOperator(amp * args)
        terms = diffrax.MultiTerm(drift, diffrax.ControlTerm(diff_fn, bm))
        sol = diffrax.diffeqsolve(terms, solver, jnp.zeros((), t1.dtype), t1, dt, y0_i, args=free_i, saveat=saveat,
                                  event=event, max_steps=cfg.max_steps, throw=False)
        saved, (tf, yf) = sol.ys[0], (sol.ts[1][-1], sol.ys[1][-1])
        finite = is_finite(yf)
        # Under noise there is no steady state: a finite trajectory that reached t1 (or the
        # drift criterion) counts as converged; hitting max_steps does not.
        ok = (sol.result == diffrax.RESULTS.successful) & finite
        ctime = jnp.where(ok, tf, jnp.nan)
        saved = jax.tree_util.tree_map(lambda a: jnp.where(jnp.isinf(a), jnp.nan, a), saved)
        return saved, problem.visible(yf), status_codes(finite, ok), ctime, sol.stats["num_steps"]

    return ts, jax.vmap(one)(y0, free, keys)


_solve_batch_jit = eqx.filter_jit(_solve_batch)


def solve_sde(network, patterns, cues, *, temperature: float = 0.0, multiplicative: float = 0.0,
              t1: float = 50.0, dt: float = 0.05, steady_tol: float = 1e-4, seed: int = 0,
              dtype: str = "float32", batch_size: int = 1024, save_times=None,
              config: SDEConfig = SDEConfig()) -> Trajectories:
    """Integrate the noisy dynamics of every cue with fixed steps ``dt`` (units of τ).

    Args:
        temperature: T ≥ 0; additive noise √(2T/τ) per √τ.
        multiplicative: m ≥ 0; extra noise m·|x| (needs ``config.multiplicative``).
        t1: time horizon (τ); dt: fixed step (τ).
        seed: Brownian paths are drawn from this seed, one independent path per trial.
    """
    require_continuous(network, "SDE recall")
    for name, v in {"temperature": temperature, "multiplicative": multiplicative}.items():
        if not (np.isfinite(v) and v >= 0):
            raise ValueRangeError(f"{name}={v}", f"{name} ≥ 0", f"Pass a non-negative {name}.")
    for name, v in {"t1": t1, "dt": dt, "steady_tol": steady_tol}.items():
        if not (np.isfinite(v) and v > 0):
            raise ValueRangeError(f"{name}={v}", f"{name} > 0", f"Pass a positive {name}.")
    if multiplicative > 0 and not config.multiplicative:
        config = dataclasses.replace(config, multiplicative=True)
    if t1 / dt > config.max_steps:
        raise ValueRangeError(f"t1/dt = {t1 / dt:.0f} steps", f"at most max_steps={config.max_steps}",
                              "Raise max_steps, shorten t1 or enlarge dt.")
    dtp = resolve_dtype(dtype)
    ts = save_grid(t1, config.n_save, save_times, dtp)
    config = dataclasses.replace(config, n_save=int(ts.shape[0]))
    prob = make_problem(network, patterns, dtp)
    T = cues.n_trials
    all_keys = jax.random.split(jax.random.key(seed), T)
    counter = {"start": 0}
    B = max(1, min(batch_size, T))

    def solve(y0, free):
        s = counter["start"]
        counter["start"] += B
        idx = np.minimum(np.arange(s, s + B), T - 1)
        return _solve_batch_jit(prob, y0, free, all_keys[idx], ts, jnp.asarray(dt, dtp),
                                jnp.asarray(temperature, dtp), jnp.asarray(multiplicative, dtp),
                                jnp.asarray(steady_tol, dtp), config)

    return _run_batches(prob, cues, batch_size, dtp, solve)
