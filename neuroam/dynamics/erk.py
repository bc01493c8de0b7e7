"""Explicit Runge–Kutta solvers with their stages unrolled at trace time.

Diffrax's own explicit RK solvers run their stages in a ``while`` loop over a stacked
``(stages, *y)`` buffer and form every stage input with a ``tensordot`` over that buffer.
For one ODE that is fine; for a batch of 1024 trials under ``vmap`` on a CPU those
buffer updates, and the dense output's contraction of the stacked stages at every save,
were about an eighth of the LSE recall of benchmarks/RESULTS.md (D = 1024; "Work-precision
of ideal-ode"). Here the same Butcher tableau (read from the Diffrax class) is written out
as plain sums y0 + Σ_j a_ij k_j, which XLA fuses into one elementwise pass per stage.

Same method, same numbers: the tableau, the order, the error estimate, the FSAL reuse
and the dense-output interpolation (the Diffrax class's own) are those of the Diffrax
solver; results agree with it to round-off (``tests/test_dynamics.py``).
"""

import functools
from collections.abc import Callable
from typing import ClassVar

import diffrax
import equinox as eqx
import jax
import jax.numpy as jnp
from equinox import AbstractClassVar

from ..errors import UnsupportedError

__all__ = ["UnrolledERK", "UnrolledInterpolation", "Tsit5", "Dopri5", "Bosh3", "UNROLLED"]


def _combine(coefs, ks):
    """Σ_j c_j k_j over the non-zero (trace-time) coefficients."""
    out = None
    for c, k in zip(coefs, ks):
        c = float(c)
        if c != 0.0:
            out = k * c if out is None else out + k * c
    return out


class UnrolledInterpolation(diffrax.AbstractLocalInterpolation):
    """Dense output over one step, y(t) = a(t) y0 + b(t) y1 + Σ_j c_j(t) k_j, with the
    weights of the ``reference`` Diffrax interpolation (every Diffrax RK interpolation is
    linear in y0, y1 and the stage increments k_j). The weights come from evaluating
    ``reference`` on unit vectors (a few scalars); the states are then combined in one
    fused pass, without stacking the stages or a batched contraction over them."""

    t0: jax.Array
    t1: jax.Array
    y0: jax.Array
    y1: jax.Array
    k: tuple[jax.Array, ...]
    reference: Callable[..., diffrax.AbstractLocalInterpolation] = eqx.field(static=True)

    def _weights(self, t0, t1):
        m = 2 + len(self.k)
        eye = jnp.eye(m, dtype=self.y0.dtype)
        basis = self.reference(t0=self.t0, t1=self.t1, y0=eye[0], y1=eye[1], k=eye[2:])
        return basis.evaluate(t0, t1)

    def evaluate(self, t0, t1=None, left=True):
        del left
        w = self._weights(t0, t1)
        return _combine_traced(w, (self.y0, self.y1, *self.k))


def _combine_traced(w, arrays):
    """Σ_j w_j a_j for traced weights ``w`` ``(m,)``."""
    out = w[0] * arrays[0]
    for j in range(1, len(arrays)):
        out = out + w[j] * arrays[j]
    return out


class UnrolledERK(diffrax.AbstractAdaptiveSolver):
    """An explicit, first-same-as-last Runge–Kutta method from a Diffrax tableau."""

    reference: AbstractClassVar[type[diffrax.AbstractERK]]
    interpolation_cls: AbstractClassVar[Callable[..., diffrax.AbstractLocalInterpolation]]
    term_structure: ClassVar = diffrax.AbstractTerm

    def __check_init__(self):
        tab = self.reference.tableau
        if not (tab.fsal and tab.ssal) or tab.implicit:
            raise UnsupportedError(f"the tableau of {self.reference.__name__}",
                                   "an explicit tableau whose last stage is the step's end (FSAL/SSAL)",
                                   "Use the Diffrax solver itself for this method.")

    def order(self, terms):
        return self.reference().order(terms)

    def error_order(self, terms):
        return self.reference().error_order(terms)

    def init(self, terms, t0, t1, y0, args):
        return terms.vf(t0, y0, args)

    def step(self, terms, t0, t1, y0, args, solver_state, made_jump):
        tab = self.reference.tableau
        h = t1 - t0
        f0 = solver_state
        if made_jump is not False:
            f0 = jnp.where(made_jump, terms.vf(t0, y0, args), f0)
        ks = [f0 * h]
        for c, a_row in zip(tab.c, tab.a_lower):
            yi = y0 + _combine(a_row, ks)
            fi = terms.vf(t0 + float(c) * h, yi, args)
            ks.append(fi * h)
        y1, f1 = yi, fi  # SSAL: the last stage is the step's end; FSAL: its field starts the next
        y_error = _combine(tab.b_error, ks)
        return y1, y_error, dict(y0=y0, y1=y1, k=tuple(ks)), f1, diffrax.RESULTS.successful

    def func(self, terms, t0, y0, args):
        return terms.vf(t0, y0, args)


class Tsit5(UnrolledERK):
    """Tsitouras' 5(4) pair (Diffrax's :class:`diffrax.Tsit5`), stages unrolled."""

    reference: ClassVar = diffrax.Tsit5
    interpolation_cls: ClassVar = functools.partial(UnrolledInterpolation,
                                                    reference=diffrax.Tsit5.interpolation_cls)


class Dopri5(UnrolledERK):
    """Dormand–Prince 5(4) (Diffrax's :class:`diffrax.Dopri5`), stages unrolled."""

    reference: ClassVar = diffrax.Dopri5
    interpolation_cls: ClassVar = functools.partial(UnrolledInterpolation,
                                                    reference=diffrax.Dopri5.interpolation_cls)


class Bosh3(UnrolledERK):
    """Bogacki–Shampine 3(2) (Diffrax's :class:`diffrax.Bosh3`), stages unrolled."""

    reference: ClassVar = diffrax.Bosh3
    interpolation_cls: ClassVar = functools.partial(UnrolledInterpolation,
                                                    reference=diffrax.Bosh3.interpolation_cls)


#: solver name -> unrolled class
UNROLLED = {"tsit5": Tsit5, "dopri5": Dopri5, "bosh3": Bosh3}
