"""Speed-up of a sweep on a local Dask cluster: 2 workers against 1, same process.

The sweep is the classical Hopfield capacity curve (ideal-discrete, D = 400, 8 loads ×
2 seeds = 16 runs, each a few seconds of work). Both clusters are started before
timing; a warm-up pass fills JAX's persistent compilation cache so that neither timing
includes XLA compilation of the solver. Reports wall time per configuration and the
ratio (goal ≥ 1.7× on a 2-core machine). Run: `.venv/bin/python benchmarks/bench_workers.py`.
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


def main() -> int:
    from neuroam.scenario import loads_scenario
    from neuroam.sweep import run_study
    from neuroam.sweep.distributed import DaskExecutor

    sc = loads_scenario(SCENARIO)
    n_runs = len(sc.runs())
    times = {}
    for workers in (1, 2):
        t0 = time.perf_counter()
        with DaskExecutor(workers=workers) as ex:
            start = time.perf_counter() - t0
            with tempfile.TemporaryDirectory() as d:  # warm-up: fills the compile cache
                run_study(sc, os.path.join(d, "warm"), executor=ex)
            reps = []
            for _ in range(2):
                with tempfile.TemporaryDirectory() as d:
                    t = time.perf_counter()
                    run_study(sc, os.path.join(d, "o"), executor=ex)
                    reps.append(time.perf_counter() - t)
        times[workers] = (min(reps), start)
        print(f"workers={workers}: sweep of {n_runs} runs {min(reps):.2f} s (best of {len(reps)}), "
              f"cluster start {start:.1f} s", flush=True)
    ratio = times[1][0] / times[2][0]
    print(f"machine: {machine_line()}")
    print(f"speed-up of 2 workers over 1: {ratio:.2f}x (goal >= 1.7x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
