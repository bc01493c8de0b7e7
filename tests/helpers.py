"""Shared test data."""

import numpy as np

import neuroam as na

#: (name, params) of every energy family, in a size where the ODE converges fast.
FAMILIES = [
    ("hopfield", {}),
    ("hopfield", {"rule": "hebbian"}),
    ("hopfield", {"rule": "storkey"}),
    ("hopfield", {"rule": "pseudo-inverse"}),
    ("polynomial", {"n": 3}),
    ("polynomial", {"n": 4}),
    ("exponential", {}),
    ("lse", {"beta": 0.1}),
    ("lsr", {"beta": 0.02}),
]

#: models that have a bipartite form
BIPARTITE = [
    ("hopfield", {}),
    ("polynomial", {"n": 2}),
    ("polynomial", {"n": 4}),
    ("polynomial", {"n": 3, "rectified": True}),
    ("exponential", {"beta": 20.0}),
    ("lse", {"beta": 0.1}),
]


def rel_rise(E):
    """Largest rise of E between saved samples, relative to 1 + |E|."""
    return na.metrics.energy_increase(np.asarray(E)).max()
