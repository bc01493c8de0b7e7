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
# either way, so the numbers are the same programs' numbers); the crossbar and
# fixed-point loops, which users get at level 1, defer to it (compiler_options)
# (XLA's older CPU code generation, --xla_cpu_use_fusion_emitters=false, would compile
# another ~25 % faster, benchmarks/bench_first_call.py, but its kernels round a lone run
# and the same run in a batch differently enough to move adaptive steps: not used)
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


# --cpu-durations=N: the N tests that used the most CPU (this process + the subprocesses it
# waited for, user + system), setup and teardown included — wall-clock durations mislead
# on a shared machine. A module fixture's cost lands on the first test that uses it.
def pytest_addoption(parser):
    parser.addoption("--cpu-durations", type=int, default=None, metavar="N",
                     help="show the N tests that used the most CPU time (0: all)")


_CPU: dict[str, float] = {}


def _cpu_now() -> float:
    import resource
    s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    start = _cpu_now()
    yield
    _CPU[item.nodeid] = _CPU.get(item.nodeid, 0.0) + _cpu_now() - start


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    n = config.getoption("--cpu-durations")
    if n is None or not _CPU:
        return
    ranked = sorted(_CPU.items(), key=lambda kv: -kv[1])
    total = sum(_CPU.values())
    terminalreporter.write_sep("=", f"CPU per test (total {total:.0f} s over {len(_CPU)} tests)")
    for nodeid, cpu in ranked[: n or None]:
        terminalreporter.write_line(f"{cpu:8.1f} s  {nodeid}")


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item, nextitem):
    """What a test leaves alive is frozen out of later garbage collections: the session's
    heap (programs, cached results) grows test after test, and every full collection
    would walk it again."""
    import gc

    gc.collect()
    gc.freeze()
