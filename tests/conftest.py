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
if "xla_backend_optimization_level" not in os.environ.get("XLA_FLAGS", ""):
    os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "") + " --xla_backend_optimization_level=0").strip()
# ... and XLA's older CPU code generation (the elemental emitters) compiles the same HLO
# another ~30 % faster (benchmarks/RESULTS.md, "Test suite CPU", fifth pass). Its kernels
# round a lone run and the same run inside a batch differently enough to move adaptive
# steps (1e-3 in saved energies), so the checks of that identity, marked
# `default_codegen`, run in one subprocess with the code generation users get
# (`_default_codegen_run`). The flag is known to jaxlib 0.10; XLA aborts on a flag it
# does not know, so other versions keep the default everywhere.
LEGACY_CODEGEN = "--xla_cpu_use_fusion_emitters=false"


def _legacy_codegen_known() -> bool:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("jaxlib").split(".")[:2] == ["0", "10"]
    except PackageNotFoundError:
        return False


if (os.environ.get("NEUROAM_TEST_CODEGEN", "fast") == "fast" and _legacy_codegen_known()
        and "xla_cpu_use_fusion_emitters" not in os.environ["XLA_FLAGS"]):
    os.environ["XLA_FLAGS"] += " " + LEGACY_CODEGEN
FAST_CODEGEN = LEGACY_CODEGEN in os.environ["XLA_FLAGS"].split()

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


# -- tests marked `default_codegen`: run once, together, in a subprocess under XLA's
# default code generation when this session uses the faster one (see the top) ----------
_SUBPROCESS: tuple[dict[str, list[dict]], str] | None = None  # (reports by node id, output)


def pytest_runtest_logreport(report):
    """In that subprocess: hand each phase's outcome back to the parent session."""
    path = os.environ.get("NEUROAM_TEST_REPORT")
    if path:
        import json

        with open(path, "a") as f:
            f.write(json.dumps({"nodeid": report.nodeid, "when": report.when,
                                "outcome": report.outcome, "text": report.longreprtext}) + "\n")


def _default_codegen_run(session) -> tuple[dict[str, list[dict]], str]:
    global _SUBPROCESS
    if _SUBPROCESS is None:
        import json
        import subprocess
        import sys

        ids = [i.nodeid for i in session.items if i.get_closest_marker("default_codegen")]
        flags = " ".join(f for f in os.environ["XLA_FLAGS"].split() if f != LEGACY_CODEGEN)
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "reports.jsonl")
            env = {**os.environ, "XLA_FLAGS": flags, "NEUROAM_TEST_CODEGEN": "default",
                   "NEUROAM_TEST_REPORT": path}
            proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                                   *ids], cwd=session.config.rootpath, env=env,
                                  capture_output=True, text=True)
            reports: dict[str, list[dict]] = {}
            if os.path.exists(path):
                with open(path) as f:
                    for line in f:
                        r = json.loads(line)
                        reports.setdefault(r["nodeid"], []).append(r)
        _SUBPROCESS = reports, proc.stdout[-4000:] + proc.stderr[-4000:]
    return _SUBPROCESS


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem):
    """Under the faster code generation, a `default_codegen` test reports the outcome of its
    run in the subprocess instead of running here."""
    if not FAST_CODEGEN or pyfuncitem.get_closest_marker("default_codegen") is None:
        return None
    reports, output = _default_codegen_run(pyfuncitem.session)
    mine = reports.get(pyfuncitem.nodeid)
    if not mine:
        pytest.fail("not run in the default-code-generation subprocess; its output:\n" + output,
                    pytrace=False)
    for r in mine:
        if r["outcome"] == "failed":
            pytest.fail(f"under XLA's default code generation (subprocess), {r['when']}:\n"
                        + r["text"], pytrace=False)
    for r in mine:
        if r["outcome"] == "skipped":
            pytest.skip(r["text"])
    return True
