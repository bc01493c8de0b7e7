"""Learning rules that turn stored patterns into pairwise weights."""

from .base import RULES, learn
from .hebbian import hebbian
from .pseudo_inverse import pseudo_inverse
from .storkey import storkey
from .fault_aware import FaultAwareWeights, fault_aware  # noqa: F401  (registers "fault-aware")

__all__ = ["learn", "RULES", "hebbian", "storkey", "pseudo_inverse"]
