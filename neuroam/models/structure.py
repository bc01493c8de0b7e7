"""What a model declares about its own structure, for capability checks.

An implementation decides whether it can realise a model from this declaration alone
(:meth:`neuroam.implementations.Implementation.supports`), never from the model's name or
class: a plug-in model that declares the structure of a built-in one is served by every
implementation that serves the built-in.
"""

from __future__ import annotations

import dataclasses

from ..errors import ModelError

__all__ = ["Structure", "SEPARATIONS", "STATE_KINDS", "MEMORY_KINDS"]

#: separation functions F of the stored overlaps (the energy's interaction term):
#: "power" F(z) = zⁿ/n (rectified: ReLU(z)ⁿ/n; order n = 2 is the pairwise Hopfield
#: energy), "exponential" a log-sum-exp of scores (exponential DenseAM, LSE),
#: "relu-kernel" a log-sum of ReLU kernels (LSR).
SEPARATIONS = ("power", "exponential", "relu-kernel")
#: visible neurons: "binary" tanh(gain·x) neurons (±1 states), "real" identity neurons.
STATE_KINDS = ("binary", "real")
#: memory-layer activation of the bipartite form: "polynomial" (h^{n−1}), "softmax".
MEMORY_KINDS = ("polynomial", "softmax")


@dataclasses.dataclass(frozen=True)
class Structure:
    """The structure of a model, declared by the model (:attr:`Model.structure`).

    Attributes:
        form: ``"one-layer"`` or ``"bipartite"``.
        separation: one of :data:`SEPARATIONS`.
        order: n of a ``"power"`` separation (2: pairwise), None for the others.
        rectified: a ``"power"`` separation of ReLU(z) (odd n in the bipartite form).
        state: one of :data:`STATE_KINDS`.
        stores: ``"patterns"`` (ξ itself) or ``"weights"`` (a pairwise W from a learning
            rule; one-layer, order 2 only).
        rule: the learning rule of the ``"weights"`` form, None for ``"patterns"``.
        memory: the memory-layer activation (:data:`MEMORY_KINDS`) of the bipartite form,
            None for the one-layer form.
    """

    form: str
    separation: str
    state: str = "binary"
    order: int | None = None
    rectified: bool = False
    stores: str = "patterns"
    rule: str | None = None
    memory: str | None = None

    def __post_init__(self):
        checks = (("form", self.form, ("one-layer", "bipartite")),
                  ("separation", self.separation, SEPARATIONS),
                  ("state", self.state, STATE_KINDS),
                  ("stores", self.stores, ("patterns", "weights")))
        for key, value, allowed in checks:
            if value not in allowed:
                raise ModelError(f"a model structure with {key}={value!r}",
                                 f"one of {list(allowed)}", f"Declare a known {key}.")
        if (self.separation == "power") != (self.order is not None):
            raise ModelError(f"separation={self.separation!r} with order={self.order!r}",
                             "an order n exactly for the 'power' separation",
                             "Give order for power separations only.")
        if (self.stores == "weights") != (self.rule is not None):
            raise ModelError(f"stores={self.stores!r} with rule={self.rule!r}",
                             "a learning rule exactly when the model stores weights",
                             "Name the rule of the weight form, and no rule otherwise.")
        if (self.form == "bipartite") != (self.memory is not None):
            raise ModelError(f"form={self.form!r} with memory={self.memory!r}",
                             f"a memory-layer activation ({list(MEMORY_KINDS)}) exactly for "
                             "the bipartite form", "Declare memory for bipartite models only.")

    @property
    def pairwise(self) -> bool:
        """True when the energy is quadratic in the activations (currents affine in them):
        learned weights, or the pattern form of a non-rectified order-2 power separation."""
        return self.stores == "weights" or (self.separation == "power" and self.order == 2
                                            and not self.rectified)

    def describe(self) -> str:
        sep = (f"power n={self.order}{' rectified' if self.rectified else ''}"
               if self.separation == "power" else self.separation)
        what = f"weights ({self.rule})" if self.stores == "weights" else "patterns"
        mem = f", {self.memory} memory layer" if self.memory else ""
        return f"{self.form}, {sep} separation, {self.state} states, stores {what}{mem}"
