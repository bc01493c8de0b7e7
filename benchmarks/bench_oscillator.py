#!/usr/bin/env python
"""Oscillator recall benchmark: time per trial against the ideal DenseAM, same process.

Setup (common size): N = D = 200 neurons/oscillators, K = 512 random ±1 patterns, 64 cues
with 20 % of the bits flipped, float32, JAX on CPU. The model is the n = 4 polynomial
DenseAM, which both implementations realise: ``ideal-ode`` as τ dx/dt = −∂E/∂x̂ with tanh
neurons, ``oscillator`` as the gradient flow of the phase energy E(θ) = −(N/4) Σ_μ |z_μ|⁴
whose binary limit is that DenseAM.

One process measures, each against a baseline in that same process:

1. the batched vector field (64 trials): the oscillator's phase velocity (``jax.grad`` of
   the overlap-form energy, O(K·N)) against the ideal model's vector field and against
   the matrix-product floor of the overlap form (four (64×N)·(N×K) products: Re/Im
   overlaps forward, and back); plus the same at 2K to show the O(K·N) scaling;
2. compile time (first call − warm call) and warm time per trial of a whole recall:
   ``ideal-ode`` (Tsit5, PID) vs ``oscillator`` with the same solver (Tsit5, PID,
   steady-state stop), with the fixed-step Euler protocol of scenarios/kuramoto_dense.toml,
   and with phase noise (Euler–Maruyama), all to the same horizon;
3. agreement: fraction of trials whose ±1 read-out equals the ideal's, and accuracy.

It reports and never asserts. Usage: ``.venv/bin/python benchmarks/bench_oscillator.py
[--quick] [--json out.json]``; about one minute on two CPU cores.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import statistics
import time

import numpy as np

import diffrax
import equinox
import jax
import jax.numpy as jnp

import neuroam as na
from neuroam.dynamics.common import make_problem
from neuroam.oscillator import Hardware, build_dynamics, lift

N, K, TRIALS, RATE, T1 = 200, 512, 64, 0.2, 60.0


def machine() -> dict:
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as fh:
            cpu = next((ln.split(":", 1)[1].strip() for ln in fh if ln.startswith("model name")),
                       "unknown")
    except OSError:
        cpu = platform.processor() or "unknown"
    import jaxlib
    return {"date_utc": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M"),
            "cpu_model": cpu, "usable_cpus": len(os.sched_getaffinity(0)),
            "python": platform.python_version(), "jax": jax.__version__,
            "jaxlib": jaxlib.__version__, "diffrax": diffrax.__version__,
            "equinox": equinox.__version__, "numpy": np.__version__,
            "jax_devices": [str(d) for d in jax.devices()],
            "load_avg_1min_start": round(os.getloadavg()[0], 2)}


def best_of(fn, rounds: int) -> tuple[float, float]:
    """(best, median) wall seconds of ``fn()`` (which must block until done)."""
    ts = []
    for _ in range(rounds):
        t = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t)
    return min(ts), statistics.median(ts)


def bench_vector_field(model, pats, cues, rounds: int) -> dict:
    """Batched drift of the oscillator vs the ideal model vs the matmul floor."""
    out = {}
    for k in (K, 2 * K):
        p = na.patterns.random_binary(K=k, D=N, seed=0) if k != K else pats
        plan = lift(model, p)
        dyn, _ = build_dynamics(plan, p, Hardware.from_card("oscillator-ideal"), seed=0,
                                injection=0.0, ramp=0.0, dtype=jnp.float32)
        th = jnp.asarray(np.where(np.asarray(cues.states) > 0, 0.3, np.pi - 0.3), jnp.float32)
        osc = jax.jit(jax.vmap(lambda t: dyn.velocity(0.0, t)))
        xi = jnp.asarray(p.xi)
        c, s = jnp.cos(th), jnp.sin(th)

        @jax.jit
        def floor(c, s):  # the four products the overlap form cannot avoid
            zr, zi = c @ xi.T, s @ xi.T
            return zr @ xi, zi @ xi

        jax.block_until_ready(osc(th)), jax.block_until_ready(floor(c, s))
        t_osc = best_of(lambda: jax.block_until_ready(osc(th)), rounds)
        t_floor = best_of(lambda: jax.block_until_ready(floor(c, s)), rounds)
        row = {"K": k, "oscillator_ms": 1e3 * t_osc[0], "floor_ms": 1e3 * t_floor[0],
               "ratio_to_floor": t_osc[0] / t_floor[0]}
        if k == K:
            prob = make_problem(model.bind(p), p, jnp.float32)
            y0 = jax.vmap(prob.init)(jnp.asarray(cues.states))
            free = jnp.ones_like(y0)
            ide = jax.jit(jax.vmap(prob.vector_field))
            jax.block_until_ready(ide(y0, free))
            t_ide = best_of(lambda: jax.block_until_ready(ide(y0, free)), rounds)
            row["ideal_ms"] = 1e3 * t_ide[0]
            row["ratio_to_ideal"] = t_osc[0] / t_ide[0]
        out[f"K={k}"] = row
    out["scaling_2K_over_K"] = out[f"K={2 * K}"]["oscillator_ms"] / out[f"K={K}"]["oscillator_ms"]
    return out


def bench_recall(model, pats, cues, rounds: int) -> dict:
    cases = {
        "ideal-ode (tsit5)": ("ideal-ode", dict(t1=T1, save_states=False, n_save=20)),
        "oscillator ode (tsit5)": ("oscillator", dict(t1=T1, save_states=False, n_save=20)),
        "oscillator euler dt=0.1": ("oscillator", dict(t1=T1, save_states=False, n_save=20,
                                                       method="sde", solver="euler", dt=0.1)),
        "oscillator noise D=0.05 (euler-maruyama dt=0.1)": (
            "oscillator", dict(t1=T1, save_states=False, n_save=20, noise=0.05,
                               solver="euler", dt=0.1)),
    }
    out, ref = {}, None
    for label, (impl, kw) in cases.items():
        t = time.perf_counter()
        res = na.recall(model, pats, cues, impl, **kw)
        first = time.perf_counter() - t
        best, med = best_of(lambda: na.recall(model, pats, cues, impl, **kw), rounds)
        sign = np.sign(res.final)
        ref = sign if ref is None else ref
        steps = res.extras.get("n_steps")
        out[label] = {"compile_s": first - best, "warm_s": best, "warm_median_s": med,
                      "ms_per_trial": 1e3 * best / TRIALS,
                      "accuracy": na.metrics.summarize(res, pats)["accuracy"],
                      "same_readout_as_ideal": float(np.mean(np.all(sign == ref, axis=1))),
                      "median_steps": float(np.median(steps.data)) if steps is not None else None}
    base = out["ideal-ode (tsit5)"]["warm_s"]
    for v in out.values():
        v["time_vs_ideal"] = v["warm_s"] / base
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer repetitions")
    ap.add_argument("--json", help="also write the results to this JSON file")
    args = ap.parse_args()
    rounds = 3 if args.quick else 7
    pats = na.patterns.random_binary(K=K, D=N, seed=0)
    cues = na.cues.flip(pats, rate=RATE, targets=np.arange(TRIALS) % K, seed=1)
    model = na.make_model("polynomial", n=4)
    report = {"machine": machine(),
              "setup": {"N": N, "K": K, "trials": TRIALS, "flip_rate": RATE, "t1_tau": T1,
                        "model": model.describe(), "dtype": "float32"},
              "vector_field": bench_vector_field(model, pats, cues, 20 if not args.quick else 5),
              "recall": bench_recall(model, pats, cues, rounds)}
    report["machine"]["load_avg_1min_end"] = round(os.getloadavg()[0], 2)
    print(json.dumps(report["machine"], indent=1))
    print(f"\nsetup: {report['setup']}\n\nvector field, {TRIALS} trials (best of N):")
    for k, row in report["vector_field"].items():
        if isinstance(row, dict):
            extra = (f", ideal {row['ideal_ms']:.3f} ms (oscillator/ideal {row['ratio_to_ideal']:.2f}×)"
                     if "ideal_ms" in row else "")
            print(f"  {k}: oscillator {row['oscillator_ms']:.3f} ms, matmul floor "
                  f"{row['floor_ms']:.3f} ms ({row['ratio_to_floor']:.2f}×){extra}")
    print(f"  time(2K)/time(K) = {report['vector_field']['scaling_2K_over_K']:.2f} (O(K·N): ≈ 2)")
    print(f"\nrecall to t1 = {T1} τ, {TRIALS} trials (warm = best of {rounds}):")
    print(f"  {'case':50s} {'compile s':>9s} {'warm s':>8s} {'ms/trial':>9s} {'× ideal':>8s} "
          f"{'acc':>5s} {'same ±1':>7s} {'steps':>6s}")
    for label, r in report["recall"].items():
        print(f"  {label:50s} {r['compile_s']:9.2f} {r['warm_s']:8.3f} {r['ms_per_trial']:9.2f} "
              f"{r['time_vs_ideal']:8.2f} {r['accuracy']:5.2f} {r['same_readout_as_ideal']:7.2f} "
              f"{r['median_steps'] if r['median_steps'] is not None else float('nan'):6.0f}")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(report, fh, indent=1)


if __name__ == "__main__":
    main()
