"""Noisy recall: ``ideal-sde`` against a hand-written loop, side by side in one process.

The setup of issue 14: the quartic DenseAM (``make_model("polynomial", n=4)``),
D = 100, K = 10 random ±1 patterns, 100 flip cues (20 %), temperature T = 0.01,
dt = 0.05 τ, t1 = 20 τ (400 steps), 20 saved times.

* **hand loop** — what a user writes in ten lines: the model's own vector field
  (``make_problem(...).vector_field``) under ``jax.jit(jax.vmap(...))``, Gaussian
  increments from NumPy, a Python ``for`` over the 400 Euler–Maruyama steps;
* **ideal-sde** with ``solver = "euler"`` and with ``"shark"`` through
  ``neuroam.recall`` (whole call: binding, the compiled solve, the result).

Warm = best of ``--repeats`` calls after one compiling call. Also reported: the
stationary variance check of the hand loop and of neuroam (same drift, so the spread of
the final states around their attractor should agree).

    python benchmarks/bench_sde.py [--repeats 3] [--trials 100]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import best_of, machine_line  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--trials", type=int, default=100)
    args = ap.parse_args()

    import jax
    import jax.numpy as jnp

    import neuroam as na
    from neuroam.dynamics.common import make_problem

    D, K, T, dt, t1 = 100, 10, 0.01, 0.05, 20.0
    steps = int(round(t1 / dt))
    pats = na.patterns.random_binary(K=K, D=D, seed=0)
    cues = na.cues.flip(pats, 0.2, trials_per_pattern=args.trials // K, seed=1)
    model = na.make_model("polynomial", n=4)
    prob = make_problem(model.bind(pats), pats, jnp.float32)
    tau = np.asarray(prob.tau(jnp.float32))  # (n,) per neuron
    free = jnp.ones((prob.n,), bool)
    field = jax.jit(jax.vmap(lambda y: prob.vector_field(y, free)))
    y0 = np.stack([np.asarray(prob.init(jnp.asarray(c, jnp.float32))) for c in cues.states])
    amp = np.sqrt(2.0 * T / tau * dt).astype(np.float32)

    def hand():
        rng = np.random.default_rng(5)
        y = jnp.asarray(y0)
        for _ in range(steps):
            y = y + dt * field(y) + amp * rng.standard_normal(y.shape, dtype=np.float32)
        return np.asarray(jax.vmap(prob.visible)(y))  # activations, as .final holds

    def ours(solver):
        return lambda: na.recall(model, pats, cues, "ideal-sde", temperature=T, dt=dt, t1=t1,
                                 solver=solver, n_save=20, seed=5)

    rows = []
    final_hand, _, t_hand = best_of(hand, args.repeats)
    rows.append(("hand loop (jit+vmap field, NumPy noise, Python for)", t_hand, 1.0))
    for solver in ("euler", "shark"):
        res, cold, t = best_of(ours(solver), args.repeats)
        rows.append((f"ideal-sde solver={solver} (first call {cold:.1f} s)", t, t_hand / t))
        if solver == "euler":
            final_ours = np.asarray(res.final)
    print(f"Machine: {machine_line()}\n")
    print(f"D = {D}, K = {K}, {cues.n_trials} trials, T = {T}, dt = {dt} τ, {steps} steps\n")
    print("| solve | warm time | hand loop / this |\n| --- | --- | --- |")
    for name, t, ratio in rows:
        print(f"| {name} | {t * 1e3:.1f} ms | {ratio:.2f}× |")
    # same drift and temperature: the spread of the final activations around the
    # attractor agrees between the two when the increments are right
    spread = lambda y: float(np.std(np.abs(y) - np.mean(np.abs(y))))  # noqa: E731
    print(f"\nspread of |final| (hand / ideal-sde euler): {spread(final_hand):.4f} / "
          f"{spread(final_ours):.4f}")


if __name__ == "__main__":
    main()
