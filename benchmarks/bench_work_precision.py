#!/usr/bin/env python
"""Work-precision of ``ideal-ode`` (issue 14): trajectory error against time, beside
hand-written NumPy fixed-step Euler and RK4 loops, side by side in one process.

Setup: ``make_model("lse", beta=0.01)`` one-layer (E = ½‖x‖² − β⁻¹ log Σ_μ
exp(β(ξ^μ·x − ½‖ξ^μ‖²)), τ = 1), ``random_binary(K=256, D=1024, seed=0)``,
``cues.flip(rate=0.1, trials_per_pattern=4, seed=1)`` (1024 trials); every timed run is
float32 and integrates the whole interval [0, 12 τ] (the relaxation ends by ≈ 11 τ) with
no steady-state stop, so every method covers the same trajectory.

**Trajectory error** of a run: the largest, over the 1024 trials and the save grid
t = 0, 1, ..., 12 τ, of the RMS over the 1024 neurons of the difference between its
visible state and the reference's,

    err = max_{trial b, t ∈ grid} sqrt(mean_i (x_bi(t) − x*_bi(t))²).

The reference x* is a float64 Dopri8 solve with rtol = atol = 1e-10 (through
``neuroam.recall(..., dtype="float64")``); its own error is estimated by an independent
float64 Tsit5 solve at the same tolerances (skipped by ``--quick``).

Methods and their knobs:

* ``ideal-ode`` through ``neuroam.recall`` (the whole public call: binding, the compiled
  solve, the result object) with its saves as a user gets them (states, energies and
  overlaps at the grid, ``save_times``): Tsit5 over rtol (atol = rtol/100, the default
  ratio), and Dopri5 / Bosh3 at a few tolerances;
* NumPy Euler and RK4 loops, x += ..., batched over the 1024 trials (float32 BLAS
  products with a precomputed ξ and ξᵀ, in-place softmax, no per-trial Python), over
  dt = 1/k τ so that every grid time is a step boundary (no interpolation). At each grid
  time they store the state and, from the score product they compute anyway, the
  energy and the overlaps — the same outputs as ``ideal-ode``.

Timing: warm, best of ``--rounds`` interleaved rounds (every case once per round, so
load swings hit all of them), wall clock and, beside it, process CPU time (less
sensitive to other processes on a shared machine). A NumPy case needs no compilation:
its first run (the one that measures its error, after a BLAS warm-up) is timed too, and
a case that already took longer than ``--long`` seconds is not repeated. Each JAX
solver's first (compiling) call is made before the rounds. The time a method needs for
error 1e-3 is interpolated on its log-log work-precision curve (the Pareto front of its
points) between the two points that bracket 1e-3; without a bracketing pair it is
extrapolated from the last two points and marked so.

It reports and never asserts. Usage (``PYTHONPATH`` picks the checkout under test; the
script's folder, not the working directory, is first on ``sys.path``)::

    PYTHONPATH=. .venv/bin/python benchmarks/bench_work_precision.py [--rounds 3] [--quick]
        [--only ode|numpy] [--json out.json]

About 15 minutes on two loaded cores (the NumPy Euler loop at dt = 1/128 τ alone takes
one to two minutes a run); ``--quick`` drops that step, the reference check and one round.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine, machine_line  # noqa: E402

D, K, RATE, TPP, BETA = 1024, 256, 0.10, 4, 0.01
T_END, H = 12.0, 1.0                     # horizon and save-grid spacing (τ)
GRID = np.arange(0.0, T_END + H / 2, H)  # 13 save times, 0..12 τ
TARGET = 1e-3
SPEEDUP_EULER_GOAL, RK4_GOAL = 3.0, 1.0
ODE_CASES = ([("tsit5", r) for r in (1e-2, 3e-3, 1e-3, 3e-4, 1e-4, 1e-5)]
             + [("dopri5", r) for r in (1e-2, 3e-3, 1e-3, 1e-4)]
             + [("bosh3", r) for r in (1e-2, 3e-3, 1e-3, 1e-4)])
RK4_STEPS = (1, 2, 3, 4, 6)              # steps per grid interval: dt = H / k
EULER_STEPS = (8, 16, 32, 64, 128)
STAGES = {"tsit5": 6, "dopri5": 6, "bosh3": 3, "dopri8": 12}  # VF evaluations per step (FSAL)


# ----------------------------------------------------------------------------- NumPy
class LSEField:
    """−∇E of the one-layer LSE energy for a (T, D) batch, float32, preallocated.

    −∇E(x) = ξᵀ softmax(β(ξx + b)) − x with b = −½‖ξ^μ‖² (τ = 1). ``record`` (a
    ``(energies (T,), overlaps (T, K))`` pair of views) receives E(x) and ξx/D taken
    from the same score product.
    """

    def __init__(self, xi: np.ndarray, beta: float, T: int):
        self.xi = np.ascontiguousarray(xi, np.float32)               # (K, D)
        self.xiT = np.ascontiguousarray(self.xi.T)                    # (D, K)
        self.b = (-0.5 * np.sum(self.xi.astype(np.float64) ** 2, axis=1)).astype(np.float32)
        self.beta = np.float32(beta)
        self.inv_d = np.float32(1.0 / xi.shape[1])
        self.s = np.empty((T, xi.shape[0]), np.float32)              # scores / softmax

    def __call__(self, x: np.ndarray, out: np.ndarray, record=None) -> np.ndarray:
        s = self.s
        np.matmul(x, self.xiT, out=s)
        if record is not None:
            np.multiply(s, self.inv_d, out=record[1])
        s += self.b
        s *= self.beta
        m = s.max(axis=1, keepdims=True)
        s -= m
        np.exp(s, out=s)
        z = s.sum(axis=1, keepdims=True)
        if record is not None:
            lse = (m[:, 0] + np.log(z[:, 0])) / self.beta
            record[0][:] = 0.5 * np.einsum("ij,ij->i", x, x) - lse
        s /= z
        np.matmul(s, self.xi, out=out)
        out -= x
        return out


def _outputs(T: int, S: int):
    return (np.empty((T, S, D), np.float32), np.empty((T, S), np.float32),
            np.empty((T, S, K), np.float32))


def euler_loop(field: LSEField, x0: np.ndarray, k: int):
    """Euler x += dt·(−∇E), dt = H/k, over [0, T_END]; states, energies, overlaps at GRID."""
    T, S = x0.shape[0], len(GRID)
    states, energies, overlaps = _outputs(T, S)
    x, v = x0.copy(), np.empty_like(x0)
    dt = np.float32(H / k)
    for j in range(S - 1):
        for i in range(k):
            rec = (energies[:, j], overlaps[:, j]) if i == 0 else None
            if i == 0:
                states[:, j] = x
            field(x, v, rec)
            v *= dt
            x += v
    states[:, -1] = x
    field(x, v, (energies[:, -1], overlaps[:, -1]))
    return states, energies, overlaps


def rk4_loop(field: LSEField, x0: np.ndarray, k: int):
    """Classical RK4, dt = H/k, over [0, T_END]; states, energies, overlaps at GRID."""
    T, S = x0.shape[0], len(GRID)
    states, energies, overlaps = _outputs(T, S)
    x = x0.copy()
    k1, k2, k3, k4, tmp = (np.empty_like(x0) for _ in range(5))
    dt = np.float32(H / k)
    half, sixth = np.float32(0.5) * dt, dt / np.float32(6.0)
    for j in range(S - 1):
        for i in range(k):
            rec = (energies[:, j], overlaps[:, j]) if i == 0 else None
            if i == 0:
                states[:, j] = x
            field(x, k1, rec)
            np.multiply(k1, half, out=tmp)
            tmp += x
            field(tmp, k2)
            np.multiply(k2, half, out=tmp)
            tmp += x
            field(tmp, k3)
            np.multiply(k3, dt, out=tmp)
            tmp += x
            field(tmp, k4)
            k2 += k3
            k2 *= np.float32(2.0)
            k1 += k2
            k1 += k4
            k1 *= sixth
            x += k1
    states[:, -1] = x
    field(x, k1, (energies[:, -1], overlaps[:, -1]))
    return states, energies, overlaps


# ----------------------------------------------------------------------------- helpers
def per_evaluation_cost(model, pats, field: LSEField, x0: np.ndarray, repeats: int = 10) -> dict:
    """Best-of time of one batched −∇E: the NumPy ``field`` and the model's own vector
    field under ``jax.jit(jax.vmap(...))`` (what ``ideal-ode`` evaluates), interleaved."""
    import jax
    import jax.numpy as jnp

    from neuroam.dynamics.common import make_problem

    prob = make_problem(model.bind(pats), pats, jnp.float32)
    free = jnp.ones((prob.n,), jnp.float32)
    vf = jax.jit(jax.vmap(lambda y: prob.vector_field(y, free)))
    y = jnp.asarray(x0)
    out = np.empty_like(x0)
    jax.block_until_ready(vf(y))
    field(x0, out)
    best = {"numpy_ms": math.inf, "jax_ms": math.inf}
    for _ in range(repeats):
        time.sleep(0.05)
        t = time.perf_counter()
        field(x0, out)
        best["numpy_ms"] = min(best["numpy_ms"], 1e3 * (time.perf_counter() - t))
        time.sleep(0.05)
        t = time.perf_counter()
        jax.block_until_ready(vf(y))
        best["jax_ms"] = min(best["jax_ms"], 1e3 * (time.perf_counter() - t))
    return best


def trajectory_error(states: np.ndarray, ref: np.ndarray) -> float:
    """max over trials and grid times of the RMS over neurons of (states − ref)."""
    err = 0.0
    for b in range(0, states.shape[0], 128):  # chunks: float64 copies stay small
        d = states[b:b + 128].astype(np.float64) - ref[b:b + 128]
        err = max(err, float(np.sqrt(np.mean(d * d, axis=-1)).max()))
    return err


def time_at(points: list[tuple[float, float]], target: float = TARGET) -> dict:
    """Time for error ``target`` on a work-precision curve of (time s, error) points.

    Keeps the Pareto front (sorted by time, each point more accurate than every cheaper
    one) and interpolates log(time) linearly in log(error) between the last point with
    error > target and the first with error ≤ target."""
    front, best = [], math.inf
    for t, e in sorted(points):
        if e < best:
            front.append((t, e))
            best = e
    ok = [i for i, (_, e) in enumerate(front) if e <= target]
    if not ok:
        if len(front) < 2:
            return {"time_s": None, "how": "no point reaches the target"}
        (t0, e0), (t1, e1) = front[-2:]
        w = (math.log(target) - math.log(e0)) / (math.log(e1) - math.log(e0))
        return {"time_s": math.exp(math.log(t0) + w * (math.log(t1) - math.log(t0))),
                "how": f"EXTRAPOLATED from {e0:.2e} ({t0:.2f} s) and {e1:.2e} ({t1:.2f} s)"}
    i = ok[0]
    t1, e1 = front[i]
    out = {"cheapest_ok_s": t1, "cheapest_ok_err": e1}
    if i == 0:
        out.update(time_s=t1, how="cheapest point already below target (upper bound)")
        return out
    t0, e0 = front[i - 1]
    w = (math.log(target) - math.log(e0)) / (math.log(e1) - math.log(e0))
    out.update(time_s=math.exp(math.log(t0) + w * (math.log(t1) - math.log(t0))),
               how=f"log-log between {e0:.2e} ({t0:.2f} s) and {e1:.2e} ({t1:.2f} s)")
    return out


# ----------------------------------------------------------------------------- main
def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=3, help="interleaved timing rounds")
    ap.add_argument("--long", type=float, default=60.0,
                    help="a case whose first timed run exceeds this (s) is timed once")
    ap.add_argument("--quick", action="store_true",
                    help="no Euler dt = 1/128, no reference check, one round fewer")
    ap.add_argument("--only", choices=("ode", "numpy"), help="time only these methods")
    ap.add_argument("--json", metavar="PATH", help="also write every number to this JSON file")
    args = ap.parse_args(argv)
    rounds = max(1, args.rounds - (1 if args.quick else 0))

    import neuroam

    info = machine()
    info["neuroam"] = str(Path(neuroam.__file__).resolve().parent)
    print(f"bench_work_precision: {machine_line()}\n  neuroam from {info['neuroam']}", flush=True)
    pats = neuroam.patterns.random_binary(K=K, D=D, seed=0)
    cues = neuroam.cues.flip(pats, RATE, trials_per_pattern=TPP, seed=1)
    model = neuroam.make_model("lse", beta=BETA)
    x0 = np.asarray(cues.states, np.float32)
    T = x0.shape[0]
    common = dict(t1=T_END, save_times=[float(t) for t in GRID], steady_stop=False,
                  max_steps=1 << 16)

    # -- reference --------------------------------------------------------------
    t = time.perf_counter()
    ref = neuroam.recall(model, pats, cues, "ideal-ode", solver="dopri8", rtol=1e-10, atol=1e-10,
                         dtype="float64", **common)
    ref_states = np.asarray(ref.states, np.float64)
    reference = {"solver": "dopri8", "rtol": 1e-10, "atol": 1e-10, "dtype": str(ref.states.dtype),
                 "steps_max": int(np.max(ref.extras["n_steps"].data)),
                 "wall_s": time.perf_counter() - t}
    print(f"  reference: float64 Dopri8 rtol = atol = 1e-10, {reference['steps_max']} steps, "
          f"{reference['wall_s']:.1f} s", flush=True)
    if not args.quick:
        chk = neuroam.recall(model, pats, cues, "ideal-ode", solver="tsit5", rtol=1e-10, atol=1e-10,
                             dtype="float64", **common)
        reference["check_tsit5_1e-10_err"] = trajectory_error(np.asarray(chk.states), ref_states)
        print(f"  reference check: float64 Tsit5 1e-10 differs by {reference['check_tsit5_1e-10_err']:.1e}",
              flush=True)
        del chk

    # -- cases --------------------------------------------------------------------
    field = LSEField(np.asarray(pats.xi), BETA, T)
    cases: dict[str, dict] = {}
    if args.only != "numpy":
        for solver, rtol in ODE_CASES:
            kw = dict(solver=solver, rtol=rtol, atol=rtol / 100, **common)
            cases[f"ideal-ode {solver} rtol={rtol:g}"] = {
                "method": f"ideal-ode {solver}", "knob": f"rtol={rtol:g}, atol={rtol / 100:g}",
                "fn": (lambda kw: lambda: neuroam.recall(model, pats, cues, "ideal-ode", **kw))(kw),
                "stages": STAGES[solver], "jax": solver}
    if args.only != "ode":
        for k in RK4_STEPS:
            cases[f"numpy rk4 dt=1/{k}"] = {
                "method": "NumPy RK4", "knob": f"dt=1/{k}", "steps": k * int(T_END / H),
                "vf_evals": 4 * k * int(T_END / H) + 1,
                "fn": (lambda k: lambda: rk4_loop(field, x0, k))(k)}
        for k in EULER_STEPS:
            if args.quick and k > 64:
                continue
            cases[f"numpy euler dt=1/{k}"] = {
                "method": "NumPy Euler", "knob": f"dt=1/{k}", "steps": k * int(T_END / H),
                "vf_evals": k * int(T_END / H) + 1,
                "fn": (lambda k: lambda: euler_loop(field, x0, k))(k)}

    # one vector-field evaluation of the whole batch: NumPy's and the model's own under
    # jax.jit(jax.vmap(...)), interleaved, best of 10 (the per-evaluation floor of each)
    vf_cost = per_evaluation_cost(model, pats, field, x0)
    print(f"  one batched vector field: NumPy {vf_cost['numpy_ms']:.1f} ms, "
          f"jit(vmap(model)) {vf_cost['jax_ms']:.1f} ms", flush=True)

    # first calls: compile each JAX solver, measure the error of every case once
    compiled: dict[str, float] = {}
    for name, c in cases.items():
        time.sleep(0.2)
        t, cpu = time.perf_counter(), time.process_time()
        out = c["fn"]()
        first, first_cpu = time.perf_counter() - t, time.process_time() - cpu
        if "jax" in c:
            states = np.asarray(out.states)
            steps = np.asarray(out.extras["n_steps"].data)
            c["steps"] = int(steps.max())
            c["vf_evals"] = c["stages"] * c["steps"] + 3  # + f(t0) and the initial-step probe
            compiled.setdefault(c["jax"], first)
            c["first_call_s"] = first
            c["times"], c["cpu"] = [], []
        else:
            states = out[0]
            c["times"], c["cpu"] = [first], [first_cpu]
        c["error"] = trajectory_error(states, ref_states)
        del out, states
        print(f"  {name:28s} err {c['error']:.2e}  first {first:6.2f} s", flush=True)

    for r in range(rounds):
        for name, c in cases.items():
            if c["times"] and min(c["times"]) > args.long:
                continue
            time.sleep(0.2)  # let the other library's worker threads go idle first
            t, cpu = time.perf_counter(), time.process_time()
            c["fn"]()
            c["times"].append(time.perf_counter() - t)
            c["cpu"].append(time.process_time() - cpu)
        print(f"  round {r + 1}/{rounds} done, load {os.getloadavg()[0]:.2f}",
              flush=True)

    # -- report -----------------------------------------------------------------------
    rows = []
    for name, c in cases.items():
        ts = c["times"]
        rows.append({"method": c["method"], "knob": c["knob"], "best_s": min(ts),
                     "median_s": float(np.median(ts)), "n": len(ts), "cpu_s": min(c["cpu"]),
                     "error": c["error"],
                     "steps": c["steps"], "vf_evals": c["vf_evals"],
                     "ms_per_vf": 1e3 * min(ts) / c["vf_evals"]})
    families, families_cpu = {}, {}
    for row in rows:
        families.setdefault(row["method"], []).append((row["best_s"], row["error"]))
        families_cpu.setdefault(row["method"], []).append((row["cpu_s"], row["error"]))
    at = {m: time_at(p) for m, p in families.items()}
    at_cpu = {m: time_at(p) for m, p in families_cpu.items()}

    print(f"\nWork-precision (error = max over trials and t ∈ {{0, 1, ..., {T_END:g}}} τ of the RMS "
          f"over neurons of x − x_ref; time = best of the rounds)")
    print(f"  {'method':18s} {'knob':24s} {'time':>9s} {'median':>9s} {'n':>2s} {'CPU':>8s} {'error':>9s} "
          f"{'steps':>6s} {'VF evals':>8s} {'ms/VF':>6s}")
    for row in rows:
        print(f"  {row['method']:18s} {row['knob']:24s} {row['best_s']:8.3f}s {row['median_s']:8.3f}s "
              f"{row['n']:2d} {row['cpu_s']:7.2f}s {row['error']:9.2e} {row['steps']:6d} {row['vf_evals']:8d} "
              f"{row['ms_per_vf']:6.1f}")
    print(f"\nTime at trajectory error {TARGET:g} (wall, best of the rounds; in brackets the same from "
          f"process CPU time, less sensitive to other load):")
    for m, a in at.items():
        tt = f"{a['time_s']:.3f} s" if a.get("time_s") else "—"
        tc = f"{at_cpu[m]['time_s']:.2f} s CPU" if at_cpu[m].get("time_s") else "—"
        print(f"  {m:18s} {tt:>10s} [{tc:>11s}]  ({a['how']})")
    verdicts = {}
    for clock, table in (("wall", at), ("CPU", at_cpu)):
        t_ode = table.get("ideal-ode tsit5", {}).get("time_s")
        eu, rk = table.get("NumPy Euler", {}).get("time_s"), table.get("NumPy RK4", {}).get("time_s")
        v = {}
        if t_ode and eu:
            v["euler_over_ode"] = eu / t_ode
            print(f"  [{clock:4s}] NumPy Euler / ideal-ode (Tsit5) = {eu / t_ode:6.2f}×  goal ≥ "
                  f"{SPEEDUP_EULER_GOAL:g}×: {'met' if eu / t_ode >= SPEEDUP_EULER_GOAL else 'NOT met'}")
        if t_ode and rk:
            v["rk4_over_ode"] = rk / t_ode
            print(f"  [{clock:4s}] NumPy RK4   / ideal-ode (Tsit5) = {rk / t_ode:6.2f}×  goal ≥ "
                  f"{RK4_GOAL:g}×: {'met' if rk / t_ode >= RK4_GOAL else 'NOT met'}")
        verdicts[clock] = v
    print("\n  compile (first call − best warm): " + ", ".join(
        f"{s} {compiled[s] - min(c['times']):.1f} s" for s in compiled
        for c in [next(c for c in cases.values() if c.get("jax") == s)]))
    info["load_1min_end"] = os.getloadavg()[0]
    print(f"  load average at the end: {info['load_1min_end']:.2f}")
    if args.json:
        Path(args.json).write_text(json.dumps(
            {"machine": info, "reference": reference, "vector_field_ms": vf_cost, "rows": rows,
             "time_at_target": at,
             "time_at_target_cpu": at_cpu,
             "verdicts": verdicts, "grid": GRID.tolist(), "target": TARGET}, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
