"""The neuron–astrocyte network: state layout, dynamics, energy and initial state.

Formulation pinned here: the authors' tutorial form (Kozachkov, Slotine & Krotov, PNAS
2025; notebook "Basic Neuron-Astrocyte Associative Memory Network Tutorial" in
github.com/briansebzhou/naam), with explicit time constants:

    h = tanh(βx),  g = tanh(βS),  ψ = tanh(βP)
    τ_x dx/dt = −x + g h                        neurons       (N,)
    τ_S dS/dt = −S + h hᵀ + ψ                   synapses      (N, N)
    τ_P dP/dt = −P + c T[ψ] + g                 processes     (N, N)
    c = N^(−a) (a = 3),  T[ψ]_ij = Σ_μ ξ_i^μ ξ_j^μ (ξ^μᵀ ψ ξ^μ)

Why this one: it is the published form that runs and recalls at the published
parameters, it keeps the processes P explicit (their norms are a read-out), and its
coupling needs no N²×N² inverse. The repository's other form, the two-variable energy of
its ``utils.py`` (E = Σ[xφ − L(x)] + ½ Σ A_ijkl g_ij g_kl − ½ φᵀ(W∘g)φ), eliminates P
through an N²×N² inverse A and builds the N⁴ tensor, so it is usable at tiny N only; its
trainable ``ContinuousRNN`` (``models.py``: element-wise process couplings, and the
update ``s = p + dt*ds`` where ``s + dt*ds`` is meant) is a different, learned model.

Energy (derived here; a Lyapunov function of exactly these equations for any positive
τ's, because S and P stay symmetric):

    E = 2 Σ_i [x_i h_i − L(x_i)] + Σ_ij [S_ij g_ij − L(S_ij)] + Σ_ij [P_ij ψ_ij − L(P_ij)]
        − hᵀ g h − Σ_ij g_ij ψ_ij − (c/2) Σ_μ (ξ^μᵀ ψ ξ^μ)²,     L(z) = β⁻¹ log cosh(βz).

∂E/∂h = 2(x − g h), ∂E/∂g = S − hhᵀ − ψ, ∂E/∂ψ = P − g − cT[ψ], hence
dE/dt = −2τ_x Σ h'ẋ² − τ_S Σ g'Ṡ² − τ_P Σ ψ'Ṗ² ≤ 0 (h', g', ψ' = β sech² > 0). The
neuron Legendre term carries the factor 2 because the synapse energy −hᵀgh is written
over ordered pairs (the tutorial's S equation has hhᵀ, not ½hhᵀ).

The last term is the process–process energy. On rank-one process states ψ = φφᵀ it is
−(c/2) Σ_μ (ξ^μ·φ)⁴, twice the quartic DenseAM energy −(1/4N³) Σ_μ (ξ^μ·φ)⁴ of
``make_model("polynomial", n=4)`` (see :mod:`.reduction`).
"""

from __future__ import annotations

from typing import Literal

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from ..errors import UnsupportedError, ValueRangeError
from .params import AstrocyteParams
from .tensor import apply_tensor, pattern_forms

__all__ = ["AstrocyteNetwork", "INIT_MODES", "log_cosh", "relative_rate"]

#: initial states: the tutorial's cue-consistent one, and two alternatives that correct
#: no bits (kept to show that the start carries the DenseAM current)
INIT_MODES = ("cue-consistent", "zero", "flipped")
InitMode = Literal["cue-consistent", "zero", "flipped"]

#: atanh arguments are clipped to ±(1 − _CLIP) when the initial state is not representable
_CLIP = 1e-6


def log_cosh(z):
    """log cosh z, stable for large |z|."""
    a = jnp.abs(z)
    return a + jnp.log1p(jnp.exp(-2.0 * a)) - jnp.log(2.0)


def relative_rate(state, rates):
    """max over all variables of |dy/dt| / (1 + |y|) (1/τ) for a state ``(x, S, P)`` and
    its time derivative ``rates`` (same tuple): the steady-state criterion."""
    return jnp.max(jnp.stack([jnp.max(jnp.abs(r) / (1.0 + jnp.abs(v)))
                              for r, v in zip(rates, state)]))


def _legendre(z, beta):
    """Σ [z tanh(βz) − β⁻¹ log cosh(βz)]: the Legendre transform of L at the activation."""
    return jnp.sum(z * jnp.tanh(beta * z) - log_cosh(beta * z) / beta)


