"""Stack the programmed chips of several runs into one recall call, and split it back.

A batch is runs that share one compiled shape: the same model, patterns ``(K, D)`` and
cues ``(T, D)`` of the same shapes, the same loop settings (form, dynamics, steps, dtype)
and the same cards. Each run brings ``n`` chips (draws); the batch puts the draws of all
runs side by side on the draw axis of :func:`~neuroam.crossbar.dynamics.run_recall`,
run-major: draw ``j·n + d`` is chip ``d`` of run ``j``. Everything a run owns — device
arrays, w_max (weight units per ampere), bias, energy synapse, Lagrangians, overlap
matrix, cues and read-noise keys (split from the run's own seed, as in a lone run) — is
stacked per draw; only the periphery (converters, ADC full scales, line counts: the
cards and the layout) is shared, and it is checked to be identical. The number of runs
is padded to a power of two (copies of the last run, marked inactive: they take no step,
and their outputs are dropped) so that batches of 3, 4, 5 ... runs compile once per
power of two. Arrays are stacked in NumPy and transferred once.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

import jax
import jax.numpy as jnp
import numpy as np

from ..arrays import device_array
from ..dynamics.common import overlap_matrix
from ..dynamics.runs import padded_runs
from ..errors import UnsupportedError
from ..models.synapses import WeightSynapse
from .dynamics import LoopConfig, Stored
from .read import DrawArrays, Periphery, make_reader

if TYPE_CHECKING:
    from .chip import Chip

__all__ = ["RecallBatch", "stack_runs", "split_run", "runs_per_step"]


def runs_per_step() -> int | None:
    """How a batch is split on this backend: None on accelerators (every draw of every
    run in one vmap, for training and recall); 1 on CPUs, where lanes do not run in
    parallel and a vmapped loop runs until its slowest lane stops: the fault-aware
    training takes one run's maps per step, and recall runs lockstep groups of
    :func:`lane_group` draws."""
    return 1 if jax.default_backend() == "cpu" else None


#: trials (lanes) recalled in lockstep on a CPU: a loop over a group of lanes runs until
#: the slowest of them stops, so one oscillating trial keeps its whole group busy, while a
#: bigger group spreads the loop's fixed cost per step over more lanes. Measured on one
#: run of 100 chips × 20 cues (rram-hfo2, sync, ≤ 100 sweeps), seconds per run for groups
#: of 64 / 256 / 512 / all 2000 lanes: Hebbian without faults (5 sweeps on average, a few
#: trials at the limit) 0.40 / 0.47 / 0.83 / 0.61; Hebbian at 30 % stuck devices (92
#: sweeps on average) 1.14 / 0.78 / 0.78 / 0.62; the bipartite exponential DenseAM there
#: 1.40 / 0.90 / 0.95 / 0.82.
LANES = 256


def lane_group(n_draws: int, n_trials: int, lanes: int = LANES) -> int:
    """Draws per lockstep group: the largest divisor of ``n_draws`` whose draws hold at
    most ``lanes`` trials (at least 1)."""
    fits = [d for d in range(1, n_draws + 1) if n_draws % d == 0 and d * n_trials <= lanes]
    return max(fits, default=1)


@dataclasses.dataclass(frozen=True)
class RecallBatch:
    """The arguments of one :func:`~neuroam.crossbar.dynamics.run_recall` call.

    Attributes:
        cfg: static loop configuration.
        draws: per-draw arrays, leading axis ``N = n_padded · n`` (draws of every run).
        per: the shared periphery.
        stored: per-draw bias, synapses, Lagrangians, τ, dt, tolerance (leading axis N).
        ov: ``(N, K, D)`` overlap matrices; x0, free: ``(N, T, D)``; keys: ``(N, T)``.
        active: ``(N,)`` bool, False on the padding runs' draws.
        n_runs: real runs; n_draws: chips per run.
    """

    cfg: LoopConfig
    draws: DrawArrays
    per: Periphery
    stored: Stored
    ov: jax.Array
    x0: jax.Array
    free: jax.Array
    keys: jax.Array
    active: jax.Array
    n_runs: int
    n_draws: int

    def args(self) -> tuple:
        return (self.cfg, self.draws, self.per, self.stored, self.ov, self.x0, self.free,
                self.keys, self.active)


def _host(tree, n: int):
    """Leaves as NumPy arrays with a leading draw axis of ``n`` (a copy per draw)."""
    return jax.tree_util.tree_map(lambda a: np.broadcast_to(np.asarray(a), (n, *np.shape(a))),
                                  tree)


def _concat(trees: list, what: str):
    """Concatenate pytrees of per-draw NumPy leaves along axis 0; their structures agree."""
    defs = {jax.tree_util.tree_structure(t) for t in trees}
    if len(defs) > 1:
        raise UnsupportedError(f"runs in one crossbar batch whose {what} differ in structure",
                               "runs of one model, whose stored forms agree",
                               "Batch only runs of the same model and settings.")
    return jax.tree_util.tree_map(lambda *a: np.concatenate(a), *trees)


def _same_periphery(pers: list[Periphery]) -> Periphery:
    """The periphery of the first run, after checking every run's is identical."""
    first_leaves, first_def = jax.tree_util.tree_flatten(pers[0])
    for p in pers[1:]:
        leaves, tdef = jax.tree_util.tree_flatten(p)
        if tdef != first_def or not all(np.array_equal(a, b)
                                        for a, b in zip(leaves, first_leaves)):
            raise UnsupportedError("runs in one crossbar batch with different converters or "
                                   "tile layouts", "one circuit card, device card and layout "
                                   "per batch", "Batch only runs with the same device, circuit "
                                   "and pattern shapes.")
    return pers[0]


