import os

os.environ.setdefault("JAX_PLATFORMS", "cpu")

import numpy as np
import pytest

import neuroam as na


@pytest.fixture(scope="session")
def binary_patterns():
    return na.patterns.random_binary(K=6, D=64, seed=0)


@pytest.fixture(scope="session")
def flip_cues(binary_patterns):
    return na.cues.flip(binary_patterns, rate=0.1, trials_per_pattern=2, seed=1)


