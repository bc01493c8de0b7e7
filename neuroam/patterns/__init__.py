"""Stored patterns ξ: the validated container and its generators, images and file I/O."""

from .correlated import correlated_binary
from .datasets import digits, from_images
from .images import image_names, images
from .io import load, save
from .pattern_set import PatternSet
from .random import gaussian, random_binary, sphere

__all__ = [
    "PatternSet",
    "random_binary",
    "gaussian",
    "sphere",
    "correlated_binary",
    "digits",
    "from_images",
    "images",
    "image_names",
    "load",
    "save",
]
