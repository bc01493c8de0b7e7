import atexit
import os
import shutil
import tempfile

os.environ.setdefault("JAX_PLATFORMS", "cpu")
# one persistent XLA cache for this test session (fresh each session): the many
# `neuroam` subprocesses of the CLI tests compile the same programs once between them
_CACHE = tempfile.mkdtemp(prefix="neuroam-tests-xla-")
atexit.register(shutil.rmtree, _CACHE, True)
os.environ.setdefault("JAX_COMPILATION_CACHE_DIR", _CACHE)
os.environ.setdefault("JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS", "0.3")
# the suite's CPU is mostly XLA compiling many small programs: LLVM's cheapest
# optimisation level saves ~25 % of it (HLO optimisations still run; no fast-math
# either way, so the numbers are the same programs' numbers)
if "xla_backend_optimization_level" not in os.environ.get("XLA_FLAGS", ""):
    os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "") + " --xla_backend_optimization_level=0").strip()

import numpy as np
import pytest

import neuroam as na


@pytest.fixture(scope="session")
def binary_patterns():
    return na.patterns.random_binary(K=6, D=64, seed=0)


@pytest.fixture(scope="session")
def flip_cues(binary_patterns):
    return na.cues.flip(binary_patterns, rate=0.1, trials_per_pattern=2, seed=1)


