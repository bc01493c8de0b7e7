#!/usr/bin/env python
"""Batched ideal recall: many runs one by one vs one ``recall_batch`` call.

One process measures, for each ideal implementation, the same jobs (one job = one run:
its own seed, patterns and cues) solved

1. one by one, ``[impl.recall_batch([job])[0] for job in jobs]`` (what ``recall()`` does),
2. as one batched call, ``impl.recall_batch(jobs)`` (runs stacked along a run axis, padded
   to the next power of two),

with compile included (the first pass of each mode: the two modes compile different
shapes) and excluded (best of ``--repeats`` warm passes), and the agreement of the
final states of every job between the two modes. Both modes include the host-side work
of a job (binding the model, building the result, the cost estimate). A batch of R runs
is padded to the next power of two (24 → 32): the padded runs cost lanes.

Setup: the quartic DenseAM ``make_model("polynomial", n=4)``, D = 100, K = 10, 40 cues
per run (4 per pattern, 20 % flips). ``ideal-ode`` (Tsit5, PID, steady stop, t1 = 20 τ)
and ``ideal-discrete`` (async) with 24 runs (seeds 0-23); ``ideal-sde`` (ShARK,
dt = 0.05 τ, t1 = 10 τ) with 8 runs at temperatures 0.002-0.05. Results keep 20 saved
times without full states. It reports and never asserts.

Usage: ``.venv/bin/python benchmarks/bench_ideal_batch.py [--repeats 2] [--quick]
[--runs 24] [--only ideal-ode,...] [--markdown out.md]``. About three minutes on two shared CPU cores.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

import neuroam as na
from neuroam.dynamics.common import TRACES
from neuroam.dynamics.runs import padded_runs
from neuroam.implementations import RecallJob, get

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import best_of, machine_line  # noqa: E402

D, K, PER, RATE = 100, 10, 4, 0.2
SAVE = {"n_save": 20, "save_states": False}
#: implementation -> (TRACES key, runs, settings of run i)
CASES = {
    "ideal-ode": ("ode", 24, lambda i: {**SAVE, "t1": 20.0}),
    "ideal-discrete": ("discrete", 24, lambda i: {"save_states": False}),
    "ideal-sde": ("sde", 8, lambda i: {**SAVE, "t1": 10.0,
                                       "temperature": float(np.linspace(0.002, 0.05, 8)[i])}),
}


def make_jobs(name: str, n_runs: int, settings) -> list[RecallJob]:
    """Run i: seed i, its own patterns and cues, ``settings(i)``."""
    impl, model = get(name), na.make_model("polynomial", n=4)
    jobs = []
    for i in range(n_runs):
        pats = na.patterns.random_binary(K=K, D=D, seed=1000 + i)
        cues = na.cues.flip(pats, rate=RATE, trials_per_pattern=PER, seed=2000 + i)
        jobs.append(RecallJob(model, pats, cues, impl.settings(**settings(i)), seed=i))
    return jobs


def bench(name: str, n_runs: int, trace_key: str, settings, repeats: int) -> dict:
    impl = get(name)
    jobs = make_jobs(name, n_runs, settings)
    t0 = TRACES[trace_key]
    lone, lone_first, lone_best = best_of(lambda: [impl.recall_batch([j])[0] for j in jobs], repeats)
    t1 = TRACES[trace_key]
    batch, batch_first, batch_best = best_of(lambda: impl.recall_batch(jobs), repeats)
    t2 = TRACES[trace_key]
    diff = max(float(np.max(np.abs(a.final - b.final))) for a, b in zip(lone, batch))
    acc = float(np.mean([na.metrics.summarize(r, j.patterns)["accuracy"] for r, j in zip(batch, jobs)]))
    return {"impl": name, "runs": n_runs, "trials": n_runs * len(jobs[0].cues),
            "lone_first": lone_first, "lone_best": lone_best, "batch_first": batch_first,
            "batch_best": batch_best, "traces_lone": t1 - t0, "traces_batch": t2 - t1,
            "max_diff": diff, "accuracy": acc}


def markdown(rows: list[dict]) -> str:
    lines = ["| implementation | runs (padded) × cues | one by one, compile incl. | batched, compile incl. "
             "| speed-up | one by one, warm | batched, warm | speed-up | compiles (lone / batch) "
             "| max abs Δ final | accuracy |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(
            f"| `{r['impl']}` | {r['runs']} (→ {padded_runs(r['runs'])}) × {r['trials'] // r['runs']} "
            f"| {r['lone_first']:.2f} s "
            f"| {r['batch_first']:.2f} s | **{r['lone_first'] / r['batch_first']:.1f}×** "
            f"| {r['lone_best']:.3f} s | {r['batch_best']:.3f} s "
            f"| **{r['lone_best'] / r['batch_best']:.1f}×** | {r['traces_lone']} / {r['traces_batch']} "
            f"| {r['max_diff']:.1e} | {r['accuracy']:.3f} |")
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    ap.add_argument("--repeats", type=int, default=2, help="warm passes per mode (best taken)")
    ap.add_argument("--quick", action="store_true", help="a quarter of the runs")
    ap.add_argument("--only", default=None, help="comma-separated implementations to run")
    ap.add_argument("--runs", type=int, default=None, help="runs of ideal-ode and ideal-discrete "
                    "(default 24)")
    ap.add_argument("--markdown", default=None, help="also write the table to this file")
    args = ap.parse_args(argv)
    only = set(args.only.split(",")) if args.only else set(CASES)
    print(f"Machine: {machine_line()}", flush=True)
    rows = []
    for name, (key, n_runs, settings) in CASES.items():
        if name not in only:
            continue
        if args.runs and name != "ideal-sde":
            n_runs = args.runs
        n = max(2, n_runs // 4) if args.quick else n_runs
        rows.append(bench(name, n, key, settings, args.repeats))
        print(f"{name}: done", flush=True)
    table = markdown(rows)
    print(table)
    if args.markdown:
        Path(args.markdown).write_text(f"Machine: {machine_line()}\n\n{table}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
