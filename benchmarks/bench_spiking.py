#!/usr/bin/env python
"""Spiking mirror benchmark: Brian2 runtime (numpy, cython) vs cpp_standalone.

Network: the ``spiking-hopfield`` template (ON/OFF pairs, depressing current synapses,
default card values, 0.3 s of simulated time per trial) storing ``random_binary(K=6,
D=128)``: 256 LIF neurons and 65 536 synapses per trial. Sizes of 256 … 4096 neurons
are 1 … 16 trial copies in one network (how the implementation batches trials).

1. **Throughput** per size and back-end: build time (objects + code generation; cython
   and standalone also compile, "cold" in an empty cache, "warm" with the cache filled)
   and simulated seconds per wall second of the run itself (warm, best of
   ``--repeats``). Caches start empty (a scratch folder): the cython column is cold for
   the first size only (its code does not depend on the size), standalone is cold for
   every size (each is a new program).
2. **100 trials**: one batch of 100 copies vs one network per trial; for standalone,
   one build re-run 100 times with new cues (``run_args``, no recompilation) vs a
   recompilation per trial (measured on ``--recompiles`` fresh builds, times 100).
3. ``--robustness``: agreement with the ideal ODE at D = 100 (Hopfield K = 5, dense
   K = 200, 100 trials) as the membrane noise grows.

It reports and never asserts. Usage: ``.venv/bin/python benchmarks/bench_spiking.py
[--sizes 256,512,1024,2048,4096] [--backends numpy,cython,cpp_standalone] [--repeats 2]
[--recompiles 2] [--robustness] [--markdown out.md]``. About 15 minutes on two shared
cores, most of it compiling standalone programs (one per size).
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import tempfile
import time
from pathlib import Path

os.environ.setdefault("JAX_PLATFORMS", "cpu")

import numpy as np  # noqa: E402

import neuroam as na  # noqa: E402
from neuroam.spiking import simulate, translate  # noqa: E402

D_UNITS, K = 128, 6


def machine() -> str:
    import brian2

    cpu = platform.processor() or "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg() if hasattr(os, "getloadavg") else ("?",)
    gxx = os.popen("g++ --version 2>/dev/null").readline().strip() or "no g++"
    return (f"{cpu}, {os.cpu_count()} logical CPUs, {platform.system()} {platform.release()}; "
            f"Python {platform.python_version()}, Brian2 {brian2.__version__}, numpy "
            f"{np.__version__}, {gxx}; {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC; "
            f"load average {', '.join(f'{x:.1f}' for x in load)}")


def setup(n_trials: int, seed: int = 0):
    pat = na.patterns.random_binary(K=K, D=D_UNITS, seed=seed)
    cues = na.cues.flip(pat, rate=0.1, targets=np.arange(n_trials) % K, seed=seed + 1)
    model = na.models.make_model("hopfield", rule="hebbian")
    return pat, cues, model, translate(model, pat)


def run(netlist, cues, backend, batch):
    sim = simulate(netlist, cues, backend=backend, batch=batch, seed=0)
    return sim.timing


def throughput(sizes, names, repeats):
    from neuroam.spiking import backends

    rows = []
    for backend in names:
        for n in sizes:
            trials = max(1, n // (2 * D_UNITS))
            _, cues, _, net = setup(trials)
            duration = float(net.network["duration"])
            cold = run(net, cues, backend, trials)  # fills the code caches
            warm = []
            for _ in range(repeats):
                # standalone: forget the in-process program, so that "warm" is what a new
                # process pays (code generation, then make finds nothing to recompile)
                backends._SESSION.key = None
                warm.append(run(net, cues, backend, trials))
            best = min(w["run_s"] for w in warm)
            rows.append({"backend": backend, "neurons": trials * 2 * D_UNITS, "trials": trials,
                         "synapses": trials * net.synapses_per_trial,
                         "cold_build_s": cold["build_s"], "warm_build_s": min(w["build_s"] for w in warm),
                         "run_s": best, "sim_per_wall": duration / best,
                         "trial_s_per_wall": trials * duration / best,
                         "compiled": bool(cold["compiled"])})
            print(rows[-1], flush=True)
    return rows


def hundred(recompiles):
    out = {}
    _, cues, _, net = setup(100)
    for backend in ("numpy", "cython"):
        t = run(net, cues, backend, 100)
        out[f"{backend}: one network of 100 copies"] = (t["build_s"] + t["run_s"], "measured")
    sub = setup(10)[1]
    t0 = time.perf_counter()
    run(net, sub, "numpy", 1)
    out["numpy: a new network per trial"] = (10 * (time.perf_counter() - t0), "10 trials × 10")
    for batch in (100, 25, 1):
        run(net, setup(batch)[1], "cpp_standalone", batch)  # compile once for this shape
        t = run(net, cues, "cpp_standalone", batch)
        out[f"cpp_standalone: built once, batch {batch}, {t['chunks']} re-run(s) with run_args"] = (
            t["build_s"] + t["run_s"], f"measured; build {t['build_s']:.2f} s (warm cache)")
    from neuroam.spiking import backends

    compiles, root = [], os.environ.get("NEUROAM_CACHE")
    for _ in range(recompiles):
        with tempfile.TemporaryDirectory() as tmp:
            os.environ["NEUROAM_CACHE"] = tmp
            backends._SESSION.key = None
            t = run(net, setup(1)[1], "cpp_standalone", 1)
            compiles.append(t["build_s"] + t["run_s"])
    if root is not None:
        os.environ["NEUROAM_CACHE"] = root
    backends._SESSION.key = None
    out["cpp_standalone: recompiled for every trial"] = (
        100 * float(np.mean(compiles)), f"{recompiles} fresh builds ({np.mean(compiles):.1f} s each) × 100")
    return out


def robustness():
    rows = []
    for name, model, K in (("hopfield", {"name": "hopfield", "rule": "hebbian"}, 5),
                           ("dense", {"name": "exponential", "form": "bipartite"}, 200)):
        pat = na.patterns.random_binary(K=K, D=100, seed=0)
        cues = na.cues.flip(pat, rate=0.1, targets=np.arange(100) % K, seed=1)
        m = na.models.make_model(model["name"], **{k: v for k, v in model.items() if k != "name"})
        ideal = na.recall(m, pat, cues, "ideal-ode", t1=30.0)
        for sigma in ("0 mV", "0.5 mV", "1 mV", "2 mV"):
            r = na.recall(m, pat, cues, "spiking", seed=0, params={"noise_sigma": sigma})
            rows.append((name, K, sigma, na.metrics.agreement_fraction(r, ideal),
                         na.metrics.summarize(r, pat)["accuracy"]))
            print(rows[-1], flush=True)
    return rows


def markdown(info, rows, hund, rob) -> str:
    lines = [f"**Machine.** {info}", "",
             "| back-end | neurons | trials | synapses | build, cold cache | build, warm | run (0.3 s simulated) | simulated s / wall s | trial·s / wall s |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['backend']} | {r['neurons']} | {r['trials']} | {r['synapses']:,} | "
                     f"{r['cold_build_s']:.2f} s | {r['warm_build_s']:.2f} s | {r['run_s']:.3f} s | "
                     f"{r['sim_per_wall']:.2f} | {r['trial_s_per_wall']:.2f} |")
    if hund:
        lines += ["", "| 100 trials (256 neurons each) | wall time | how |", "|---|---|---|"]
        lines += [f"| {k} | {v:.1f} s | {how} |" for k, (v, how) in hund.items()]
    if rob:
        lines += ["", "| network | K | noise σ | agreement with ideal ODE | accuracy |",
                  "|---|---|---|---|---|"]
        lines += [f"| {a} | {b} | {c} | {d:.2f} | {e:.2f} |" for a, b, c, d, e in rob]
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="256,512,1024,2048,4096")
    ap.add_argument("--backends", default="numpy,cython,cpp_standalone")
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--recompiles", type=int, default=2)
    ap.add_argument("--skip-hundred", action="store_true")
    ap.add_argument("--robustness", action="store_true")
    ap.add_argument("--markdown")
    args = ap.parse_args()
    info = machine()
    print(info, flush=True)
    from brian2 import prefs

    scratch = tempfile.mkdtemp(prefix="bench-spiking-")  # cold caches for this run
    os.environ["NEUROAM_CACHE"] = scratch
    prefs.codegen.runtime.cython.cache_dir = str(Path(scratch) / "cython")
    rows = throughput([int(s) for s in args.sizes.split(",")], args.backends.split(","),
                      args.repeats)
    hund = {} if args.skip_hundred else hundred(args.recompiles)
    rob = robustness() if args.robustness else []
    text = markdown(info, rows, hund, rob)
    print(text)
    if args.markdown:
        Path(args.markdown).write_text(text)


if __name__ == "__main__":
    main()
