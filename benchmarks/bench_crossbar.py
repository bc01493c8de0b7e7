#!/usr/bin/env python
"""Crossbar benchmark: recall with every non-ideality against ideal recall, and IR-drop solves.

One process measures, each against a baseline measured in that same process:

1. recall time of ``crossbar`` against ``ideal-discrete`` (synchronous sign updates) on
   the same Hopfield network, patterns and cues: D = 256 neurons, K = 16 patterns, 512
   cues, Hebbian weights. The crossbar has every non-ideality on: PCM devices (programming
   noise, read noise redrawn at every read, drift to 1 day, 1/f noise, global drift
   compensation), 1 % stuck devices in clusters, 64×128-device tiles (4×4 tiles for
   256×256 weights, partial sums added after the ADCs), differential pairs, 7-bit DAC,
   9-bit ADC, output noise, IR drop (first order). Warm times (compiled), best and median
   of N rounds in which the cases run side by side (so that a change of load hits all of
   them), and the median of the rounds' ratios; programming and the time per sweep of
   the rest are also given since runs stop after different numbers of sweeps. A third
   case has 10 % stuck devices: recall then fails and every trial runs all sweeps;
2. the exact IR-drop solve (one input vector, all node voltages, preconditioned CG) for
   N×N tiles, N = 32 … 512, PCM and RRAM conductances, 1 Ω wires; against a direct sparse
   LU solve (scipy ``spsolve``) of the same nodal equations where it finishes in time, and
   the first-order mode. With ``--ngspice`` also ngspice's operating point on small tiles.

It reports and never asserts. Usage: ``.venv/bin/python benchmarks/bench_crossbar.py
[--quick] [--ngspice] [--repeats N] [--seed S] [--noise-margin K] [--recall-only]``.
Takes one to two minutes on two CPU cores.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import shutil
import subprocess
import tempfile
import time

import numpy as np
import scipy
import scipy.sparse as sp
import scipy.sparse.linalg as sla

import jax

import neuroam as na
from neuroam.crossbar import ir_drop, write_netlist

D, K, TPP, SWEEPS = 256, 16, 32, 30


def machine() -> str:
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as fh:
            cpu = next(l.split(":", 1)[1].strip() for l in fh if l.startswith("model name"))
    except (OSError, StopIteration):
        cpu = platform.processor() or "unknown"
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    blas = os.environ.get("OPENBLAS_NUM_THREADS", "default")
    return (f"{cpu}, {cores} usable CPUs (OPENBLAS_NUM_THREADS {blas}), {platform.system()} "
            f"{platform.release()}, Python "
            f"{platform.python_version()}, jax {jax.__version__} on {jax.devices()[0]}, numpy "
            f"{np.__version__}, scipy {scipy.__version__}, "
            f"{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC, "
            f"1-min load {load:.1f}")


def best(fn, n):
    times, out = [], None
    for _ in range(n):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return min(times), float(np.median(times)), out


def _recall_cases(seed: int, noise_margin: float | None):
    pats = na.patterns.random_binary(K=K, D=D, seed=0)
    cues = na.cues.flip(pats, rate=0.1, trials_per_pattern=TPP, seed=1)
    model = na.make_model("hopfield", rule="hebbian")
    every = dict(device="pcm-aihwkit", circuit="crossbar-64", fault_kind="stuck",
                 fault_model="clustered", drift_time=86400.0, drift_compensation=True,
                 ir_drop="approximate", n_draws=1, max_steps=SWEEPS, save_states=False)
    if noise_margin is not None:
        every["noise_margin"] = noise_margin
    cases = {
        "ideal-discrete": lambda: na.recall(model, pats, cues, "ideal-discrete", mode="sync",
                                            max_sweeps=SWEEPS, save_states=False, seed=seed),
        "crossbar": lambda: na.recall(model, pats, cues, "crossbar", fault_rate=0.01,
                                      seed=seed, **every),
        "crossbar, 10% stuck": lambda: na.recall(model, pats, cues, "crossbar",
                                                 fault_rate=0.1, seed=seed, **every),
    }
    return pats, cases


def bench_recall(n, seed=0, noise_margin=None):
    """Every case once to compile, then ``n`` rounds, each case once per round (the
    cases side by side in time, so that a change of load hits all of them)."""
    pats, cases = _recall_cases(seed, noise_margin)
    first, times, prog, res = {}, {k: [] for k in cases}, {k: [] for k in cases}, {}
    for name, fn in cases.items():
        t0 = time.perf_counter()
        fn()
        first[name] = time.perf_counter() - t0
    for _ in range(n):
        for name, fn in cases.items():
            t0 = time.perf_counter()
            res[name] = fn()
            times[name].append(time.perf_counter() - t0)
            prog[name].append(float(res[name].attrs.get("program_time_s", 0.0)))
    out = {}
    for name, r in res.items():
        steps = (r.extras["n_steps"].data if "n_steps" in r.extras
                 else np.where(np.isfinite(r.converge_time), r.converge_time + 1, SWEEPS))
        t_best = min(times[name])
        p = min(prog[name])
        acc = na.metrics.summarize(r, pats)
        out[name] = dict(first=first[name], best=t_best, median=float(np.median(times[name])),
                         times=times[name], sweeps=int(np.max(steps)),
                         mean_sweeps=float(np.mean(steps)), prog=p,
                         loop=(t_best - p) / max(int(np.max(steps)), 1),
                         not_converged=int(np.sum(r.status != 0)), acc=acc["accuracy"],
                         overlap=acc["mean_final_overlap"])
    return out


def _direct(G, r, V):
    R, C = G.shape
    n, gw = R * C, 1.0 / r
    idx = np.arange(n).reshape(R, C)
    a = np.concatenate([idx[:, :-1].ravel(), idx.ravel(), n + idx[:-1].ravel()])
    b = np.concatenate([idx[:, 1:].ravel(), n + idx.ravel(), n + idx[1:].ravel()])
    g = np.concatenate([np.full(R * (C - 1), gw), G.ravel(), np.full((R - 1) * C, gw)])
    diag = np.bincount(a, g, 2 * n) + np.bincount(b, g, 2 * n)
    diag[idx[:, 0]] += gw
    diag[n + idx[-1]] += gw
    A = sp.csc_matrix((np.concatenate([-g, -g, diag]),
                       (np.concatenate([a, b, np.arange(2 * n)]),
                        np.concatenate([b, a, np.arange(2 * n)]))), shape=(2 * n, 2 * n))
    rhs = np.zeros(2 * n)
    rhs[idx[:, 0]] = gw * V
    return gw * sla.spsolve(A, rhs)[n + idx[-1]]


def bench_ir(sizes, n, with_spice):
    rng = np.random.default_rng(0)
    rows = []
    for N in sizes:
        for tech, lo, hi in (("PCM", 0.25e-6, 25e-6), ("RRAM", 50e-6, 225e-6)):
            G = rng.uniform(lo, hi, (N, N))
            V = np.full(N, 0.2)
            t_exact, _, I = best(lambda: ir_drop.solve(G, 1.0, V), n)
            t_approx, _, A = best(lambda: ir_drop.approximate(G, 1.0), n)
            drop = float(np.max(1 - I / (G.T @ V)))
            err = float(np.max(np.abs(A.T @ V - I) / I))
            row = dict(N=N, tech=tech, rGN2=1.0 * G.mean() * N * N, exact=t_exact,
                       approx=t_approx, drop=drop, approx_err=err, direct=None, spice=None)
            if N <= 256:
                t_direct, _, I0 = best(lambda: _direct(G, 1.0, V), 1)
                row["direct"] = t_direct
                row["direct_err"] = float(np.max(np.abs(I - I0) / I0))
            if with_spice and N <= 64 and shutil.which("ngspice"):
                with tempfile.TemporaryDirectory() as tmp:
                    path = os.path.join(tmp, "t.cir")
                    write_netlist(path, G, 1.0, V)
                    t = time.perf_counter()
                    subprocess.run(["ngspice", "-b", path], capture_output=True, check=False)
                    row["spice"] = time.perf_counter() - t
            rows.append(row)
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer repeats, sizes up to 256")
    ap.add_argument("--ngspice", action="store_true", help="also time ngspice on N ≤ 64")
    ap.add_argument("--repeats", type=int, default=None, help="warm rounds (default 3; "
                    "2 with --quick)")
    ap.add_argument("--seed", type=int, default=0, help="seed of the recall runs (chips, "
                    "read noise)")
    ap.add_argument("--noise-margin", type=float, default=None,
                    help="crossbar noise_margin (default: the setting's default)")
    ap.add_argument("--recall-only", action="store_true", help="skip the IR-drop part")
    args = ap.parse_args()
    n = args.repeats or (2 if args.quick else 3)
    print(f"machine: {machine()}\n")
    rec = bench_recall(n, args.seed, args.noise_margin)
    print(f"1. recall, Hopfield D={D}, K={K}, {K * TPP} cues, sync, ≤ {SWEEPS} sweeps, seed "
          f"{args.seed} (warm: best and median of {n} rounds, the cases side by side in each; "
          "first call includes compilation)")
    for name, r in rec.items():
        print(f"   {name:20s} first {r['first']:6.2f} s  best {r['best']:6.3f} s  median "
              f"{r['median']:6.3f} s  sweeps max {r['sweeps']:3d} mean {r['mean_sweeps']:5.2f}"
              f"  not converged {r['not_converged']:3d}  programming {r['prog']:.3f} s  "
              f"rest/sweep {1e3 * r['loop']:6.2f} ms  accuracy {r['acc']:.3f}")
    i = rec["ideal-discrete"]
    for name in ("crossbar", "crossbar, 10% stuck"):
        x = rec[name]
        per_round = np.median(np.array(x["times"]) / np.array(i["times"]))
        print(f"   ratio {name}/ideal: best/best {x['best'] / i['best']:.2f}x, median of the "
              f"rounds' ratios {per_round:.2f}x (goal ≤ 3x)")
    if args.recall_only:
        return
    print()
    sizes = (32, 64, 128, 256) if args.quick else (32, 64, 128, 256, 512)
    print("2. IR drop, one input vector on all rows (0.2 V), wires 1 Ω per segment "
          f"(best of {n}; goal exact ≤ 1 s at 256×256)")
    for r in bench_ir(sizes, n, args.ngspice):
        direct = "–" if r["direct"] is None else f"{r['direct']:.3f} s (Δ {r['direct_err']:.1e})"
        spice = "" if r["spice"] is None else f"  ngspice {r['spice']:.2f} s"
        print(f"   {r['N']:4d}×{r['N']:<4d} {r['tech']:4s} r·G·N²={r['rGN2']:7.3f}  exact "
              f"{r['exact']:7.3f} s  direct LU {direct:22s} first-order {1e3 * r['approx']:7.2f} "
              f"ms (err {r['approx_err']:.1e})  max drop {100 * r['drop']:5.1f} %{spice}")


if __name__ == "__main__":
    main()
