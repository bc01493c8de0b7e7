#!/usr/bin/env python
"""Ideal recall benchmark: LSE model, D=1024, K=256, 1024 trials, JAX on CPU.

One process measures, each against a baseline measured in that same process:

1. the batched (1024-trial) vector field that the ODE solver integrates, built from the
   same code (``make_problem(...).vector_field`` under ``jax.vmap``), against its
   matrix-product floor: the two jitted matmuls scores = G @ ξᵀ and drive = F @ ξ;
2. the compile time of the ODE solve (first call minus the warm call, plus JAX's own
   trace/lower/XLA-compile durations);
3. the warm time-to-converge of ``neuroam.recall(..., "ideal-ode")`` (Tsit5, PID control,
   steady-state stop) against a hand-written, batched NumPy fixed-step Euler loop
   x += dt·(−∇E) run to the same stopping criterion, with the agreement of the final
   states; the Euler step is chosen from a scan;
4. diagnostics: the solver's step counts, its cost in vector-field evaluations, and a
   few solver settings, to explain the numbers in 1-3.

It reports and never asserts: the exit status is 0 whether or not a goal is met.

Setup: i.i.d. ±1 patterns (``random_binary(K=256, D=1024, seed=0)``), 10 % flip cues
(exactly 102 flipped entries, 4 cues per pattern, seed 1), model ``lse`` one-layer form
with β = 0.01 by default. With ±1 patterns a 10 % cue scores ≈ 820 against its target
and ≈ 0 ± 32 against the others, so β = 0.01 puts every cue in the target's basin while
keeping the softmax away from saturation at the start (the dynamics are not just a
linear relaxation); every trial ends at the target's fixed point (overlap ≈ 0.99).

Usage: ``.venv/bin/python benchmarks/bench_ideal.py [--beta 0.01] [--quick] [--json out.json]``
(``make bench``). Takes about one to two minutes on two CPU cores.
"""

from __future__ import annotations

import argparse
import collections
import datetime
import json
import math
import os
import platform
import statistics
import sys
import time

import numpy as np

import diffrax
import equinox
import jax
import jax.numpy as jnp

import neuroam
from neuroam.dynamics.common import make_problem

D, K, RATE, TPP = 1024, 256, 0.10, 4          # 256 patterns × 4 cues = 1024 trials
STEADY_TOL, T1 = 1e-4, 50.0                   # the ideal-ode defaults (RMS dx/dt, horizon τ)
AGREE_TOL = 1e-2                              # final states "agree" when max|Δ| ≤ this
VF_GOAL, SPEEDUP_GOAL = 1.5, 3.0
EULER_DTS = (0.05, 0.1, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 1.75)


# ----------------------------------------------------------------------------- helpers
def machine() -> dict:
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        cpu = platform.processor() or "unknown"
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        blas = f"{blas.get('name')} {blas.get('version')}"
    except Exception:  # noqa: BLE001 - purely informational
        blas = "unknown"
    import jaxlib
    return {
        "date_utc": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S"),
        "cpu_model": cpu, "logical_cpus": os.cpu_count(), "usable_cpus": usable,
        "platform": platform.platform(), "python": platform.python_version(),
        "jax": jax.__version__, "jaxlib": jaxlib.__version__, "diffrax": diffrax.__version__,
        "equinox": equinox.__version__, "numpy": np.__version__, "numpy_blas": blas,
        "jax_devices": [str(d) for d in jax.devices()],
        "XLA_FLAGS": os.environ.get("XLA_FLAGS", ""),
        "load_avg_1min_start": round(os.getloadavg()[0], 2),
    }


def stats(ts) -> dict:
    return {"best_s": min(ts), "median_s": statistics.median(ts), "n": len(ts)}


def timed(fn):
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


class CompileClock:
    """Sums JAX's own compile-phase durations (trace, lower to MLIR, XLA compile)."""

    def __init__(self):
        self.d = collections.defaultdict(float)
        self.on = False
        jax.monitoring.register_event_duration_secs_listener(self._listen)

    def _listen(self, event, duration, **_):
        if self.on:
            self.d[event.rsplit("/", 1)[-1]] += duration

    def __enter__(self):
        self.d.clear()
        self.on = True
        return self

    def __exit__(self, *exc):
        self.on = False

    def summary(self) -> dict:
        return {"trace_s": self.d.get("jaxpr_trace_duration", 0.0),
                "lower_s": self.d.get("jaxpr_to_mlir_module_duration", 0.0),
                "xla_compile_s": self.d.get("backend_compile_duration", 0.0)}


