#!/usr/bin/env python
"""Every implementation at one common size: trials per second, cost relative to the ideal
ODE, compile/build time separately. One process, the same patterns and cues for all.

Size: D = 100 neurons, K = 10 random ±1 patterns, 100 cues (10 per pattern, 20 % of the
bits flipped), as in ``scenarios/compare_all.toml`` and with the same settings there
(each implementation at its base point, no noise). The model is the quartic DenseAM in
bipartite form (polynomial n = 4), which ideal-ode/ideal-sde, the crossbar, the
oscillators and the neuron–astrocyte network all realise; the spiking mirror realises
only the exponential DenseAM, so it is timed on that model (and so is an ideal-ode
reference of that model). Crossbar: one chip (n_draws = 1), so that it recalls the same
100 trials. Spiking: cpp_standalone (built once per shape) and numpy.

For each: the first call (compile / build included) and the best of ``--repeats`` warm
calls; compile = first − best; trials/s = 100 / best; "× ideal" = best / best of
ideal-ode on the same model. It reports and never asserts.

Usage: ``.venv/bin/python benchmarks/bench_compare.py [--repeats 3] [--markdown out.md]``.
About five minutes on two CPU cores.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import neuroam as na  # noqa: E402
from _common import best_of, machine_line  # noqa: E402

D, K, PER, RATE = 100, 10, 10, 0.2
QUARTIC = {"name": "polynomial", "n": 4, "form": "bipartite"}
EXP = {"name": "exponential", "form": "bipartite"}
SAVE = {"n_save": 31, "save_states": False}

#: label -> (implementation, model, settings)
CONFIGS = {
    "ideal-ode": ("ideal-ode", QUARTIC, {"t1": 30.0, **SAVE}),
    "ideal-sde (T = 0.01)": ("ideal-sde", QUARTIC, {"t1": 30.0, "dt": 0.05,
                                                     "temperature": 0.01, **SAVE}),
    "ideal-discrete (async)": ("ideal-discrete", QUARTIC, {"mode": "async", "max_sweeps": 20,
                                                           "save_states": False}),
    "crossbar (pcm-aihwkit, crossbar-64, 1 chip)": (
        "crossbar", QUARTIC, {"device": "pcm-aihwkit", "circuit": "crossbar-64", "n_draws": 1,
                              "save_states": False}),
    "oscillator (Euler 0.1 τ, injection ramp)": (
        "oscillator", QUARTIC, {"method": "sde", "solver": "euler", "dt": 0.1, "t1": 100.0,
                                "injection": 0.5, "injection_ramp": 40.0, "n_save": 51,
                                "save_states": False}),
    "astrocyte (Tsit5)": ("astrocyte", {"name": "polynomial", "n": 4},
                          {"t1": 30.0, **SAVE}),
    "ideal-ode, exponential": ("ideal-ode", EXP, {"t1": 30.0, **SAVE}),
    "spiking cpp_standalone, exponential": ("spiking", EXP, {"backend": "cpp_standalone",
                                                             "save_states": False,
                                                             "record_spikes": False}),
    "spiking numpy, exponential": ("spiking", EXP, {"backend": "numpy", "save_states": False,
                                                    "record_spikes": False}),
}


def _model(table):
    params = {k: v for k, v in table.items() if k != "name"}
    return na.make_model(table["name"], **params)


def run(repeats: int) -> list[dict]:
    pats = na.patterns.random_binary(K=K, D=D, seed=0)
    cues = na.cues.flip(pats, rate=RATE, trials_per_pattern=PER, seed=1)
    rows = []
    for label, (impl, table, settings) in CONFIGS.items():
        model = _model(table)
        reps = 1 if "numpy" in label else repeats  # the numpy back-end is slow and stable
        res, first, best = best_of(lambda: na.recall(model, pats, cues, impl, seed=0,
                                                     **settings), reps)
        summ = na.metrics.summarize(res, pats)
        rows.append({"label": label, "model": table["name"], "first_s": first, "best_s": best,
                     "compile_s": max(first - best, 0.0), "trials": cues.n_trials,
                     "trials_per_s": cues.n_trials / best, "accuracy": summ["accuracy"],
                     "energy_J": res.attrs.get("energy_per_recall_J", float("nan")),
                     "latency_s": res.attrs.get("latency_per_recall_s", float("nan"))})
        print(f"{label}: first {first:.2f} s, best {best:.3f} s, "
              f"{rows[-1]['trials_per_s']:.0f} trials/s, accuracy {summ['accuracy']:.2f}",
              flush=True)
    base = {r["model"]: r["best_s"] for r in rows if r["label"].startswith("ideal-ode")}
    for r in rows:
        r["ratio"] = r["best_s"] / base[r["model"]]
    return rows


def markdown(rows: list[dict]) -> str:
    lines = ["| implementation | model | trials/s (warm) | × ideal-ode (same model) | "
             "compile / build s | accuracy | energy / recall (estimate) | latency / recall "
             "(estimate) |", "|" + " --- |" * 8]
    for r in rows:
        energy = f"{r['energy_J']:.3g} J" if r["energy_J"] == r["energy_J"] else "–"
        latency = f"{r['latency_s']:.3g} s" if r["latency_s"] == r["latency_s"] else "–"
        lines.append(f"| {r['label']} | {r['model']} | {r['trials_per_s']:.4g} | "
                     f"{r['ratio']:.3g} | {r['compile_s']:.2f} | {r['accuracy']:.2f} | "
                     f"{energy} | {latency} |")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--markdown", type=Path, default=None)
    args = ap.parse_args()
    rows = run(args.repeats)
    text = f"Machine: {machine_line()}\n\n{markdown(rows)}\n"
    print(text)
    if args.markdown:
        args.markdown.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
