"""Noisy recall: dx = −(1/τ) ∂E/∂x̂ dt + (√(2T/τ) + m·|x|) dW, solved with Diffrax.

T is the temperature (additive noise), m the optional multiplicative noise. Noise
acts on every unclamped neuron of every layer. Steps are fixed (``dt``); each trial
draws its own Brownian increments from its run's ``seed``
(``jax.random.split(key(seed), T)[trial]``, folded with each step's number:
:class:`StepBrownianPath`): the same seed gives identical paths, whichever runs share
the batched call. Paths at different ``dt`` are independent draws, not refinements of
one path. :class:`SDEConfig` is the static method of the batched driver
(:mod:`neuroam.dynamics.continuous`); temperature, m, t1, dt, steady_tol and
steady_window are traced numbers of each :class:`SDERun`.

**When a noisy trial has converged.** Under noise the drift never vanishes: in a
basin of unit curvature (the leak of a neuron layer, −x/τ) the state fluctuates with
variance a²τ/2 per entry (a = √(2T/τ) + m·|x| the noise amplitude), so the RMS drift
keeps a *thermal level* ℓ = RMS(a/√(2τ)), √T/τ for additive noise — 0.1/τ at T = 0.01,
whatever ``steady_tol`` says. A trial is *settled* at a time when
RMS(dx/dt) < ``steady_tol`` + 2ℓ (the deterministic pull is within twice what the noise
alone keeps up at a minimum), and *converged* when it is settled at every save time of
the last ``steady_window`` τ before t1; its ``converge_time`` is the first save time of
the settled stretch that lasts to t1 (resolved to the save grid). Trials still in
transit, hopping between basins or pushed by a drift above the thermal level at t1 are
MAX_STEPS ("not converged"). At T = 0 the criterion is the ODE's (RMS drift below
``steady_tol``, held at the end). ``steady_stop`` ends a trial at the first step where
it is settled (no window: the trial converges there).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import ClassVar

import diffrax
import equinox as eqx
import jax
import jax.numpy as jnp
import lineax as lx
import numpy as np

from ..errors import UnsupportedError, ValueRangeError
from .common import Trajectories, require_continuous, resolve_dtype, save_grid
from .continuous import continuous_spec, solve_continuous
from .hashed_normals import normals

__all__ = ["SDEConfig", "SDERun", "StepBrownianPath", "solve_sde", "solve_sde_batch", "SDE_SOLVERS"]

#: name -> (solver class, needs space-time Lévy area, additive noise only)
SDE_SOLVERS = {
    "shark": (diffrax.ShARK, True, True),
    "sra1": (diffrax.SRA1, True, True),
    "euler": (diffrax.Euler, False, False),
    "euler-maruyama": (diffrax.Euler, False, False),
    "heun": (diffrax.Heun, False, False),
}


class StepBrownianPath(diffrax.AbstractBrownianPath):
    """Brownian increments for fixed steps, one independent draw per step.

    The increment over [t0, t1] comes from the trial's key folded with the step number
    round(t0 / dt) (threefry), so a trial's path does not depend on its batch; the
    folded key seeds the step's draws from the counter-based hash stream of
    :func:`~neuroam.dynamics.hashed_normals.normals` (16-bit quantile normals, a sixth of
    threefry's integer work: threefry for every word cost half of a fixed-step solve) —
    the weak order of Euler–Maruyama, Heun, ShARK and SRA1 is kept. On 6.7·10⁷ draws
    (64 trials × 256 steps × 4096) mean, variance, skew, kurtosis and the correlations
    of neighbouring entries, the two halves of a word, neighbouring steps and
    neighbouring trials (also of the squares) were all within 1.3 standard errors of
    independent N(0, 1) draws. Paths at another ``dt`` are other draws, not refinements.
    Not for adaptive steps. XLA's RngBitGenerator ("rbg") was rejected: under vmap its
    draws depend on the batch (``tests/test_batched_ideal.py`` caught it), and a trial
    must draw the same path alone and in a batch.
    """

    shape: jax.ShapeDtypeStruct = eqx.field(static=True)
    levy_area: type = eqx.field(static=True)
    key: jax.Array
    dt: jax.Array

    @property
    def t0(self):
        return -jnp.inf

    @property
    def t1(self):
        return jnp.inf

    def evaluate(self, t0, t1=None, left=True, use_levy=False):
        del left
        if t1 is None:
            raise UnsupportedError("a Brownian path value at a point", "increments over steps",
                                   "Use fixed steps with an SDE solver (ideal-sde does).")
        dtype = self.shape.dtype
        h = jnp.asarray(t1 - t0, dtype)
        step = jnp.round(t0 / self.dt).astype(jnp.int32)
        n = int(np.prod(self.shape.shape))
        two = self.levy_area is diffrax.SpaceTimeLevyArea
        z = normals(jax.random.fold_in(self.key, step), (n * (2 if two else 1),), dtype)
        w = (z[:n] * jnp.sqrt(h)).reshape(self.shape.shape)
        if two:
            hh = (z[n:2 * n] * jnp.sqrt(h / 12.0)).reshape(self.shape.shape)
            out = diffrax.SpaceTimeLevyArea(dt=h, W=w, H=hh)
        else:
            out = diffrax.BrownianIncrement(dt=h, W=w)
        return out if use_levy else w


@dataclasses.dataclass(frozen=True)
class SDEConfig:
    """Static choices (changing them recompiles)."""

    solver: str = "shark"
    n_save: int = 50
    save_states: bool = True
    max_steps: int = 100_000
    steady_stop: bool = False
    multiplicative: bool = False

    #: converged: settled (drift within steady_tol + twice its thermal level) at every
    #: save time of the last steady_window τ (see the module docstring)
    trace_key: ClassVar[str] = "sde"
    #: runs are batched together (recall_batch): a lone run takes the same vmapped kernels
    batches_runs: ClassVar[bool] = True
    #: the settled threshold allows the drift this many times its thermal level
    thermal_margin: ClassVar[float] = 2.0

    def __post_init__(self):
        if self.solver not in SDE_SOLVERS:
            raise ValueRangeError(f"solver={self.solver!r}", f"one of {sorted(SDE_SOLVERS)}",
                                  "ShARK or SRA1 for additive noise; Euler or Heun with multiplicative noise.")
        if self.multiplicative and SDE_SOLVERS[self.solver][2]:
            raise UnsupportedError(
                f"multiplicative noise with the {self.solver} solver",
                "an additive-noise solver only with additive noise",
                "Use solver='euler' (Euler–Maruyama) or 'heun' for multiplicative noise.")

    # -- the method the batched driver calls (inside the compiled body) -------------
    def make_solver(self, problem, dtype):
        return SDE_SOLVERS[self.solver][0]()

    def controller(self, nums):
        return diffrax.ConstantStepSize()

    def dt0(self, nums):
        return nums["dt"]

    def terms(self, problem, nums, trial, t0, t1):
        dtype = t1.dtype
        levy = diffrax.SpaceTimeLevyArea if SDE_SOLVERS[self.solver][1] else diffrax.BrownianIncrement
        # fixed steps: every step draws its own increment (and space-time Lévy area); a
        # VirtualBrownianTree (needed only by adaptive steps) cost 16x a hand-written
        # loop in its tree queries
        bm = StepBrownianPath(jax.ShapeDtypeStruct((problem.n,), dtype), levy,
                              jax.random.wrap_key_data(trial["key"]),
                              nums["dt"])
        diffusion = lambda t, y, args: lx.DiagonalLinearOperator(self.amplitude(problem, nums, y, args))
        drift = diffrax.ODETerm(lambda t, y, args: problem.vector_field(y, args))
        return diffrax.MultiTerm(drift, diffrax.ControlTerm(diffusion, bm))

    def amplitude(self, problem, nums, y, free):
        """``(n,)`` noise amplitude a = √(2T/τ) (+ m·|y|) per √τ, zero on clamped entries."""
        amp = jnp.sqrt(2.0 * nums["temperature"] / problem.tau(y.dtype)).astype(y.dtype)
        if self.multiplicative:
            amp = amp + nums["multiplicative"] * jnp.abs(y)
        return amp * free

    def steady_threshold(self, problem, nums, y, free):
        """``steady_tol`` + 2 × the thermal level RMS(a/√(2τ)) of the drift at ``y`` (1/τ)."""
        level = self.amplitude(problem, nums, y, free) / jnp.sqrt(2.0 * problem.tau(y.dtype))
        return nums["steady_tol"] + self.thermal_margin * jnp.sqrt(jnp.mean(level * level))


@dataclasses.dataclass(frozen=True, eq=False)
class SDERun:
    """One SDE recall run: a bound network, its patterns and cues, its numbers and seed.

    Attributes:
        network, patterns, cues: as in :class:`~neuroam.dynamics.ode.ODERun`.
        temperature: T ≥ 0; additive noise √(2T/τ) per √τ.
        multiplicative: m ≥ 0; extra noise m·|x| (switches ``config.multiplicative`` on).
        t1: time horizon (τ); dt: fixed step (τ); steady_tol: the drift (1/τ) allowed
            above its thermal level for a trial to count as settled; steady_window: the
            last stretch (τ) before t1 in which a converged trial stays settled.
        seed: Brownian paths are drawn from this seed, one independent path per trial.
        save_times, dtype, batch_size: as in :class:`~neuroam.dynamics.ode.ODERun`.
        config: the static :class:`SDEConfig`.
    """

    network: object
    patterns: object
    cues: object
    temperature: float = 0.0
    multiplicative: float = 0.0
    t1: float = 50.0
    dt: float = 0.05
    steady_tol: float = 1e-3
    steady_window: float = 2.0
    seed: int = 0
    save_times: Sequence[float] | None = None
    dtype: str = "float32"
    batch_size: int = 1024
    config: SDEConfig = SDEConfig()

    def spec(self):
        require_continuous(self.network, "SDE recall")
        for name in ("temperature", "multiplicative"):
            v = getattr(self, name)
            if not (np.isfinite(v) and v >= 0):
                raise ValueRangeError(f"{name}={v}", f"{name} ≥ 0", f"Pass a non-negative {name}.")
        for name in ("t1", "dt", "steady_tol", "steady_window"):
            v = getattr(self, name)
            if not (np.isfinite(v) and v > 0):
                raise ValueRangeError(f"{name}={v}", f"{name} > 0", f"Pass a positive {name}.")
        config = self.config
        if self.multiplicative > 0 and not config.multiplicative:
            config = dataclasses.replace(config, multiplicative=True)
        if self.t1 / self.dt > config.max_steps:
            raise ValueRangeError(f"t1/dt = {self.t1 / self.dt:.0f} steps",
                                  f"at most max_steps={config.max_steps}",
                                  "Raise max_steps, shorten t1 or enlarge dt.")
        dtp = resolve_dtype(self.dtype)
        ts = save_grid(self.t1, config.n_save, self.save_times, dtp)
        config = dataclasses.replace(config, n_save=int(ts.shape[0]))
        numbers = {"temperature": self.temperature, "dt": self.dt, "steady_tol": self.steady_tol,
                   "steady_window": self.steady_window}
        if config.multiplicative:
            numbers["multiplicative"] = self.multiplicative
        return continuous_spec(self.network, self.patterns, self.cues, ts=ts, numbers=numbers,
                               method=config, dtype=dtp, batch_size=self.batch_size, seed=self.seed)


def solve_sde_batch(runs: Sequence[SDERun]) -> list[Trajectories]:
    """Integrate the noisy dynamics of every run's cues with fixed steps; one
    :class:`~neuroam.dynamics.common.Trajectories` per run, in order. Runs of one
    compiled shape share one batched call; each keeps its own Brownian paths."""
    return solve_continuous([run.spec() for run in runs])


def solve_sde(network, patterns, cues, *, temperature: float = 0.0, multiplicative: float = 0.0,
              t1: float = 50.0, dt: float = 0.05, steady_tol: float = 1e-3, steady_window: float = 2.0,
              seed: int = 0,
              dtype: str = "float32", batch_size: int = 1024, save_times=None,
              config: SDEConfig = SDEConfig()) -> Trajectories:
    """Integrate the noisy dynamics of every cue with fixed steps ``dt`` (units of τ);
    the arguments are those of :class:`SDERun`."""
    return solve_sde_batch([SDERun(network, patterns, cues, temperature=temperature,
                                   multiplicative=multiplicative, t1=t1, dt=dt, steady_tol=steady_tol,
                                   steady_window=steady_window, seed=seed, save_times=save_times, dtype=dtype, batch_size=batch_size,
                                   config=config)])[0]
