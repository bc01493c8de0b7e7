"""Cues: initial states of recall trials. :class:`CueSet` (the batch of trials), the cue
kinds (flip, occlude, noise, exact, random) and :func:`make_cues` (a kind by name).
"""

from .cue_set import CueSet
from .kinds import exact, flip, noise, occlude, random
from .make import CUE_KINDS, make_cues

__all__ = ["CueSet", "flip", "occlude", "noise", "exact", "random", "make_cues", "CUE_KINDS"]
