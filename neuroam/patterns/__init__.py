"""Stored patterns ξ: the validated container and its generators, images and file I/O.

Generators are found by name through the ``neuroam.patterns`` entry-point group
(:data:`GENERATORS`, ``name = "module:generator"``, ``generator(**params) -> PatternSet``);
the ones listed here are declared there like any plug-in's.
"""

from ..plugins import Registry, callable_entry

from .correlated import correlated_binary
from .datasets import digits, from_images
from .images import image_names, images
from .io import load, save
from .pattern_set import PatternSet
from .random import gaussian, random_binary, sphere

#: pattern generators by name: the ``neuroam.patterns`` entry-point group
GENERATORS: Registry = Registry("neuroam.patterns", "pattern generator",
                                callable_entry("pattern generator"))

__all__ = [
    "GENERATORS",
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