def lse_parts(pats, beta):
    xi = np.asarray(pats.xi, dtype=np.float32)
    b = (-0.5 * np.sum(xi.astype(np.float64) ** 2, axis=1)).astype(np.float32)
    return xi, b, np.float32(beta)


def lse_current(x, xi, b, beta):
    """The input current ξᵀ softmax(β(ξx + b)) ``(T, D)`` of the one-layer LSE energy for a
    batch of states ``x`` ``(T, D)`` (−∇E = this − x; with dt = τ it is the next state)."""
    s = x @ xi.T                     # scores (T, K)
    s += b
    s *= beta
    s -= s.max(axis=1, keepdims=True)
    np.exp(s, out=s)
    s /= s.sum(axis=1, keepdims=True)
    return s @ xi


def euler_numpy(x0, xi, b, beta, dt, tol=STEADY_TOL, t1=T1):
    """Batched fixed-step Euler on τ dx/dt = −∇E (τ = 1) for the one-layer LSE energy.

    E(x) = ½‖x‖² − β⁻¹ log Σ_μ exp(β(ξ^μ·x − ½‖ξ^μ‖²)), so −∇E = ξᵀ softmax(β(ξx + b)) − x.
    A trial freezes (like the ODE's steady-state event) once RMS(−∇E) < tol; the loop
    ends when every trial is frozen or after ⌈t1/dt⌉ steps (the ODE's horizon).
    Returns final states, per-trial step counts and the number of loop iterations.
    """
    x = x0.copy()
    T = x.shape[0]
    active = np.ones(T, dtype=bool)
    steps = np.zeros(T, dtype=np.int64)
    dt = np.float32(dt)
    max_steps = int(math.ceil(t1 / float(dt) - 1e-9))
    n_iter = 0
    for it in range(max_steps + 1):
        v = lse_current(x, xi, b, beta)
        v -= x                           # −∇E
        rms = np.sqrt(np.mean(v * v, axis=1))
        active &= ~(rms < tol)
        n_iter = it + 1
        if not active.any() or it == max_steps:
            break
        x += (dt * active.astype(np.float32))[:, None] * v
        steps += active
    return x, steps, n_iter, ~active


def agreement(xa, xb, xi):
    diff = np.abs(xa - xb).max(axis=1)
    same = (xa @ xi.T).argmax(axis=1) == (xb @ xi.T).argmax(axis=1)
    return {"max_abs_diff": float(diff.max()),
            "frac_agree": float(np.mean((diff <= AGREE_TOL) & same)),
            "frac_same_pattern": float(np.mean(same))}


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"


