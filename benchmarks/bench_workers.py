"""Speed-up of a sweep on a local Dask cluster: 2 workers against 1, same process.

Two sweeps of the classical Hopfield network (ideal-discrete, D = 400, 16 runs each, a
few seconds of work per run):

- ``capacity``: 8 loads K = 24…80 × 2 seeds: runs of 8 shapes and unequal cost;
- ``seeds``: K = 48 × 16 seeds: runs of one shape and equal cost.

Configurations: ``in-process`` (no Dask: `neuroam run` without --workers, JAX free to
use every core), ``1 worker`` (given every CPU: what `--workers 1` does), ``1 worker, 1
CPU`` and ``2 workers`` (one CPU each: what `--workers 2` does on 2 cores). Clusters are
started before timing; a warm-up pass fills JAX's persistent compilation cache. Reports
the best of ``--repeats`` wall times per configuration and the ratios; the goal of the
issue is ≥ 1.7× for 2 workers over 1 on a 2-core machine. Run:
`.venv/bin/python benchmarks/bench_workers.py [--repeats 2]`.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import machine_line  # noqa: E402

SCENARIO = """
[scenario]
name = "bench-workers"
seed = 0
[patterns]
generator = "random_binary"
K = 40
D = 400
[model]
name = "hopfield"
rule = "hebbian"
[cues]
kind = "flip"
rate = 0.1
trials_per_pattern = 8
[implementations.ideal-discrete]
max_sweeps = 30
save_states = false
[save]
states = false
[sweep]
grid = { "patterns.K" = [24, 32, 40, 48, 56, 64, 72, 80] }
seeds = [0, 1]
"""

SWEEPS = {
    "capacity": SCENARIO,
    "seeds": SCENARIO.replace('grid = { "patterns.K" = [24, 32, 40, 48, 56, 64, 72, 80] }\n'
                              'seeds = [0, 1]', "seeds = " + str(list(range(16)))).replace(
                                  "K = 40", "K = 48"),
}

#: label -> DaskExecutor arguments (None: in-process)
CONFIGS = {
    "in-process": None,
    "1 worker": {"workers": 1},
    "1 worker, 1 CPU": {"workers": 1, "cpus_per_worker": 1},
    "2 workers": {"workers": 2},
}


def _time(sc, executor, repeats: int) -> float:
    from neuroam.sweep import run_study

    with tempfile.TemporaryDirectory() as d:  # warm-up: fills the compile caches
        run_study(sc, os.path.join(d, "warm"), executor=executor)
    best = float("inf")
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as d:
            t = time.perf_counter()
            run_study(sc, os.path.join(d, "o"), executor=executor)
            best = min(best, time.perf_counter() - t)
    return best


def main() -> int:
    import argparse

    from neuroam.scenario import loads_scenario
    from neuroam.sweep.distributed import DaskExecutor

    ap = argparse.ArgumentParser(description="2 Dask workers against 1 on a sweep")
    ap.add_argument("--repeats", type=int, default=2)
    args = ap.parse_args()
    rows = []
    for sweep, text in SWEEPS.items():
        sc = loads_scenario(text)
        times = {}
        for label, kw in CONFIGS.items():
            if kw is None:
                times[label] = _time(sc, None, args.repeats)
            else:
                with DaskExecutor(**kw) as ex:
                    times[label] = _time(sc, ex, args.repeats)
            print(f"{sweep}: {label}: {len(sc.runs())} runs in {times[label]:.2f} s", flush=True)
        rows.append((sweep, len(sc.runs()), times))
    print(f"\nmachine: {machine_line()}\n")
    print("| sweep | runs | " + " | ".join(CONFIGS) + " | 2 workers over 1 worker | "
          "2 workers over 1 worker, 1 CPU | 2 workers over in-process |")
    print("|" + " --- |" * (len(CONFIGS) + 5))
    for sweep, n, t in rows:
        print(f"| {sweep} | {n} | " + " | ".join(f"{t[c]:.1f} s" for c in CONFIGS)
              + f" | {t['1 worker'] / t['2 workers']:.2f}x | "
              f"{t['1 worker, 1 CPU'] / t['2 workers']:.2f}x | "
              f"{t['in-process'] / t['2 workers']:.2f}x |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
