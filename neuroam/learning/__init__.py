"""Learning rules that turn stored patterns into pairwise weights: Hebb, Storkey and the
pseudo-inverse (:mod:`.rules`), and fault-aware training (:mod:`.fault_aware`).

Rules are found by name through the ``neuroam.learning_rules`` entry-point group
(:data:`RULES`); neuroam declares its own there like any plug-in package.
"""

from .base import RULES, learn
from .rules import hebbian, pseudo_inverse, storkey
from .fault_aware import FaultAwareWeights, fault_aware  # noqa: F401

__all__ = ["learn", "RULES", "hebbian", "storkey", "pseudo_inverse"]
