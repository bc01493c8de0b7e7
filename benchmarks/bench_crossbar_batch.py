#!/usr/bin/env python
"""Batched crossbar recall against one run at a time, on the fault-tolerance workload.

The workload of ``scenarios/fault_tolerance.toml``: D = 64 neurons, K = 10 random ±1
patterns, every pattern cued twice with 10 % of its signs flipped, HfO2 RRAM on the
``crossbar-64`` circuit, synchronous sign updates (≤ 100 sweeps), 4 chips per run, no
saved states; per rule 2 fault kinds × 8 fault rates × 3 seeds = 48 runs, 5 rules
(hebbian, storkey, pseudo-inverse, fault-aware, and the bipartite exponential DenseAM of
the scenario's model): 240 runs. Seed s draws its patterns (seed s) and cues (seed
1000 + s) and is the run's seed, as in a study each seed has its own patterns.

Measured side by side in one process: the 240 runs one by one through
``Crossbar.recall`` against 5 ``Crossbar.recall_batch`` calls (one per rule, 48 runs
padded to 64). "cold" is the first pass of each (every compilation included: recall
loop, fault-aware training; the one-by-one pass runs first, so shared caches such as
the plan's learning rules are warm for the batched pass), "warm" the best of
``--repeats`` further passes (nothing compiles). Also checks that the batched runs give
the final states of the lone runs. ``--all-at-once`` adds the batched call with every
run of the batch in one vmap (what accelerators get; on CPUs the batch trains one run
per step and recalls in lockstep groups of ~256 lanes, see
:func:`neuroam.crossbar.batch.runs_per_step`). Prints a markdown table. Usage:
``.venv/bin/python benchmarks/bench_crossbar_batch.py [--repeats 1] [--rules hebbian,model]
[--all-at-once]``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("JAX_PLATFORMS", "cpu")
sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402

import neuroam as na  # noqa: E402
import neuroam.implementations.crossbar as crossbar_impl  # noqa: E402
from _common import machine_line  # noqa: E402
from neuroam.dynamics.common import TRACES  # noqa: E402
from neuroam.implementations.base import RecallJob  # noqa: E402

RULES = ("hebbian", "storkey", "pseudo-inverse", "fault-aware", "model")
KINDS = ("zero", "stuck")
RATES = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.75)
SEEDS = (0, 1, 2)
XBAR = na.implementations.get("crossbar")
MODEL = na.make_model("exponential", form="bipartite")


def jobs_of(rule: str) -> list[RecallJob]:
    """The 48 runs of one rule, in the scenario's grid order."""
    inputs = {}
    for s in SEEDS:
        pats = na.patterns.random_binary(K=10, D=64, seed=s)
        inputs[s] = pats, na.cues.flip(pats, rate=0.1, trials_per_pattern=2, seed=1000 + s)
    return [RecallJob(MODEL, *inputs[s], XBAR.settings(
        device="rram-hfo2", circuit="crossbar-64", dynamics="sync", max_steps=100, n_draws=4,
        save_states=False, rule=rule, fault_kind=kind, fault_rate=rate), s)
        for kind in KINDS for rate in RATES for s in SEEDS]


def one_by_one(jobs):
    return [XBAR.recall(j.model, j.patterns, j.cues, j.settings, seed=j.seed) for j in jobs]


def all_at_once(jobs):
    """The batched call with every run in one vmap, whatever the backend."""
    default = crossbar_impl.runs_per_step
    crossbar_impl.runs_per_step = lambda: None
    try:
        return XBAR.recall_batch(jobs)
    finally:
        crossbar_impl.runs_per_step = default


def timed(fn, *args):
    t = time.perf_counter()
    out = fn(*args)
    return out, time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=1, help="warm passes (best of)")
    ap.add_argument("--rules", default=",".join(RULES), help="comma-separated subset")
    ap.add_argument("--all-at-once", action="store_true",
                    help="also time the batch with every run in one vmap")
    args = ap.parse_args()
    rules = args.rules.split(",")
    work = {r: jobs_of(r) for r in rules}
    rows, same = {}, {}
    traces0 = TRACES["crossbar"]
    for rule in rules:  # cold: one by one, then batched
        lone, t_lone = timed(one_by_one, work[rule])
        traces_lone = TRACES["crossbar"]
        batch, t_batch = timed(XBAR.recall_batch, work[rule])
        traces_batch = TRACES["crossbar"] - traces_lone
        rows[rule] = dict(lone_cold=t_lone, batch_cold=t_batch, lone_warm=np.inf,
                          batch_warm=np.inf, traces_batch=traces_batch, vmap_warm=np.inf)
        if args.all_at_once:
            rows[rule]["vmap_cold"] = timed(all_at_once, work[rule])[1]
        same[rule] = sum(np.array_equal(a.final, b.final) and np.array_equal(a.status, b.status)
                         for a, b in zip(lone, batch))
        print(f"{rule}: cold {t_lone:.1f} s one by one, {t_batch:.1f} s batched", flush=True)
    for _ in range(args.repeats):
        for rule in rules:
            rows[rule]["lone_warm"] = min(rows[rule]["lone_warm"],
                                          timed(one_by_one, work[rule])[1])
            rows[rule]["batch_warm"] = min(rows[rule]["batch_warm"],
                                           timed(XBAR.recall_batch, work[rule])[1])
            if args.all_at_once:
                rows[rule]["vmap_warm"] = min(rows[rule]["vmap_warm"],
                                              timed(all_at_once, work[rule])[1])
            print(f"{rule}: warm {rows[rule]['lone_warm']:.1f} s one by one, "
                  f"{rows[rule]['batch_warm']:.1f} s batched", flush=True)
    keys = ("lone_cold", "batch_cold", "lone_warm", "batch_warm")
    keys += ("vmap_cold", "vmap_warm") if args.all_at_once else ()
    total = {k: sum(r[k] for r in rows.values()) for k in keys}
    n_jobs = sum(len(j) for j in work.values())
    print()
    print(f"Machine: {machine_line()}")
    print(f"Recall-loop compilations: {TRACES['crossbar'] - traces0} in all "
          f"({', '.join(str(r['traces_batch']) for r in rows.values())} for the batched "
          "calls, one per rule)")
    print()
    extra = " all runs in one vmap, cold / warm |" if args.all_at_once else ""
    print("| rule | runs | one by one, cold | batched, cold | speed-up | one by one, warm | "
          "batched, warm | speed-up | same finals |" + extra)
    print("|---|---|---|---|---|---|---|---|---|" + ("---|" if extra else ""))
    for rule, r in [*rows.items(), ("**all**", total)]:
        n = len(work[rule]) if rule in work else n_jobs
        ok = same[rule] if rule in same else sum(same.values())
        vmap = f" {r['vmap_cold']:.1f} s / {r['vmap_warm']:.1f} s |" if extra else ""
        print(f"| {rule} | {n} | {r['lone_cold']:.1f} s | {r['batch_cold']:.1f} s | "
              f"{r['lone_cold'] / r['batch_cold']:.1f}× | {r['lone_warm']:.1f} s | "
              f"{r['batch_warm']:.1f} s | {r['lone_warm'] / r['batch_warm']:.1f}× | "
              f"{ok}/{n} |" + vmap)


if __name__ == "__main__":
    main()
