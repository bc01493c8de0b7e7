#!/usr/bin/env python
"""First-call cost: what a new program costs before it runs, and Brian2's collections.

Three measurements, each a ratio against a baseline taken the same way on the same machine:

1. **First call of a continuous recall** (``ideal-ode`` Tsit5 and ``ideal-sde`` Euler,
   Hopfield and LSE, K = 4, D = 32, 8 trials): CPU seconds of the first call — tracing
   the solver, batching it over trials, XLA compiling it — in a fresh Python process per
   XLA flag set (``XLA_FLAGS`` is read once per process): JAX's defaults, LLVM at its
   lowest optimisation level (what the test suite uses, ``tests/conftest.py``), and that
   plus XLA CPU's older (non-"fusion emitter") code generation (cheaper to compile; it
   rounds a lone run and a batched run differently, so the test suite, which uses it,
   runs its checks of that identity under the default: see RESULTS.md). Best of
   ``--repeats`` processes.
2. **A spiking recall in a process with a large heap** (a few JAX programs and 3·10⁶
   small Python objects alive, as in a long study or a test session): Brian2's
   ``Network.run`` calls ``gc.collect()`` on every run. CPU seconds of a warm spiking
   recall (Hopfield, K = 2, D = 24, 3 trials, 100 ms) with neuroam's guard
   (``neuroam.spiking.backends._young_heap_only``: the collections see only the
   simulation's new objects) and with the guard replaced by a no-op, alternated in one
   process, best of ``--repeats``.
3. **The spiking template's weights for a new size** (``pairwise_weights``: the currents,
   their Jacobian and a linearity probe of a Hopfield model, K = 4, D ≈ 40): one compiled
   program against the same computation op by op (``jax.disable_jit``), alternated in one
   process, a new D for every call.
4. **Host arrays onto the device for a recall on new shapes** (``ideal-discrete`` and
   ``ideal-fixed-point``, Hopfield, K = 4, 8 trials, a new D ≈ 40 for every call):
   CPU seconds and XLA programs compiled per first call, with
   :func:`neuroam.arrays.device_array` (NumPy on the host, then ``jax.device_put``)
   and with it replaced by ``jnp.asarray`` (what the models, problems and run stacking
   did before: a small compiled program per shape and dtype), alternated in one process.
5. **The vector field traced once per solve** (``ideal-ode`` Tsit5 with LSE, ``ideal-sde``
   Euler with Hopfield, K = 8, 16 trials, a new D ≈ 40 for every call): CPU seconds of
   the first call with ``Problem.vector_field`` jitted (a solver's every stage reuses the
   traced gradient of the energy) and with the plain function (traced at every stage),
   alternated in one process.

It reports and never asserts. Usage: ``.venv/bin/python benchmarks/bench_first_call.py
[--repeats 3]``. About 4 minutes on two cores.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import time

from _common import machine_line

FLAGS = {
    "JAX defaults": "",
    "LLVM -O0 (tests)": "--xla_backend_optimization_level=0",
    "LLVM -O0, no fusion emitters": ("--xla_backend_optimization_level=0 "
                                             "--xla_cpu_use_fusion_emitters=false"),
}

CHILD = r"""
import json, time
import neuroam as na
pats = na.patterns.random_binary(K=4, D=32, seed=0)
cues = na.cues.make_cues(pats, "flip", rate=0.1, trials_per_pattern=2, seed=1)
out = {}
for name, kw in [("hopfield", {}), ("lse", {"beta": 0.1})]:
    model = na.models.make_model(name, **kw)
    t = time.process_time()
    na.recall(model, pats, cues, "ideal-ode")
    out[f"ode {name}"] = time.process_time() - t
    t = time.process_time()
    na.recall(model, pats, cues, "ideal-sde", solver="euler", temperature=0.01)
    out[f"sde {name}"] = time.process_time() - t
