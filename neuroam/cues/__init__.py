"""Cues: initial states of recall trials (flip, occlude, noise, exact, random)."""

from .cue_set import CueSet
from .exact import exact
from .flip import flip
from .make import CUE_KINDS, make_cues
from .noise import noise
from .occlude import occlude
from .random_states import random

__all__ = ["CueSet", "flip", "occlude", "noise", "exact", "random", "make_cues", "CUE_KINDS"]