# ----------------------------------------------------------------------------- sections
def bench_vector_field(model, pats, cues, rounds):
    prob = make_problem(model.bind(pats), pats, jnp.float32)
    Y = jax.jit(jax.vmap(prob.init))(jnp.asarray(cues.states, jnp.float32))
    FREE = jax.jit(jax.vmap(prob.free_mask))(jnp.zeros(cues.states.shape, bool))
    vf = jax.jit(jax.vmap(prob.vector_field))
    t0 = time.perf_counter()
    compiled = vf.lower(Y, FREE).compile()
    vf_compile = time.perf_counter() - t0
    hlo = compiled.as_text()

    xi = jnp.asarray(pats.xi, jnp.float32)
    G = Y                                            # identity activation: ĝ = y
    mm_scores = jax.jit(lambda G, xi: G @ xi.T)       # (1024×1024)·(1024×256)
    mm_drive = jax.jit(lambda F, xi: F @ xi)          # (1024×256)·(256×1024)
    F = jax.nn.softmax(model.beta * mm_scores(G, xi), axis=1).block_until_ready()
    chain = jax.jit(lambda G, xi: (G @ xi.T) @ xi)    # both products, one dispatch
    beta, bias = jnp.float32(model.beta), jnp.asarray(lse_parts(pats, 1.0)[1])
    closed = jax.jit(lambda G, xi: jax.nn.softmax(beta * (G @ xi.T + bias), axis=1) @ xi - G)

    cases = {"vf": lambda: compiled(Y, FREE), "scores": lambda: mm_scores(G, xi),
             "drive": lambda: mm_drive(F, xi), "chain": lambda: chain(G, xi),
             "closed_form": lambda: closed(G, xi)}
    for f in cases.values():                        # warm-up (compile) outside the clock
        f().block_until_ready()
    ref = np.asarray(cases["vf"]())
    closed_diff = float(np.abs(ref - np.asarray(cases["closed_form"]())).max())
    times = {k: [] for k in cases}
    for _ in range(rounds):                         # interleaved: same load for every case
        for k, f in cases.items():
            t = time.perf_counter()
            f().block_until_ready()
            times[k].append(time.perf_counter() - t)
    out = {k: stats(v) for k, v in times.items()}
    floor = out["scores"]["best_s"] + out["drive"]["best_s"]
    return {
        "times": out, "floor_s": floor, "ratio": out["vf"]["best_s"] / floor,
        "ratio_median": out["vf"]["median_s"] / (out["scores"]["median_s"] + out["drive"]["median_s"]),
        "ratio_vs_chain": out["vf"]["best_s"] / out["chain"]["best_s"],
        "gflops_floor": 2 * 2 * 1024 * D * K / floor / 1e9,
        "vf_compile_s": vf_compile,
        "hlo": {"dot_ops": hlo.count(" dot("), "transpose_ops": hlo.count(" transpose("),
                "has_f64": "f64[" in hlo, "exp_ops": hlo.count(" exponential(")},
        "closed_form_max_abs_diff": closed_diff,
    }


def first_recall(model, pats, cues, clock, **settings):
    """The first (compiling) ideal-ode recall; returns the result, its timing and a re-run closure."""
    run = lambda: neuroam.recall(model, pats, cues, "ideal-ode", save_states=False, **settings)  # noqa: E731
    with clock:
        first, res = timed(run)
    steps = np.asarray(res.extras["n_steps"].data)
    ct = np.asarray(res.converge_time)
    return res, run, {
        "first_call_s": first, "jax_compile": clock.summary(),
        "steps_median": float(np.median(steps)), "steps_max": int(steps.max()),
        "converged_frac": float(np.mean(np.isfinite(ct))),
        "converge_time_max": float(np.nanmax(ct)) if np.isfinite(ct).any() else None,
    }


def warm_rounds(info, run, repeats, partner=None):
    """Warm repeats of ``run``; with ``partner``, each round also times it (same load)."""
    warm, other = [], []
    for _ in range(repeats):
        warm.append(timed(run)[0])
        if partner is not None:
            other.append(timed(partner)[0])
    info["warm"] = stats(warm)
    info["compile_s"] = info["first_call_s"] - statistics.median(warm)
    return warm, other


def recall_quality(final, pats, targets):
    ov = final @ np.asarray(pats.xi, np.float64).T / pats.D
    return {"frac_recall_target": float(np.mean(ov.argmax(axis=1) == targets)),
            "median_target_overlap": float(np.median(ov[np.arange(len(targets)), targets]))}