print(json.dumps(out))
"""


def first_calls(repeats: int) -> dict[str, dict[str, float]]:
    table = {}
    for label, flags in FLAGS.items():
        env = {**os.environ, "JAX_PLATFORMS": "cpu", "XLA_FLAGS": flags}
        env.pop("JAX_COMPILATION_CACHE_DIR", None)
        best: dict[str, float] = {}
        for _ in range(repeats):
            proc = subprocess.run([sys.executable, "-c", CHILD], env=env, capture_output=True,
                                  text=True, check=True)
            for k, v in json.loads(proc.stdout.strip().splitlines()[-1]).items():
                best[k] = min(best.get(k, float("inf")), v)
        table[label] = best
    return table


def spiking_heap(repeats: int) -> tuple[float, float]:
    import numpy as np

    import neuroam as na
    from neuroam.spiking import backends

    p = na.patterns.random_binary(K=4, D=32, seed=0)
    c = na.cues.make_cues(p, "flip", rate=0.1, trials_per_pattern=2, seed=1)
    for name in ("hopfield", "lse"):
        na.recall(na.models.make_model(name), p, c, "ideal-ode")
    heap = [{"i": [i]} for i in range(3_000_000)]  # noqa: F841 - kept alive on purpose
    pats = na.patterns.random_binary(K=2, D=24, seed=0)
    cues = na.cues.flip(pats, rate=0.1, targets=np.arange(3) % 2, seed=1)
    model = na.models.make_model("hopfield", rule="hebbian")

    def once() -> float:
        t = time.process_time()
        na.recall(model, pats, cues, "spiking", seed=3, params={"duration": "100 ms"})
        return time.process_time() - t

    once()  # Brian2's code generation caches
    guarded, bare = [], []
    real = backends._young_heap_only
    for _ in range(repeats):
        guarded.append(once())
        backends._young_heap_only = contextlib.nullcontext
        try:
            bare.append(once())
        finally:
            backends._young_heap_only = real
    return min(guarded), min(bare)


def spiking_weights(repeats: int) -> tuple[float, float]:
    """First extraction of a pairwise model's (W, b) for a new size D, as the spiking
    template does it (one compiled program) and op by op (``jax.disable_jit``: what it
    did before). A fresh D for every call, so that both pay their first call."""
    import jax

    import neuroam as na
    from neuroam.spiking.hopfield import pairwise_weights

    model = na.models.make_model("hopfield", rule="hebbian")
    pairwise_weights(model, na.patterns.random_binary(K=3, D=10, seed=0))  # imports, tracing caches
    compiled, eager = [], []
    for i in range(repeats):
        for D, out, ctx in ((40 + 2 * i, compiled, contextlib.nullcontext()),
                            (41 + 2 * i, eager, jax.disable_jit())):
            pats = na.patterns.random_binary(K=4, D=D, seed=i)
            with ctx:
                t = time.process_time()
                pairwise_weights(model, pats)
                out.append(time.process_time() - t)
    return min(compiled), min(eager)


def device_transfers(repeats: int) -> dict[str, dict[str, float]]:
    """First calls on a new D with neuroam's host-side preparation and with every
    :func:`~neuroam.arrays.device_array` replaced by ``jnp.asarray``."""
    import jax.monitoring
    import jax.numpy as jnp

    import neuroam as na
    from neuroam import arrays

    compiles = []
    jax.monitoring.register_event_duration_secs_listener(
        lambda event, _s, **kw: compiles.append(1)
        if event == "/jax/core/compile/backend_compile_duration" else None)
    model = na.models.make_model("hopfield")

    def first_call(D: int, impl: str) -> tuple[float, int]:
        pats = na.patterns.random_binary(K=4, D=D, seed=D)
        cues = na.cues.make_cues(pats, "flip", rate=0.1, trials_per_pattern=2, seed=1)
        n, t = len(compiles), time.process_time()
        na.recall(model, pats, cues, impl)
        return time.process_time() - t, len(compiles) - n

    first_call(30, "ideal-discrete"), first_call(30, "ideal-fixed-point")  # imports
    users = [m for name, m in sys.modules.items() if name.startswith("neuroam.")
             and name != "neuroam.arrays" and getattr(m, "device_array", None) is arrays.device_array]
    out: dict[str, dict[str, float]] = {"device_array": {}, "jnp.asarray": {}}
    D = 36
    for _ in range(repeats):
        for label, fn in (("device_array", arrays.device_array),
                          ("jnp.asarray", lambda x, dtype=None: jnp.asarray(x, dtype))):
            for m in users:
                m.device_array = fn
            try:
                for impl in ("ideal-discrete", "ideal-fixed-point"):
                    D += 1
                    cpu, n = first_call(D, impl)
                    row = out[label]
                    row[f"{impl} CPU s"] = min(row.get(f"{impl} CPU s", float("inf")), cpu)
                    row[f"{impl} programs"] = n
            finally:
                for m in users:
                    m.device_array = arrays.device_array
    return out


def vector_field_tracing(repeats: int) -> dict[str, dict[str, float]]:
    """First calls on a new D with the ideal problem's vector field jitted (traced once per
    solve) and plain (``__wrapped__``: traced at every stage)."""
    import neuroam as na
    from neuroam.dynamics import common

    cases = {"ode lse": (na.models.make_model("lse", beta=0.1), "ideal-ode", {}),
             "sde hopfield": (na.models.make_model("hopfield"), "ideal-sde",
                              {"solver": "euler", "temperature": 0.01})}

    def first_call(D: int, case: str) -> float:
        model, impl, kw = cases[case]
        pats = na.patterns.random_binary(K=8, D=D, seed=D)
        cues = na.cues.make_cues(pats, "flip", rate=0.1, trials_per_pattern=2, seed=1)
        t = time.process_time()
        na.recall(model, pats, cues, impl, **kw)
        return time.process_time() - t

    for case in cases:  # imports
        first_call(30, case)
    jitted = common._vector_field
    out: dict[str, dict[str, float]] = {"traced once": {}, "traced per stage": {}}
    D = 36
    for _ in range(repeats):
        for label, fn in (("traced once", jitted), ("traced per stage", jitted.__wrapped__)):
            common._vector_field = fn
            try:
                for case in cases:
                    D += 1
                    out[label][case] = min(out[label].get(case, float("inf")), first_call(D, case))
            finally:
                common._vector_field = jitted
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    print(machine_line())
    table = first_calls(args.repeats)
    base = table["JAX defaults"]
    print("\nFirst call, CPU s (best of", args.repeats, "fresh processes)")
    print("| XLA flags | " + " | ".join(base) + " | sum | vs defaults |")
    print("|---|" + "---|" * (len(base) + 2))
    for label, row in table.items():
        total = sum(row.values())
        print(f"| {label} | " + " | ".join(f"{row[k]:.2f}" for k in base)
              + f" | {total:.2f} | {total / sum(base.values()):.2f} |")
    guarded, bare = spiking_heap(args.repeats)
    print(f"\nSpiking recall with a large heap, CPU s (best of {args.repeats}): guarded "
          f"{guarded:.2f}, unguarded {bare:.2f}, ratio {bare / guarded:.1f}x")
    compiled, eager = spiking_weights(args.repeats)
    print(f"\nSpiking template weights, first call for a new D, CPU s (best of {args.repeats}): "
          f"one program {compiled:.2f}, op by op {eager:.2f}, ratio {eager / compiled:.1f}x")
    table = device_transfers(args.repeats)
    cols = list(table["device_array"])
    print(f"\nFirst call on a new D, host arrays onto the device (best of {args.repeats}, "
          "programs compiled per call)")
    print("| preparation | " + " | ".join(cols) + " |")
    print("|---|" + "---|" * len(cols))
    for label, row in table.items():
        print(f"| {label} | " + " | ".join(f"{row[k]:.2f}" if "CPU" in k else f"{row[k]:.0f}"
                                           for k in cols) + " |")
    table = vector_field_tracing(args.repeats)
    cols = list(table["traced once"])
    print(f"\nFirst call on a new D, CPU s (best of {args.repeats}): the vector field")
    print("| vector field | " + " | ".join(cols) + " | sum | vs per stage |")
    print("|---|" + "---|" * (len(cols) + 2))
    base = sum(table["traced per stage"].values())
    for label, row in table.items():
        total = sum(row.values())
        print(f"| {label} | " + " | ".join(f"{row[k]:.2f}" for k in cols)
              + f" | {total:.2f} | {total / base:.2f} |")


if __name__ == "__main__":
    main()
