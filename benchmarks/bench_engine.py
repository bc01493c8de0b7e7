"""The study engine end to end: wall time, recall time and bookkeeping, peak memory, report.

1. ``fault_tolerance.toml`` through ``neuroam run``: wall time, the sum of the runs'
   recall time (``wall_time`` in /summary) and the bookkeeping share (wall − recall) /
   wall. With ``--old PATH`` (a checkout of an earlier commit, e.g. made with
   ``git worktree add /tmp/neuroam-old <commit>``) the same scenario also runs through
   that code, with the same interpreter and packages, in the same session.
2. Peak resident memory of a study of 240 runs and of 2400 runs (the same scenario with
   ten times the seeds): with results streamed to disk it must not grow with the runs.
3. ``neuroam report`` on an existing results file (``--report FILE``, e.g. the results of
   ``kuramoto_dense.toml``).

    python benchmarks/bench_engine.py [--old /tmp/neuroam-old] [--report results.h5]
                                      [--scenario fault_tolerance] [--skip-rss]

Prints a markdown table; numbers depend on the machine's load (the machine line says).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine_line  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]

RSS_STUDY = """
[scenario]
name = "rss"
seed = 0
[patterns]
generator = "random_binary"
K = 10
D = 128
[model]
name = "hopfield"
rule = "hebbian"
[cues]
kind = "flip"
rate = 0.1
trials_per_pattern = 10
[implementations.ideal-discrete]
mode = "sync"
[sweep]
grid = {{ "cues.rate" = [0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4] }}
seeds = {seeds}
"""


def _run(cmd: list[str], env: dict | None = None, cwd: Path | None = None) -> tuple[float, float]:
    """``(wall s, peak RSS of the command MiB)``."""
    t0 = time.perf_counter()
    rss = _peak_rss(cmd, env or dict(os.environ), cwd)
    return time.perf_counter() - t0, rss


def _recall_sum(results: Path) -> float:
    import h5py

    with h5py.File(results, "r") as f:
        return float(np.sum(f["summary"]["wall_time"][...]))


def _peak_rss(cmd: list[str], env: dict, cwd: Path | None = None) -> float:
    """Peak RSS (MiB) of one child, measured by a fresh wrapper process (so that earlier
    children do not count); raises when the command fails."""
    code = ("import resource, subprocess, sys; r = subprocess.run(sys.argv[1:], "
            "stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True); "
            "sys.stderr.write(r.stderr[-3000:] if r.returncode not in (0, 1) else ''); "
            "print(r.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    out = subprocess.run([sys.executable, "-c", code, *cmd], env=env, capture_output=True,
                         text=True, cwd=cwd)
    rc, kb = out.stdout.strip().splitlines()[-1].split()
    if int(rc) not in (0, 1):
        raise RuntimeError(f"{' '.join(cmd)} exited {rc}: {out.stderr}")
    return float(kb) / 1024.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default="fault_tolerance")
    ap.add_argument("--old", type=Path, help="checkout of an earlier neuroam to compare with")
    ap.add_argument("--report", type=Path, help="results.h5 to time `neuroam report` on")
    ap.add_argument("--skip-rss", action="store_true")
    args = ap.parse_args()
    env = {**os.environ, "JAX_PLATFORMS": "cpu"}
    scen = ROOT / "scenarios" / f"{args.scenario}.toml"
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        # (label, environment, working directory, scenario file, extra CLI arguments);
        # `python -m` puts the working directory first on sys.path, so the old code runs
        # from its own checkout
        versions = [("this checkout", env, ROOT, scen, []),
                    ("this checkout, --threads 1", env, ROOT, scen, ["--threads", "1"])]
        if args.old:
            old = args.old.resolve()
            old_scen = old / "scenarios" / scen.name
            versions += [(f"old checkout ({old.name}), its scenario file",
                          {**env, "PYTHONPATH": str(old)}, old, old_scen, []),
                         ("this checkout, the old scenario file", env, ROOT, old_scen, [])]
        for i, (name, e, cwd, path, extra) in enumerate(versions):
            out = tmp / f"v{i}"
            wall, rss = _run([sys.executable, "-m", "neuroam", "run", str(path), "--out",
                              str(out), "--no-progress", *extra], e, cwd)
            rec = _recall_sum(out / "results.h5")
            rows.append((f"{args.scenario} end to end, {name}", f"{wall:.1f} s",
                         f"recall {rec:.1f} s (sum over runs), bookkeeping "
                         f"{(wall - rec) / wall:.0%}, peak RSS {rss:.0f} MiB"))
        if not args.skip_rss:
            rss = {}
            for seeds in (30, 300):
                s = tmp / f"rss{seeds}.toml"
                s.write_text(RSS_STUDY.format(seeds=list(range(seeds))))
                rss[seeds] = _peak_rss([sys.executable, "-m", "neuroam", "run", str(s),
                                        "--out", str(tmp / f"rss{seeds}"), "--no-progress"],
                                       env)
            rows.append(("peak RSS, 240 vs 2400 runs (ideal-discrete, D = 128, 100 cues, "
                         "states saved)", f"{rss[30]:.0f} / {rss[300]:.0f} MiB",
                         f"ratio {rss[300] / rss[30]:.2f}"))
        if args.report:
            t0 = time.perf_counter()
            subprocess.run([sys.executable, "-m", "neuroam", "report", str(args.report),
                            "--out", str(tmp / "report")], env=env, check=True,
                           stdout=subprocess.DEVNULL)
            rows.append((f"neuroam report {args.report.name}",
                         f"{time.perf_counter() - t0:.1f} s", ""))
    print(f"Machine: {machine_line()}\n")
    print("| measurement | value | notes |\n| --- | --- | --- |")
    for r in rows:
        print(f"| {r[0]} | {r[1]} | {r[2]} |")


if __name__ == "__main__":
    main()
