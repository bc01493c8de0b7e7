#!/usr/bin/env python
"""Neuron–astrocyte recall benchmark: time per trial at N = 200, 500, 1000 vs the ideal DenseAM.

One process measures, on the same patterns and cues and in float32:

1. ``astrocyte`` with its defaults (Tsit5, PID rtol 1e-4, no early stop) and with the
   authors' tutorial integrator (Euler, dt = 0.05 τ) stopping once steady;
2. the ideal quartic DenseAM it realises, ``ideal-ode`` on ``polynomial`` n = 4 (Tsit5,
   steady-state stop), the baseline;
3. the cost of one vector-field evaluation of each (batched, jitted), which explains the
   ratio: the astrocyte's field is O(N²K) per trial (N² synapses and processes, the
   process tensor applied through the K patterns), the ideal's O(NK).

Setup at every N: ``random_binary(K=10, D=N, seed=0)`` (the tutorial's K), cues with
exactly 10 % of the bits flipped (seed 1), one cue per pattern (10 trials), horizon
t1 = 20 τ (recall is over by t ≈ 2 τ and the network is steady by t ≈ 10 τ). Times are
the best of ``--repeats`` warm calls divided by the number of trials; compile = first
call − best warm call. It reports and never asserts.

Usage: ``.venv/bin/python benchmarks/bench_astrocyte.py [--sizes 200,500,1000]
[--repeats 3] [--markdown out.md] [--reduction FIG.png]``. About eight minutes on two
shared CPU cores. ``--reduction`` also draws the reduction figure
(``astrocyte_reduction.py`` next to this script): the neuron input against the
quartic DenseAM current over time at N = 200, K = 10, and retrieval vs load at N = 30
for the ideal quartic DenseAM and the network with τ_P = 1 (tutorial) and 5 (two more
minutes).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

import jax
import jax.numpy as jnp

import neuroam as na
from neuroam.astrocyte import AstrocyteNetwork, AstrocyteParams

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import best_of, machine  # noqa: E402
from neuroam.dynamics.common import make_problem

K, RATE, T1 = 10, 0.10, 20.0
CONFIGS = {
    "astrocyte (Tsit5, default)": ("astrocyte", {}),
    "astrocyte (Euler dt=0.05, steady stop)": ("astrocyte", {"solver": "euler", "adaptive": False,
                                                             "dt": 0.05, "steady_stop": True}),
    "ideal-ode n=4 (baseline)": ("ideal-ode", {}),
}


def _vf_time(fn, args, repeats=5):
    jax.block_until_ready(fn(*args))
    best = float("inf")
    for _ in range(repeats):
        t = time.perf_counter()
        jax.block_until_ready(fn(*args))
        best = min(best, time.perf_counter() - t)
    return best


def bench_size(N: int, repeats: int) -> list[dict]:
    pats = na.patterns.random_binary(K=K, D=N, seed=0)
    cues = na.cues.flip(pats, rate=RATE, trials_per_pattern=1, seed=1)
    T = cues.n_trials
    model = na.make_model("polynomial", n=4)
    rows, finals = [], {}
    for label, (impl, kw) in CONFIGS.items():
        settings = dict(t1=T1, n_save=2, save_states=False, **kw)
        res, first, best = best_of(lambda: na.recall(model, pats, cues, impl, **settings), repeats)
        steps = res.extras["n_steps"].data if "n_steps" in res.extras else np.array([np.nan])
        finals[label] = np.sign(res.final)
        rows.append({"N": N, "config": label, "trials": T, "per_trial_s": best / T,
                     "compile_s": max(first - best, 0.0), "steps": int(np.max(steps)),
                     "accuracy": na.metrics.summarize(res, pats)["accuracy"]})
    ref = finals["ideal-ode n=4 (baseline)"]
    base = rows[-1]["per_trial_s"]
    for r in rows:
        r["agree"] = float(np.mean(np.all(finals[r["config"]] == ref, axis=1)))
        r["ratio"] = r["per_trial_s"] / base
    # one vector-field evaluation per trial, batched over the same T trials
    net = AstrocyteNetwork(pats.xi, AstrocyteParams())
    y0, _ = jax.vmap(net.init)(jnp.asarray(cues.states))
    free = jnp.ones((T, N))
    t_astro = _vf_time(jax.jit(jax.vmap(net.vector_field)), (y0, free)) / T
    prob = make_problem(model.bind(pats), pats, jnp.float32)
    yi = jax.vmap(prob.init)(jnp.asarray(cues.states))
    t_ideal = _vf_time(jax.jit(jax.vmap(prob.vector_field)), (yi, jnp.ones_like(yi))) / T
    for r in rows:
        r["vf_astro_s"], r["vf_ideal_s"] = t_astro, t_ideal
    return rows


def markdown(rows: list[dict], mach: dict) -> str:
    lines = [
        f"**Machine.** {mach['cpu']}, {mach['usable_cpus']} usable / {mach['logical_cpus']} "
        f"logical CPUs, {mach['platform']}, JAX devices {mach['devices']}. Python "
        f"{mach['python']}, jax/jaxlib {mach['jax']}/{mach['jaxlib']}, diffrax {mach['diffrax']}, "
        f"equinox {mach['equinox']}, numpy {mach['numpy']}. Run on {mach['date_utc']} UTC; "
        f"1-minute load average {mach['load_1min']:.1f} at the start and "
        f"{mach.get('load_end', float('nan')):.1f} at the end (shared cores).",
        "",
        "| N | implementation | trials | time per trial | × ideal | compile | steps (max) | "
        "accuracy | same final state as ideal | one VF eval per trial (astro / ideal) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['N']} | {r['config']} | {r['trials']} | {r['per_trial_s'] * 1e3:.1f} ms | "
            f"{r['ratio']:.0f}× | {r['compile_s']:.1f} s | {r['steps']} | {r['accuracy']:.2f} | "
            f"{r['agree']:.2f} | {r['vf_astro_s'] * 1e3:.3f} / {r['vf_ideal_s'] * 1e3:.4f} ms |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="200,500,1000")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--markdown", default=None, help="also write the table to this file")
    ap.add_argument("--reduction", default=None, help="also draw the reduction figure here")
    ap.add_argument("--only-reduction", action="store_true", help="skip the timings")
    args = ap.parse_args()
    if args.reduction:
        from astrocyte_reduction import main as reduction_main

        reduction_main(["--out", args.reduction])
    if args.only_reduction:
        return
    mach = machine()
    rows = []
    for N in (int(n) for n in args.sizes.split(",")):
        t = time.perf_counter()
        rows += bench_size(N, args.repeats if N < 1000 else max(1, args.repeats - 1))
        print(f"N={N}: done in {time.perf_counter() - t:.0f} s", flush=True)
    mach["load_end"] = os.getloadavg()[0]
    text = markdown(rows, mach)
    print(text)
    if args.markdown:
        with open(args.markdown, "w", encoding="utf-8") as fh:
            fh.write(text + "\n")


if __name__ == "__main__":
    main()
