"""An exponential Runge–Kutta solver for leaky-integrator dynamics τ dx/dt = N(x) − x.

Every neuron layer relaxes as τ dx/dt = I(x̂) − x (tutorial eq. 3.2): a stiff-ish linear
leak plus a nonlinear drive. Exponential time differencing integrates the leak exactly
and only approximates the drive (Cox & Matthews 2002, ETD2RK):

    a     = e^{−h/τ} x + (1 − e^{−h/τ}) N(x)                       (ETD1)
    x_new = a + (N(a) − N(x)) · (h/τ − 1 + e^{−h/τ}) / (h/τ)        (ETD2RK)

with N(x) = x + τ·f(x) recovered from the vector field f. The difference of the two
is the embedded error estimate for adaptive steps. As the drive settles, the error
vanishes, steps grow past τ and the update tends to x ← N(x): the fixed point of the
ODE is an exact fixed point of the scheme, reached in a handful of steps, while for
small steps the scheme converges to the ODE's trajectory with order 2. Clamped entries
(f = 0) stay put. Two vector-field evaluations per step.
"""

from __future__ import annotations

from typing import ClassVar

import diffrax
import jax
import jax.numpy as jnp

__all__ = ["ETD2"]


class ETD2(diffrax.AbstractSolver):
    """ETD2RK with an ETD1 embedded error estimate. ``tau``: ``(n,)`` time constants."""

    tau: jax.Array
    term_structure: ClassVar = diffrax.AbstractTerm
    interpolation_cls: ClassVar = diffrax.LocalLinearInterpolation

    def order(self, terms):
        return 2

    def error_order(self, terms):
        return 2

    def init(self, terms, t0, t1, y0, args):
        return None

    def step(self, terms, t0, t1, y0, args, solver_state, made_jump):
        del solver_state, made_jump
        h = t1 - t0
        z = h / self.tau
        decay = -jnp.expm1(-z)  # 1 − e^{−z}
        f0 = terms.vf(t0, y0, args)
        n0 = y0 + self.tau * f0
        a = y0 + decay * (n0 - y0)
        fa = terms.vf(t1, a, args)
        na = a + self.tau * fa
        # (z − 1 + e^{−z}) / z = 1 − decay / z, with its series near z = 0
        w = jnp.where(z < 1e-3, z / 2 - z * z / 6, 1.0 - decay / jnp.maximum(z, 1e-30))
        corr = (na - n0) * w
        y1 = a + corr
        return y1, corr, dict(y0=y0, y1=y1), None, diffrax.RESULTS.successful

    def func(self, terms, t0, y0, args):
        return terms.vf(t0, y0, args)
