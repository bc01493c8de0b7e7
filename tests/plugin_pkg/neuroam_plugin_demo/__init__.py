"""A demo neuroam plug-in: an implementation, a model, a learning rule, a pattern generator
and a cue kind, declared as entry points in this package's pyproject.toml. A new implementation is this much: a Settings model, a
class with ``name``, ``description`` and ``recall``, and one entry-point line."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
from pydantic import Field

from neuroam.implementations import Implementation, SettingsBase
from neuroam.models import PolynomialDenseAM
from neuroam.results import RecallResult, Status

__all__ = ["DemoSync", "DemoQuadratic", "clipped_hebbian", "walsh", "half_cue"]


class DemoQuadratic(PolynomialDenseAM):
    """The quadratic DenseAM E = −Σ_μ (ξ^μ·g)²/2 (``polynomial`` with n = 2) under its own name."""

    name = "demo-quadratic"

    def __init__(self, gain: float = 4.0, tau: float = 1.0):
        super().__init__(n=2, gain=gain, tau=tau)

    def params(self):
        return {"gain": self.gain, "tau": self.tau}


class DemoSyncSettings(SettingsBase):
    """Settings of ``demo-sync``."""

    max_sweeps: int = Field(20, ge=1, description="synchronous updates at most")


class DemoSync(Implementation):
    """Synchronous sign updates σ ← sign(I(σ)) of a one-layer model's visible currents."""

    name = "demo-sync"
    description = "Synchronous sign updates (a demo plug-in)"
    time_unit = "sweep"
    #: the model's own (ideal) dynamics: reports compare hardware labels with it
    role = "reference"
    Settings = DemoSyncSettings

    def recall(self, model, patterns, cues, settings, *, seed=0) -> RecallResult:
        net = model.one_layer().bind(patterns)
        v = net.visible
        xi = jnp.asarray(patterns.xi, jnp.float32)

        @jax.jit
        @jax.vmap
        def step(s):
            return jnp.where(net.currents({v: s})[v] >= 0, 1.0, -1.0).astype(s.dtype)

        energy = jax.jit(jax.vmap(lambda s: net.synapse_energy({v: s})))
        s = jnp.asarray(cues.states, jnp.float32)
        T, D = s.shape
        states, done_at = [s], np.full(T, np.nan)
        for k in range(1, settings.max_sweeps + 1):
            s = step(s)
            fixed = np.asarray(jnp.all(s == states[-1], axis=1))
            done_at[np.isnan(done_at) & fixed] = k - 1
            states.append(s)
            if not np.isnan(done_at).any():
                break
        traj = jnp.stack(states, axis=1)  # (T, S, D)
        return RecallResult(
            implementation=self.name, times=np.arange(traj.shape[1], dtype=float),
            states=np.asarray(traj), energies=np.asarray(jax.vmap(energy)(traj)),
            overlaps=np.asarray(traj @ xi.T / D), final=np.asarray(s),
            status=np.where(np.isnan(done_at), Status.MAX_STEPS, Status.CONVERGED).astype(np.int8),
            converge_time=done_at, cues=np.asarray(cues.states), targets=np.asarray(cues.targets),
            time_unit=self.time_unit, attrs={"seed": seed, "max_sweeps": settings.max_sweeps})


def clipped_hebbian(patterns, *, zero_diagonal: bool = True) -> np.ndarray:
    """Learning rule ``demo-clipped``: the sign of the Hebbian weights, scaled by 1/D
    (Sompolinsky's clipped synapses): W = sign(ξᵀξ)/D, zero diagonal."""
    xi = np.asarray(getattr(patterns, "xi", patterns), dtype=np.float64)
    W = np.sign(xi.T @ xi) / xi.shape[1]
    if zero_diagonal:
        np.fill_diagonal(W, 0.0)
    return W.astype(np.float32)


def walsh(*, K: int = 4, D: int = 64, seed: int = 0):
    """Pattern generator ``demo_walsh``: K mutually orthogonal ±1 patterns, rows 1..K of
    the D×D Hadamard matrix (D a power of two) times one seeded random sign per neuron
    (which keeps them orthogonal)."""
    from scipy.linalg import hadamard

    from neuroam.patterns import PatternSet

    rng = np.random.default_rng(seed)
    return PatternSet(hadamard(D)[1:K + 1] * rng.choice([-1.0, 1.0], size=D))


def half_cue(patterns, *, seed: int = 0):
    """Cue kind ``demo-half``: each stored pattern with its second half replaced by
    seeded random ±1 bits."""
    from neuroam.cues import CueSet

    rng = np.random.default_rng(seed)
    xi = np.asarray(patterns.xi)
    states = xi.copy()
    D = xi.shape[1]
    states[:, D // 2:] = rng.choice([-1.0, 1.0], size=(xi.shape[0], D - D // 2))
    return CueSet(states, np.arange(xi.shape[0]), None, kind="demo-half")
