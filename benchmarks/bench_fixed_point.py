"""Fixed-point recall (``ideal-fixed-point``) against the NumPy dt = τ Euler loop, side by side.

The setup of ``bench_ideal.py`` (first section of RESULTS.md): LSE one-layer,
β = 0.01, D = 1024, K = 256 random ±1 patterns (``random_binary(K=256, D=1024, seed=0)``),
1024 cues with 10 % of their signs flipped (``cues.flip(rate=0.1, trials_per_pattern=4,
seed=1)``), float32.

* **NumPy, same stop** — the batched NumPy loop x ← ξᵀ softmax(β(ξx − ½‖ξ‖²)) (Euler
  with dt = τ, the modern-Hopfield update) with the fixed-point mode's own per-trial stop:
  a trial is frozen once an iteration moves none of its entries by ``tol`` or more.
  Every iteration computes all 1024 rows, like the loop of RESULTS.md.
* **NumPy, RESULTS.md** — ``bench_ideal.euler_numpy`` with dt = τ: the loop of
  RESULTS.md's first section (frozen once RMS(dx/dt) < 1e-4, before stepping).
* **ideal-fixed-point** — ``neuroam.recall(..., "ideal-fixed-point", save_states=False)``:
  the whole call (binding, the compiled loop, energies and overlaps saved at every
  iteration, the result and its cost estimate); also with ``save_states=True``.

Warm = best of ``--repeats`` rounds after one compiling call; the cases run interleaved
in each round (same load). Agreement: max |Δ| of the final states against both NumPy
loops and against ``ideal-ode``'s final states (its defaults, one call), and whether
every trial ends nearest to its cued pattern. Reports, never asserts.

    python benchmarks/bench_fixed_point.py [--repeats 7] [--tol 1e-5] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine, machine_line  # noqa: E402
from bench_ideal import lse_current  # noqa: E402

D, K, RATE, TPP, BETA = 1024, 256, 0.10, 4, 0.01
GOAL = 1.3  # issue 14: fixed-point mode ≤ 1.3 × the NumPy dt = τ loop


def numpy_fixed_point(x0, xi, b, beta, tol, max_iters=100):
    """Batched NumPy dt = τ Euler (modern-Hopfield) loop with a per-trial stop at max |Δx| < tol."""
    x = x0.copy()
    active = np.ones(x.shape[0], dtype=bool)
    steps = np.zeros(x.shape[0], dtype=np.int64)
    evals = 0
    for _ in range(max_iters):
        evals += 1
        new = lse_current(x, xi, b, beta)  # the input current = the next state (T, D)
        active &= ~(np.abs(new - x).max(axis=1) < tol)  # a step that moves nothing is not taken
        x = np.where(active[:, None], new, x)
        steps += active
        if not active.any():
            break
    return x, steps, evals


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=7, help="warm rounds (best of them is reported)")
    ap.add_argument("--tol", type=float, default=1e-5, help="fixed-point tol (max |Δx| per iteration)")
    ap.add_argument("--json", metavar="PATH", help="also write every number to this JSON file")
    args = ap.parse_args(argv)

    import neuroam as na
    from bench_ideal import euler_numpy, lse_parts

    load0 = os.getloadavg()[0]
    pats = na.patterns.random_binary(K=K, D=D, seed=0)
    cues = na.cues.flip(pats, RATE, trials_per_pattern=TPP, seed=1)
    model = na.make_model("lse", beta=BETA)
    xi, b, beta = lse_parts(pats, BETA)
    x0 = np.asarray(cues.states, np.float32)
    print(f"bench_fixed_point: {machine_line()}", flush=True)

    def fp(save_states):
        return lambda: na.recall(model, pats, cues, "ideal-fixed-point", tol=args.tol,
                                 save_states=save_states)

    cases = {
        "numpy_same_stop": lambda: numpy_fixed_point(x0, xi, b, beta, args.tol),
        "numpy_results_md": lambda: euler_numpy(x0, xi, b, beta, 1.0),
        "fixed_point": fp(False),
        "fixed_point_states": fp(True),
    }
    first, out = {}, {}
    for name, f in cases.items():
        t = time.perf_counter()
        out[name] = f()
        first[name] = time.perf_counter() - t
    times = {name: [] for name in cases}
    for _ in range(args.repeats):
        for name, f in cases.items():
            t = time.perf_counter()
            f()
            times[name].append(time.perf_counter() - t)
    best = {k: min(v) for k, v in times.items()}
    median = {k: statistics.median(v) for k, v in times.items()}

    res = out["fixed_point"]
    ode = na.recall(model, pats, cues, "ideal-ode", save_states=False)  # its defaults
    ode_tight = na.recall(model, pats, cues, "ideal-ode", save_states=False, rtol=1e-6, atol=1e-8,
                          steady_tol=1e-5)
    x_same, steps_same, evals_same = out["numpy_same_stop"]
    x_md = out["numpy_results_md"][0]
    final = np.asarray(res.final, np.float32)
    targets = np.asarray(cues.targets)

    def on_target(x):
        return float(np.mean((x @ xi.T).argmax(axis=1) == targets))

    n_iter = np.asarray(res.extras["n_steps"].data)
    report = {
        "machine": {**machine(), "load_1min_start": load0, "load_1min_end": os.getloadavg()[0]},
        "setup": {"model": model.describe(), "patterns": "random_binary(K=256, D=1024, seed=0)",
                  "cues": f"flip(rate={RATE}, trials_per_pattern={TPP}, seed=1)",
                  "trials": cues.n_trials, "tol": args.tol, "repeats": args.repeats},
        "best_s": best, "median_s": median, "first_call_s": first,
        "ratio_vs_numpy_same_stop": best["fixed_point"] / best["numpy_same_stop"],
        "ratio_vs_numpy_results_md": best["fixed_point"] / best["numpy_results_md"],
        "ratio_states_vs_numpy_same_stop": best["fixed_point_states"] / best["numpy_same_stop"],
        "paired_median_ratio": statistics.median(
            a / b for a, b in zip(times["fixed_point"], times["numpy_same_stop"])),
        "iterations": {"fixed_point_evals_max": int(n_iter.max()),
                       "fixed_point_applied_max": int(np.nanmax(res.converge_time)),
                       "fixed_point_applied_median": float(np.nanmedian(res.converge_time)),
                       "numpy_same_stop_applied_max": int(steps_same.max()),
                       "numpy_same_stop_evals": int(evals_same),
                       "numpy_results_md_vf_evals": int(out["numpy_results_md"][2]),
                       "converged_fraction": float(np.mean(res.status == na.results.Status.CONVERGED)),
                       "converge_iteration_max": float(np.nanmax(res.converge_time))},
        "agreement": {"max_abs_vs_numpy_same_stop": float(np.abs(final - x_same).max()),
                      "max_abs_vs_numpy_results_md": float(np.abs(final - x_md).max()),
                      "max_abs_vs_ideal_ode": float(np.abs(final - np.asarray(ode.final)).max()),
                      "max_abs_vs_ideal_ode_tight": float(np.abs(final - np.asarray(ode_tight.final)).max()),
                      "ideal_ode_tight_converged": float(np.mean(ode_tight.status == na.results.Status.CONVERGED)),
                      "on_target_fixed_point": on_target(final),
                      "on_target_ideal_ode": on_target(np.asarray(ode.final, np.float32)),
                      "energy_never_increases": float(np.mean(
                          na.metrics.energy_monotone(np.asarray(res.energies)))),
                      "energy_largest_relative_rise": float(
                          na.metrics.energy_increase(np.asarray(res.energies)).max())},
    }
    print_table(report)
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(report, fh, indent=2, default=float)
        print(f"\nwrote {args.json}")
    return 0


def print_table(r) -> None:
    b, m, it, ag = r["best_s"], r["median_s"], r["iterations"], r["agreement"]
    print("\nFixed-point recall (LSE β = 0.01, D = 1024, K = 256, 1024 trials, float32, "
          f"tol {r['setup']['tol']:g}); best of {r['setup']['repeats']} (median)")
    print(f"  NumPy dt = τ loop, same stop          {b['numpy_same_stop']:7.3f} s ({m['numpy_same_stop']:.3f})"
          f"  {it['numpy_same_stop_evals']} map evaluations, ≤ {it['numpy_same_stop_applied_max']} steps taken")
    print(f"  NumPy dt = τ loop of RESULTS.md       {b['numpy_results_md']:7.3f} s ({m['numpy_results_md']:.3f})"
          f"  {it['numpy_results_md_vf_evals']} VF evaluations")
    print(f"  ideal-fixed-point, save_states=False  {b['fixed_point']:7.3f} s ({m['fixed_point']:.3f})"
          f"  {it['fixed_point_evals_max']} map evaluations, ≤ {it['fixed_point_applied_max']} steps taken "
          f"(median {it['fixed_point_applied_median']:.0f}); first call {r['first_call_s']['fixed_point']:.2f} s")
    print(f"  ideal-fixed-point, save_states=True   {b['fixed_point_states']:7.3f} s ({m['fixed_point_states']:.3f})")
    print(f"  ratio fixed-point / NumPy same stop   {r['ratio_vs_numpy_same_stop']:7.2f} ×  (paired median "
          f"{r['paired_median_ratio']:.2f} ×); goal ≤ {GOAL} ×: "
          f"{'met' if r['ratio_vs_numpy_same_stop'] <= GOAL else 'NOT met'}")
    print(f"  ratio fixed-point / NumPy RESULTS.md  {r['ratio_vs_numpy_results_md']:7.2f} ×")
    print(f"  final states: max |Δ| vs NumPy same stop {ag['max_abs_vs_numpy_same_stop']:.1e}, vs NumPy "
          f"RESULTS.md {ag['max_abs_vs_numpy_results_md']:.1e}, vs ideal-ode {ag['max_abs_vs_ideal_ode']:.1e} "
          f"(its defaults; steady_tol 1e-3) and {ag['max_abs_vs_ideal_ode_tight']:.1e} (rtol 1e-6, steady_tol "
          f"1e-5; converged {ag['ideal_ode_tight_converged']:.0%}); "
          f"on target {ag['on_target_fixed_point']:.1%} (ideal-ode {ag['on_target_ideal_ode']:.1%}); "
          f"converged {it['converged_fraction']:.1%}; "
          f"energy never rose by > 1e-5 (1 + |E|) in {ag['energy_never_increases']:.1%} of trials (largest "
          f"rise {ag['energy_largest_relative_rise']:.1e}: float32 round-off of E ≈ ½‖x‖² − β⁻¹ lse, terms ~500)")
    mc = r["machine"]
    print(f"  load (1 min) {mc['load_1min_start']:.2f} at start, {mc['load_1min_end']:.2f} at end "
          f"on {mc['usable_cpus']} usable CPUs")


if __name__ == "__main__":
    sys.exit(main())