# ----------------------------------------------------------------------------- main
def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--beta", type=float, default=0.01, help="LSE inverse temperature (default 0.01)")
    ap.add_argument("--repeats", type=int, default=5, help="warm repeats of each timed solve")
    ap.add_argument("--quick", action="store_true", help="skip the solver-setting diagnostics")
    ap.add_argument("--json", metavar="PATH", help="also write every number to this JSON file")
    args = ap.parse_args(argv)

    info = machine()
    pats = neuroam.patterns.random_binary(K=K, D=D, seed=0)
    cues = neuroam.cues.flip(pats, RATE, trials_per_pattern=TPP, seed=1)
    model = neuroam.make_model("lse", beta=args.beta)
    targets = np.asarray(cues.targets)
    clock = CompileClock()
    t_start = time.perf_counter()
    print(f"bench_ideal: LSE β={args.beta}, D={D}, K={K}, {cues.n_trials} trials, "
          f"{info['cpu_model']} ({info['usable_cpus']} usable CPUs), load {info['load_avg_1min_start']}",
          flush=True)

    # 1. vector field vs matrix-product floor
    vfr = bench_vector_field(model, pats, cues, rounds=30)
    print(f"  [1] vector field {vfr['times']['vf']['best_s'] * 1e3:.2f} ms, floor "
          f"{vfr['floor_s'] * 1e3:.2f} ms", flush=True)

    # 2. diffrax ideal-ode recall: the first call compiles
    res, run_ode, ode = first_recall(model, pats, cues, clock)
    ode_final = np.asarray(res.final, np.float32)
    ode.update(recall_quality(ode_final, pats, targets))
    print(f"  [2] ideal-ode first call {ode['first_call_s']:.2f} s, {ode['steps_max']} steps", flush=True)

    # 3. NumPy Euler: dt scan against the ODE's final states ...
    xi, b, beta = lse_parts(pats, args.beta)
    x0 = np.asarray(cues.states, np.float32)
    scan = []
    for dt in EULER_DTS:
        el, (xf, steps, n_iter, done) = timed(lambda: euler_numpy(x0, xi, b, beta, dt))
        ag = agreement(xf, ode_final, xi)
        ok = bool(done.all()) and ag["frac_agree"] == 1.0
        scan.append({"dt": dt, "time_s": el, "steps_max": int(steps.max()), "vf_evals": n_iter,
                     "all_steady": bool(done.all()), "agrees": ok, **ag})
    good = [s for s in scan if s["agrees"]]
    # ... then warm diffrax and the fastest agreeing Euler step, interleaved round by round
    euler = None
    if good:
        fastest = min(good, key=lambda s: s["time_s"])
        largest = max(good, key=lambda s: s["dt"])
        dt = fastest["dt"]
        warm, reps = warm_rounds(ode, run_ode, args.repeats,
                                 partner=lambda: euler_numpy(x0, xi, b, beta, dt))
        xf, steps, n_iter, done = euler_numpy(x0, xi, b, beta, dt)
        euler = {"dt": dt, "largest_agreeing_dt": largest["dt"], "largest_agreeing_time_s": largest["time_s"],
                 "steps_max": int(steps.max()), "vf_evals": n_iter, "time": stats(reps),
                 **agreement(xf, ode_final, xi), **recall_quality(xf, pats, targets)}
        euler["speedup"] = euler["time"]["best_s"] / ode["warm"]["best_s"]
        euler["speedup_paired_median"] = statistics.median(e / w for e, w in zip(reps, warm))
        euler["speedup_vs_largest_dt"] = largest["time_s"] / ode["warm"]["best_s"]
        for sc in scan:
            sc["speedup"] = sc["time_s"] / ode["warm"]["best_s"]
    else:
        warm_rounds(ode, run_ode, args.repeats)
    print(f"  [3] ideal-ode warm {ode['warm']['best_s']:.3f} s"
          + (f"; NumPy Euler dt={euler['dt']}: {euler['time']['best_s']:.3f} s, {euler['steps_max']} steps"
             if euler else ""), flush=True)

    # 4. diagnostics: where the solver's time goes, and what other settings would cost
    t_vf = vfr["times"]["vf"]["best_s"]
    diag = {"vf_evals_per_tsit5_step": 7,  # 6 stages (FSAL) + 1 for the steady-state event
            "predicted_vf_time_s": ode["steps_max"] * 7 * t_vf}
    diag["vf_share_of_warm"] = diag["predicted_vf_time_s"] / ode["warm"]["best_s"]
    variants = {}
    if not args.quick:
        trials = {"tsit5 n_save=2": dict(n_save=2),
                  "tsit5 rtol=1e-4 atol=1e-6": dict(rtol=1e-4, atol=1e-6),
                  "tsit5 rtol=1e-3 atol=1e-5": dict(rtol=1e-3, atol=1e-5)}
        if euler is not None:
            fixed = dict(solver="euler", adaptive=False, dt0=euler["dt"])
            trials[f"diffrax euler fixed dt0={euler['dt']}"] = fixed
            trials[f"diffrax euler fixed dt0={euler['dt']} n_save=2"] = dict(fixed, n_save=2)
        for name, kw in trials.items():
            r, run, v = first_recall(model, pats, cues, clock, **kw)
            warm_rounds(v, run, max(3, args.repeats // 2))
            v.update(agreement(np.asarray(r.final, np.float32), ode_final, xi))
            variants[name] = v
            print(f"  [4] {name}: warm {v['warm']['best_s']:.3f} s, {v['steps_max']} steps", flush=True)
    info["load_avg_1min_end"] = round(os.getloadavg()[0], 2)
    info["bench_wall_s"] = round(time.perf_counter() - t_start, 1)

    report = {"machine": info,
              "setup": {"model": model.describe(), "patterns": "random_binary(K=256, D=1024, seed=0)",
                        "cues": f"flip(rate={RATE}, trials_per_pattern={TPP}, seed=1)",
                        "trials": cues.n_trials, "dtype": "float32",
                        "ode": "tsit5, PIDController(rtol=1e-5, atol=1e-7), steady_tol=1e-4, t1=50, "
                               "n_save=50, save_states=False (ideal-ode defaults)"},
              "vector_field": vfr, "ode": ode, "euler_scan": scan, "euler": euler,
              "diagnostics": diag, "variants": variants}
    print_table(report)
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(report, fh, indent=2, default=float)
        print(f"\nwrote {args.json}")
    return 0


def print_table(r):
    m, vf, ode, eu = r["machine"], r["vector_field"], r["ode"], r["euler"]
    ms = lambda s: f"{s * 1e3:8.2f} ms"  # noqa: E731
    sec = lambda s: f"{s:8.3f} s "  # noqa: E731
    print("\n" + "=" * 78)
    print("Ideal recall (LSE, D=1024, K=256, 1024 trials)")
    print("=" * 78)
    print(f"machine : {m['cpu_model']}, {m['usable_cpus']} usable / {m['logical_cpus']} logical CPUs, "
          f"{m['platform']}")
    print(f"software: python {m['python']}, jax {m['jax']} (jaxlib {m['jaxlib']}), diffrax {m['diffrax']}, "
          f"equinox {m['equinox']}, numpy {m['numpy']} ({m['numpy_blas']})")
    print(f"date    : {m['date_utc']} UTC; load avg (1 min) {m['load_avg_1min_start']} at start, "
          f"{m['load_avg_1min_end']} at end; bench wall {m['bench_wall_s']} s")
    print(f"setup   : {r['setup']['model']}; {r['setup']['patterns']}; {r['setup']['cues']}; float32")
    print(f"ODE     : {r['setup']['ode']}")
    if max(m["load_avg_1min_start"], m["load_avg_1min_end"]) > m["usable_cpus"]:
        print("NOTE    : load average above the CPU count: other processes share the cores, so medians are "
              "noisy; compare best-of-N figures")
    print("\nbest of N (median in brackets)")
    print("-" * 78)
    t = vf["times"]
    print(f"[1] vector field, vmapped over 1024 trials {ms(t['vf']['best_s'])}  ({t['vf']['median_s'] * 1e3:.2f} ms)")
    print(f"    scores G@ξᵀ (1024×1024)·(1024×256)     {ms(t['scores']['best_s'])}  ({t['scores']['median_s'] * 1e3:.2f} ms)")
    print(f"    drive  F@ξ  (1024×256)·(256×1024)      {ms(t['drive']['best_s'])}  ({t['drive']['median_s'] * 1e3:.2f} ms)")
    print(f"    matrix-product floor (sum of the two)  {ms(vf['floor_s'])}  ({vf['gflops_floor']:.0f} GFLOP/s)")
    print(f"    ratio VF / floor                       {vf['ratio']:8.2f} ×   (median {vf['ratio_median']:.2f} ×); "
          f"goal ≤ {VF_GOAL} × : {verdict(vf['ratio'] <= VF_GOAL)}")
    print(f"    (both products in one jit: {t['chain']['best_s'] * 1e3:.2f} ms; closed-form "
          f"softmax(β(Gξᵀ+b))ξ−G: {t['closed_form']['best_s'] * 1e3:.2f} ms, max|Δ| vs VF "
          f"{vf['closed_form_max_abs_diff']:.1e})")
    h = vf["hlo"]
    print(f"    compiled VF HLO: {h['dot_ops']} dot, {h['transpose_ops']} transpose, {h['exp_ops']} exp, "
          f"float64 present: {h['has_f64']}")
    jc = ode["jax_compile"]
    print(f"[2] ODE solve compile (first − warm call)  {sec(ode['compile_s'])}  (first call {ode['first_call_s']:.2f} s)")
    print(f"    JAX's own: trace {jc['trace_s']:.2f} s + lower {jc['lower_s']:.2f} s + XLA compile "
          f"{jc['xla_compile_s']:.2f} s; VF alone compiles in {vf['vf_compile_s']:.2f} s")
    print(f"[3] diffrax ideal-ode time-to-converge     {sec(ode['warm']['best_s'])}  ({ode['warm']['median_s']:.3f} s); "
          f"steps median {ode['steps_median']:.0f} / max {ode['steps_max']}; "
          f"converged {ode['converged_frac']:.1%}"
          + (f" by t ≤ {ode['converge_time_max']:.2f} τ" if ode["converge_time_max"] is not None else ""))
    print(f"    recall: {ode['frac_recall_target']:.1%} of trials end on their target, median overlap "
          f"{ode['median_target_overlap']:.4f}")
    if eu is None:
        print("    NumPy Euler: no step in the scan reached the ODE's final states; no speed-up reported")
    else:
        print(f"    NumPy Euler, dt = {eu['dt']} τ                {sec(eu['time']['best_s'])}  ({eu['time']['median_s']:.3f} s); "
              f"{eu['steps_max']} steps, {eu['vf_evals']} VF evals")
        print(f"    agreement: max|Δ final| {eu['max_abs_diff']:.1e}; {eu['frac_agree']:.1%} of trials within "
              f"{AGREE_TOL} and on the same pattern")
        print(f"    speed-up diffrax vs Euler              {eu['speedup']:8.2f} ×   (paired median {eu['speedup_paired_median']:.2f} ×); "
              f"goal ≥ {SPEEDUP_GOAL} × : {verdict(eu['speedup'] >= SPEEDUP_GOAL)}")
        print(f"    (vs the largest agreeing Euler step dt = {eu['largest_agreeing_dt']}: "
              f"{eu['speedup_vs_largest_dt']:.2f} ×)")
    print("\nEuler step scan (one run each; 'agrees' = every trial steady by t1 and within "
          f"{AGREE_TOL} of diffrax on the same pattern;\n speed-up = this Euler time / best warm diffrax time)")
    print(f"    {'dt':>5} {'time':>9} {'steps':>6} {'max|Δ|':>9} {'agree':>7} {'agrees':>7} {'diffrax speed-up':>17}")
    for s in r["euler_scan"]:
        sp = f"{s['speedup']:.2f} ×" if "speedup" in s else "-"
        print(f"    {s['dt']:5.2f} {s['time_s']:8.3f}s {s['steps_max']:6d} {s['max_abs_diff']:9.1e} "
              f"{s['frac_agree']:7.1%} {'yes' if s['agrees'] else 'no':>7} {sp:>17}")
    d = r["diagnostics"]
    print(f"\n[4] diagnostics: Tsit5 costs {d['vf_evals_per_tsit5_step']} VF evals per step "
          f"(6 stages + 1 steady-state event check); {ode['steps_max']} steps × 7 × VF time = "
          f"{d['predicted_vf_time_s']:.3f} s = {d['vf_share_of_warm']:.0%} of the warm solve")
    for name, v in r["variants"].items():
        ct = v["converge_time_max"]
        print(f"    {name:30s} warm {v['warm']['best_s']:7.3f} s, steps max {v['steps_max']:3d}, converged "
              f"{v['converged_frac']:6.1%}" + (f" by {ct:.1f} τ" if ct is not None else "")
              + f", max|Δ| vs default {v['max_abs_diff']:.1e}")


if __name__ == "__main__":
    sys.exit(main())
