#!/usr/bin/env python
"""First-call cost: what a new program costs before it runs, and Brian2's collections.

Three measurements, each a ratio against a baseline taken the same way on the same machine:

1. **First call of a continuous recall** (``ideal-ode`` Tsit5 and ``ideal-sde`` Euler,
   Hopfield and LSE, K = 4, D = 32, 8 trials): CPU seconds of the first call — tracing
   the solver, batching it over trials, XLA compiling it — in a fresh Python process per
   XLA flag set (``XLA_FLAGS`` is read once per process): JAX's defaults, LLVM at its
   lowest optimisation level (what the test suite uses, ``tests/conftest.py``), and that
   plus XLA CPU's older (non-"fusion emitter") code generation (cheaper to compile, but
   it rounds a lone run and a batched run differently; see RESULTS.md). Best of
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

It reports and never asserts. Usage: ``.venv/bin/python benchmarks/bench_first_call.py
[--repeats 3]``. About 2 minutes on two cores.
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


if __name__ == "__main__":
    main()