def _pad(tree, n_real: int, n_pad: int, n: int):
    """Repeat the last run's ``n`` draws until ``n_pad`` runs fill the draw axis."""
    if n_pad == n_real:
        return tree
    return jax.tree_util.tree_map(
        lambda a: np.concatenate([a] + [a[-n:]] * (n_pad - n_real)), tree)


def _to_device(tree, dt):
    """JAX arrays: floating leaves in ``dt``, the others as they are; cast on the host
    and transferred in one call (a conversion per leaf cost ~0.3 ms each)."""
    dt = np.dtype(dt)
    return jax.device_put(jax.tree_util.tree_map(
        lambda a: np.asarray(a, dt if np.issubdtype(a.dtype, np.floating) else a.dtype), tree))


def _run_arrays(chip: Chip, patterns, cues, s, own, dt) -> dict:
    """One run's per-draw leaves as NumPy arrays with a leading draw axis ``n`` (``s``:
    the settings of the shared loop, ``own``: the run's)."""
    plan, n = chip.plan, s.n_draws
    draws, per = make_reader(chip.array, host=True)
    if chip.weights is not None:  # fault-aware: the energy of the trained weights
        syn = WeightSynapse(np.asarray(chip.weights), np.asarray(chip.bias))
    else:
        syn = _host(plan.energy_syn, n)
    states = np.asarray(cues.states, np.float64)
    x0 = states if s.dynamics == "ode" else np.where(states >= 0, 1.0, -1.0)
    clamp = np.zeros_like(states, bool) if cues.clamp is None else np.asarray(cues.clamp)
    ov = np.asarray(overlap_matrix(patterns, dt))
    return dict(draws=draws, per=per, bias=np.asarray(chip.bias, np.float64), energy_syn=syn,
                hidden=_host(plan.hidden, n), visible=_host(plan.visible, n),
                tau=np.full(n, plan.tau), dt=np.full(n, s.dt), steady_tol=np.full(n, s.steady_tol),
                noise_margin=np.full(n, own.noise_margin),
                ov=_host(ov, n), x0=_host(x0, n), free=_host(1.0 - clamp, n))


def stack_runs(chips: list[Chip], jobs, s, dt, *,
               runs_per_step: int | None = None) -> RecallBatch:
    """Stack the chips of ``jobs`` (:class:`~neuroam.implementations.base.RecallJob`, one
    chip each; ``s`` the settings of the shared loop, ``dt`` its float dtype) into one
    :class:`RecallBatch`, padded to a power of two of runs. ``runs_per_step``: None
    recalls every draw in one vmap; otherwise (CPUs) in lockstep groups of
    :func:`lane_group` draws (see :func:`runs_per_step`)."""
    n, J, T = s.n_draws, len(jobs), jobs[0].cues.n_trials
    runs = [_run_arrays(c, j.patterns, j.cues, s, j.settings, dt) for c, j in zip(chips, jobs)]
    per = _same_periphery([r.pop("per") for r in runs])
    host = {k: _concat([r[k] for r in runs], k) for k in runs[0]}
    P = padded_runs(J)
    dev = _to_device(_pad(host, J, P, n), dt)
    keys = jnp.concatenate([jax.random.split(jax.random.key(int(j.seed)), n * T).reshape(n, T)
                            for j in jobs])
    keys = jnp.concatenate([keys] + [keys[-n:]] * (P - J))
    stored = Stored(**{k: dev.pop(k) for k in ("bias", "energy_syn", "hidden", "visible", "tau",
                                               "dt", "steady_tol", "noise_margin")})
    # accelerators: every draw of every run in one vmap; CPUs: lockstep groups of lanes
    step = 0 if runs_per_step is None else lane_group(n, T)
    step = 0 if step == P * n else step
    plan = chips[0].plan
    cfg = LoopConfig(form=plan.form, dynamics=s.dynamics, max_steps=s.max_steps,
                     save_states=s.save_states, draws_per_step=step)
    active = device_array(np.arange(P * n) < J * n)
    return RecallBatch(cfg, dev["draws"], _to_device(per, dt), stored, dev["ov"], dev["x0"],
                       dev["free"], keys, active, J, n)


def split_run(out, j: int, n: int):
    """Run ``j``'s outputs of :func:`run_recall` (NumPy, leading axes draw, trial) with one
    trial axis ``n·T`` (draw-major: trial = draw · T + cue)."""
    def take(a):
        a = a[j * n:(j + 1) * n]
        return a.reshape(a.shape[0] * a.shape[1], *a.shape[2:])
    return jax.tree_util.tree_map(take, out)
