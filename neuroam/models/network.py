"""A network: neuron layers + hypersynapses, with its energy and dynamics by autodiff."""

from __future__ import annotations

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from ..arrays import device_array
from ..errors import ModelError
from .lagrangians import Lagrangian
from .synapses import Hypersynapse, OneLayerSynapse

__all__ = ["Layer", "Network"]

State = dict  # layer name -> (n,) internal state


class Layer(eqx.Module):
    """A neuron layer: a Lagrangian, a size and a time constant τ (in model time units)."""

    lagrangian: Lagrangian
    size: int = eqx.field(static=True)
    tau: jax.Array

    def __init__(self, lagrangian: Lagrangian, size: int, tau: float = 1.0):
        if int(size) < 1:
            raise ModelError(f"a layer of size {size}", "size ≥ 1", "Give every layer at least one neuron.")
        if not float(tau) > 0:
            raise ModelError(f"tau={tau}", "tau > 0", "Time constants must be positive.")
        self.lagrangian = lagrangian
        self.size = int(size)
        self.tau = device_array(float(tau), np.float32)


class Network(eqx.Module):
    """Neuron layers joined by hypersynapses; E_total = Σ layer energies + Σ synapse energies.

    Dynamics (tutorial eq. 3.2): τ_ℓ dx_ℓ/dt = −∂E_total/∂x̂_ℓ = I_ℓ − x_ℓ, with the
    input current I_ℓ = −Σ_s ∂E_s/∂x̂_ℓ computed by ``jax.grad``. The energy never
    increases along them when every Lagrangian is convex (eq. 3.5).

    Attributes:
        layers: name -> :class:`Layer`; ``visible`` names the layer that holds the cue.
        synapses: the hypersynapses.
        visible: name of the visible (feature) layer.
    """

    layers: dict[str, Layer]
    synapses: tuple[Hypersynapse, ...]
    visible: str = eqx.field(static=True, default="v")

    def __check_init__(self):
        if self.visible not in self.layers:
            raise ModelError(f"visible layer {self.visible!r}", f"one of {sorted(self.layers)}",
                             "Name the layer that receives the cue.")
        for s in self.synapses:
            for name in s.layers:
                if name not in self.layers:
                    raise ModelError(f"a {s.kind} synapse joining layer {name!r}",
                                     f"a layer among {sorted(self.layers)}",
                                     "Add the layer or fix the synapse's layer names.")

    # -- sizes -----------------------------------------------------------------
    @property
    def D(self) -> int:
        return self.layers[self.visible].size

    @property
    def hidden(self) -> tuple[str, ...]:
        return tuple(n for n in self.layers if n != self.visible)

    @property
    def continuous(self) -> bool:
        return all(l.lagrangian.continuous for l in self.layers.values())

    # -- energy ----------------------------------------------------------------
    def activations(self, xs: State) -> State:
        return {n: l.lagrangian.activation(xs[n]) for n, l in self.layers.items()}

    def synapse_energy(self, gs: State) -> jax.Array:
        return sum(s.energy(*(gs[n] for n in s.layers)) for s in self.synapses)

    def energy_breakdown(self, xs: State) -> dict[str, jax.Array]:
        """Each component's energy: ``"neuron:<layer>"`` and ``"synapse<i>:<kind>"``."""
        out = {}
        gs = {}
        for n, l in self.layers.items():
            out[f"neuron:{n}"], gs[n] = l.lagrangian.energy_and_activation(xs[n])
        for i, s in enumerate(self.synapses):
            out[f"synapse{i}:{s.kind}"] = s.energy(*(gs[n] for n in s.layers))
        return out

    def energy(self, xs: State) -> jax.Array:
        """Total energy E_total (a scalar) of one state."""
        return sum(self.energy_breakdown(xs).values())

    # -- dynamics --------------------------------------------------------------
    def currents(self, gs: State) -> State:
        """Input currents I_ℓ = −∂E_syn/∂x̂_ℓ for every layer."""
        grads = jax.grad(self.synapse_energy)(gs)
        return {n: -grads[n] for n in self.layers}

    def vector_field(self, xs: State) -> State:
        """dx_ℓ/dt = (I_ℓ − x_ℓ)/τ_ℓ for one state."""
        cur = self.currents(self.activations(xs))
        return {n: (cur[n] - xs[n]) / l.tau for n, l in self.layers.items()}

    def init_state(self, cue: jax.Array) -> State:
        """Full state for a visible cue of shape ``(D,)``.

        The cue is written into the visible internal state; every hidden layer starts
        at its steady state given the visible activations (I_h with hidden activity 0,
        exact for bipartite networks), so one-layer and bipartite forms start alike.
        """
        xs = {n: jnp.zeros((l.size,), cue.dtype) for n, l in self.layers.items()}
        xs[self.visible] = cue
        if self.hidden:
            cur = self.currents(self.activations(xs))
            for n in self.hidden:
                xs[n] = cur[n].astype(cue.dtype)
        return xs

    def one_layer_synapse(self) -> OneLayerSynapse:
        """The single one-layer synapse, for discrete updates (raises otherwise)."""
        if self.hidden or len(self.synapses) != 1 or not isinstance(self.synapses[0], OneLayerSynapse):
            raise ModelError(
                f"a network with layers {sorted(self.layers)} and {len(self.synapses)} synapse(s)",
                "a one-layer network with a single dense or weight synapse",
                "Use `model.one_layer()` to get the one-layer equivalent of a bipartite model.")
        return self.synapses[0]