class AstrocyteNetwork(eqx.Module):
    """N neurons, N² synapses and N² astrocytic processes storing K patterns in T.

    One trial's state is the tuple ``(x (N,), S (N, N), P (N, N))``.
    Numbers (β, τ, c) are arrays, so changing them does not recompile a solve.

    Attributes:
        xi: ``(K, N)`` ±1 stored patterns.
        beta: gain β (dimensionless).
        tau: ``(3,)`` time constants τ_x, τ_S, τ_P (units of τ).
        scale: c, prefactor of the process–process coupling (N^(−a)).
    """

    xi: jax.Array
    beta: jax.Array
    tau: jax.Array
    scale: jax.Array
    N: int = eqx.field(static=True)
    K: int = eqx.field(static=True)

    def __init__(self, xi, params: AstrocyteParams = AstrocyteParams(), dtype=jnp.float32):
        xi = np.asarray(xi)
        if xi.ndim != 2 or not np.all(np.abs(xi) == 1):
            raise UnsupportedError(
                f"patterns of shape {xi.shape} with entries other than ±1" if xi.ndim == 2
                else f"patterns of shape {xi.shape}",
                "a (K, N) array of ±1 patterns",
                "The neuron–astrocyte network stores binary patterns; use random_binary or "
                "map {0,1} data with 2x − 1.")
        self.K, self.N = int(xi.shape[0]), int(xi.shape[1])
        self.xi = jnp.asarray(xi, dtype)
        self.beta = jnp.asarray(params.beta, dtype)
        self.tau = jnp.asarray(params.taus, dtype)
        self.scale = jnp.asarray(params.tensor_scale(self.N), dtype)

    # -- layout ----------------------------------------------------------------------
    @property
    def size(self) -> int:
        """Number of state variables per trial, N + 2N²."""
        return self.N + 2 * self.N * self.N

    def activations(self, state):
        """``(h, g, ψ)``: tanh of x, S and P with gain β."""
        return tuple(jnp.tanh(self.beta * v) for v in state)

    def visible(self, state):
        """``(N,)`` neuron activations h = tanh(βx), the read-out."""
        return jnp.tanh(self.beta * state[0])

    # -- dynamics --------------------------------------------------------------------
    def process_drive(self, psi):
        """``(N, N)`` c T[ψ], computed through the patterns in O(N²K)."""
        return self.scale * apply_tensor(self.xi, psi)

    def vector_field(self, state, free):
        """d(x, S, P)/dt for one trial ``state = (x (N,), S (N, N), P (N, N))``;
        ``free`` ``(N,)`` is 0 for clamped neurons, else 1."""
        x, S, P = state
        h, g, psi = self.activations(state)
        dx = (g @ h - x) / self.tau[0] * free
        dS = (jnp.outer(h, h) + psi - S) / self.tau[1]
        dP = (self.process_drive(psi) + g - P) / self.tau[2]
        return dx, dS, dP

    def relative_rate(self, state, free):
        """max over all variables of |dy/dt| / (1 + |y|): the steady-state criterion (1/τ)."""
        return relative_rate(state, self.vector_field(state, free))

    def noise_amplitude(self, temperature, free, mask):
        """√(2T/τ) for x (0 where clamped), S and P, as a state-shaped tuple; ``mask``
        ``(3,)`` switches the noise of neurons, synapses and processes on (1) or off (0)."""
        amp = jnp.sqrt(2.0 * temperature / self.tau) * mask
        N = self.N
        return (amp[0] * free, jnp.full((N, N), amp[1]), jnp.full((N, N), amp[2]))

    # -- energy ----------------------------------------------------------------------
    def energy_terms(self, state) -> dict[str, jax.Array]:
        """The energy of one ``state = (x, S, P)`` split into its components (scalars)."""
        x, S, P = state
        b = self.beta
        h, g, psi = jnp.tanh(b * x), jnp.tanh(b * S), jnp.tanh(b * P)
        q = pattern_forms(self.xi, psi)
        return {
            "neuron": 2.0 * _legendre(x, b),
            "synapse": _legendre(S, b),
            "process": _legendre(P, b),
            "neuron-synapse": -(h @ g @ h),
            "synapse-process": -jnp.sum(g * psi),
            "process-process": -0.5 * self.scale * jnp.sum(q * q),
        }

    def energy(self, state):
        """Total energy E of one state (see the module docstring)."""
        return sum(self.energy_terms(state).values())

    def process_energy(self, psi):
        """The process–process term −(c/2) Σ_μ (ξ^μᵀ ψ ξ^μ)² for an ``(N, N)`` ψ."""
        q = pattern_forms(self.xi, psi)
        return -0.5 * self.scale * jnp.sum(q * q)

    # -- initial state ---------------------------------------------------------------
    def init(self, cue, mode: InitMode = "cue-consistent"):
        """State for a cue ``(N,)`` written into x; returns ``((x, S, P), clipped fraction)``.

        ``cue-consistent`` (the tutorial's): ψ₀ = −h₀h₀ᵀ, P₀ = atanh(ψ₀)/β and
        S₀ = atanh(−c T[ψ₀])/β, so that g₀ = c T[h₀h₀ᵀ] and dP/dt = −P₀ at t = 0:
        the neurons start under the quartic DenseAM current g₀h₀ = c Σ_μ ξ^μ (ξ^μ·h₀)³.
        Where |c T[ψ₀]| or |ψ₀| reach 1 (loads K ≳ N², or β too large for float
        precision) the atanh argument is clipped to ±(1 − 10⁻⁶); the returned fraction
        of clipped entries says where the start stops being cue-consistent.
        ``zero``: S = P = 0. ``flipped``: the tutorial's code with the sign of ψ₀ flipped,
        ψ₀ = +h₀h₀ᵀ and S₀ = atanh(−c T[ψ₀])/β.
        """
        if mode not in INIT_MODES:
            raise ValueRangeError(f"init={mode!r}", f"one of {list(INIT_MODES)}",
                                  "Use 'cue-consistent' (the tutorial's start).")
        x0 = cue
        N = self.N
        if mode == "zero":
            z = jnp.zeros((N, N), cue.dtype)
            return (x0, z, z), jnp.zeros((), cue.dtype)
        h0 = jnp.tanh(self.beta * x0)
        sign = -1.0 if mode == "cue-consistent" else 1.0
        psi0 = sign * jnp.outer(h0, h0)
        g0 = -self.process_drive(psi0)
        lim = 1.0 - _CLIP
        clipped = (jnp.sum(jnp.abs(psi0) > lim) + jnp.sum(jnp.abs(g0) > lim)) / (2.0 * N * N)
        P0 = jnp.arctanh(jnp.clip(psi0, -lim, lim)) / self.beta
        S0 = jnp.arctanh(jnp.clip(g0, -lim, lim)) / self.beta
        return (x0, S0, P0), clipped.astype(cue.dtype)
