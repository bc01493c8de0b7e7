"""Per-trial solver status and recall outcome codes.

Both are small integer enumerations so that they can be stored in HDF5 as ``int8``
arrays; the ``message`` of each member is what a user reads.
"""

from __future__ import annotations

import enum

__all__ = ["Status", "Outcome"]


class Status(enum.IntEnum):
    """How a trial's dynamics ended."""

    CONVERGED = 0
    MAX_STEPS = 1
    NON_FINITE = 2

    @property
    def message(self) -> str:
        return {
            Status.CONVERGED: "The dynamics reached a steady state.",
            Status.MAX_STEPS: "The time horizon or the maximum number of steps was reached "
            "before a steady state. Try increasing `t1` or `max_steps` (`max_sweeps`, "
            "`max_iters` for iterated maps).",
            Status.NON_FINITE: "The state became NaN or infinite. Try a smaller time step, "
            "a tighter tolerance, or float64.",
        }[self]


class Outcome(enum.IntEnum):
    """What a trial recalled."""

    TARGET = 0  #: converged onto the cued pattern
    OTHER = 1  #: converged onto another stored pattern (or its negation, see metrics)
    SPURIOUS = 2  #: converged onto a state that matches no stored pattern
    NOT_CONVERGED = 3  #: stopped before a steady state
    NON_FINITE = 4  #: the state became NaN or infinite

    @property
    def label(self) -> str:
        return self.name.lower().replace("_", " ")
