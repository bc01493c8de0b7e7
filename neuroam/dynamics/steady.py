"""The steady-state test on the vector field a first-same-as-last solver already has.

The batched driver (:mod:`neuroam.dynamics.continuous`) stops a trial once its
steady-state rate (the problem's ``rate(y, dy/dt)``, e.g. RMS(dy/dt)) falls below
``steady_tol``. A :class:`diffrax.Event` condition sees only ``(t, y)``, so on ``y``
alone the test costs one more vector-field evaluation per step, although an
:class:`~neuroam.dynamics.erk.UnrolledERK` step has just evaluated the field at its end
(its last stage, which starts the next step). :class:`DriftWatch` integrates the pair
``(y, r)`` instead: r is not integrated but set after each step from that last stage
(r = rate(y₁, f₁)), and the Event tests ``r``. With the controller's norm on ``y`` alone
(:func:`norm_of_state`) the steps, stop times and states are those of the wrapped solver
with the Event on ``y`` (``tests/test_dynamics.py``).
"""

import functools
from collections.abc import Callable
from typing import ClassVar

import diffrax
import equinox as eqx
import jax
import jax.numpy as jnp

from .erk import UnrolledERK

__all__ = ["DriftWatch", "watched_term", "norm_of_state"]


class _WatchInterpolation(diffrax.AbstractLocalInterpolation):
    """Dense output of a :class:`DriftWatch` step: the inner solver's for y, the step's
    end value for the watched RMS drift r (increments of r are 0)."""

    t0: jax.Array
    t1: jax.Array
    inner: dict
    r1: jax.Array
    inner_cls: Callable[..., diffrax.AbstractLocalInterpolation] = eqx.field(static=True)

    def evaluate(self, t0, t1=None, left=True):
        y = self.inner_cls(t0=self.t0, t1=self.t1, **self.inner).evaluate(t0, t1, left)
        return y, (self.r1 if t1 is None else jnp.zeros_like(self.r1))


class DriftWatch(diffrax.AbstractAdaptiveSolver):
    """An :class:`~neuroam.dynamics.erk.UnrolledERK` on states ``(y, r)``, r = ``rate(y,
    dy/dt)`` (a scalar, e.g. the RMS of dy/dt) at y, with dy/dt taken from the step's last
    stage; terms act on y (:func:`watched_term`)."""

    solver: UnrolledERK
    rate: Callable
    term_structure: ClassVar = diffrax.AbstractTerm

    @property
    def interpolation_cls(self):
        return functools.partial(_WatchInterpolation, inner_cls=self.solver.interpolation_cls)

    def order(self, terms):
        return self.solver.order(terms)

    def error_order(self, terms):
        return self.solver.error_order(terms)

    def init(self, terms, t0, t1, y0, args):
        return self.solver.init(_on_y(terms), t0, t1, y0[0], args)

    def step(self, terms, t0, t1, y0, args, solver_state, made_jump):
        y1, y_error, dense, f1, result = self.solver.step(_on_y(terms), t0, t1, y0[0], args,
                                                          solver_state, made_jump)
        r1 = self.rate(y1, f1)
        return (y1, r1), (y_error, jnp.zeros_like(r1)), dict(inner=dense, r1=r1), f1, result

    def func(self, terms, t0, y0, args):
        return terms.vf(t0, y0, args)


def watched_term(term: diffrax.ODETerm) -> diffrax.ODETerm:
    """``term`` on :class:`DriftWatch` states: (y, r) ↦ (dy/dt, 0)."""
    return diffrax.ODETerm(lambda t, yr, args: (term.vf(t, yr[0], args), jnp.zeros_like(yr[1])))


def _on_y(term: diffrax.ODETerm) -> diffrax.ODETerm:
    """A :func:`watched_term` back on y alone (r does not enter dy/dt)."""
    return diffrax.ODETerm(lambda t, y, args: term.vf(t, (y, jnp.zeros((), y.dtype)), args)[0])


def norm_of_state(norm):
    """``norm`` applied to the ``y`` part of a :class:`DriftWatch` state ``(y, r)``."""
    return lambda pair: norm(pair[0])
