"""Study: the neuron–astrocyte network against the quartic DenseAM, and where it breaks.

``python benchmarks/astrocyte_reduction.py --out FIG.png`` checks the two exact identities
(:func:`neuroam.astrocyte.reduction.check_reduction`), runs one astrocyte recall, measures
retrieval against load for two process time constants next to the ideal ODE
(:func:`breakdown_study`) and draws the figure (:func:`plot_reduction`). It lives outside
the package: it drives implementations and the report's plotting helpers, which the
physics package ``neuroam.astrocyte`` must not import (see the layer contract in
pyproject.toml).
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

import neuroam as na
from neuroam.astrocyte import AstrocyteParams, solve_astrocyte
from neuroam.astrocyte.reduction import check_reduction, reduction_series
from neuroam.implementations._assemble import to_result
from neuroam.report.figures import COLORS, band, ffill, new_figure, save

__all__ = ["breakdown_study", "plot_reduction", "main"]


def breakdown_study(N: int = 30, Ks: Sequence[int] = (16, 32, 64, 128, 256), *,
                    rate: float = 0.1, n_cues: int = 40,
                    tau_processes: Sequence[float] = (1.0, 5.0), seed: int = 0,
                    t1: float = 40.0) -> dict[str, dict[str, np.ndarray]]:
    """Retrieval vs load K: the astrocyte network (one line per τ_P) and the ideal ODE.

    Every K uses ``random_binary(K, N)`` patterns and the same ``n_cues`` flip cues of
    the first patterns. Returns label -> {"K": (n,), "accuracy": (n,), "agreement": (n,)}
    where agreement is the fraction of cues whose sign read-out equals the ideal one.
    """
    model = na.make_model("polynomial", n=4)
    out: dict[str, dict[str, list]] = {}
    for K in Ks:
        pats = na.patterns.random_binary(K=int(K), D=N, seed=seed)
        cues = na.cues.flip(pats, rate=rate, targets=np.arange(min(n_cues, K * 4)) % K,
                            seed=seed + 1)
        ideal = na.recall(model, pats, cues, "ideal-ode", t1=t1, save_states=False)
        runs = {"ideal n=4 (ODE)": ideal}
        for tp in tau_processes:
            label = f"astrocyte τ_P={tp:g}" + (" (tutorial)" if tp == 1.0 else "")
            runs[label] = _astro(pats, cues, tp, t1)
        ref = np.sign(ideal.final)
        for label, res in runs.items():
            row = out.setdefault(label, {"K": [], "accuracy": [], "agreement": []})
            row["K"].append(int(K))
            row["accuracy"].append(na.metrics.summarize(res, pats)["accuracy"])
            row["agreement"].append(float(np.mean(np.all(np.sign(res.final) == ref, axis=1))))
    return {k: {n: np.asarray(v) for n, v in d.items()} for k, d in out.items()}


def _astro(patterns, cues, tau_process: float, t1: float):
    traj, _ = solve_astrocyte(AstrocyteParams(tau_process=tau_process), patterns, cues, t1=t1)
    return to_result("astrocyte", traj, cues)


def plot_reduction(series: Mapping[str, Mapping[str, np.ndarray]], path: str | Path, *,
                   breakdown: Mapping[str, Mapping[str, np.ndarray]] | None = None,
                   title: str = "") -> Path:
    """Write a PNG: the correspondence over time, and (optional) retrieval vs load.

    Args:
        series: label -> :func:`reduction_series` output (one line per label).
        path: the PNG to write.
        breakdown: :func:`breakdown_study` output for the right-hand panel.
    """
    n = 2 + (breakdown is not None)
    fig = new_figure(4.3 * n, 3.6)
    axes = fig.subplots(1, n, squeeze=False)[0]
    for i, (label, s) in enumerate(series.items()):
        t = s["time"]
        c = COLORS[i % len(COLORS)]
        band(axes[0], t, ffill(s["drive_alignment"]), c, f"{label}: cos(g h, I₄)")
        band(axes[0], t, ffill(s["target_overlap"]), COLORS[(i + 3) % len(COLORS)],
             f"{label}: overlap with target")
        band(axes[1], t, ffill(s["psi_rank_one"]), c, f"{label}: cos(ψ, hhᵀ)")
        band(axes[1], t, ffill(s["process_ratio"]), COLORS[(i + 5) % len(COLORS)],
             f"{label}: E_pp(ψ) / E_pp(hhᵀ)")
    axes[0].set(xlabel="time (τ)", ylabel="cosine / overlap",
                title="neuron input vs quartic DenseAM current")
    axes[1].set(xlabel="time (τ)", ylabel="cosine / ratio", title="processes vs rank-one hhᵀ")
    for ax in axes[:2]:
        ax.axhline(1.0, color="0.6", lw=0.8, ls=":")
        ax.legend(fontsize=7, loc="lower right")
    if breakdown is not None:
        ax = axes[2]
        for i, (label, d) in enumerate(breakdown.items()):
            ax.plot(d["K"], d["accuracy"], "o-", color=COLORS[i % len(COLORS)], label=label)
        ks = sorted({int(k) for d in breakdown.values() for k in d["K"]})
        ax.set(xscale="log", xlabel="stored patterns K", ylabel="retrieved fraction",
               title="where it breaks: load", ylim=(-0.03, 1.03))
        ax.set_xticks(ks, [str(k) for k in ks])
        ax.minorticks_off()
        ax.legend(fontsize=7)
    if title:
        fig.suptitle(title, fontsize=10)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    return save(fig, path)


def main(argv: Sequence[str] | None = None) -> None:
    """``python benchmarks/astrocyte_reduction.py --out FIG.png``: run and plot the reduction."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="results/astrocyte_reduction/reduction.png")
    ap.add_argument("--N", type=int, default=200)
    ap.add_argument("--K", type=int, default=10)
    ap.add_argument("--rate", type=float, default=0.1)
    ap.add_argument("--breakdown-N", type=int, default=30)
    ap.add_argument("--no-breakdown", action="store_true")
    args = ap.parse_args(argv)
    pats = na.patterns.random_binary(K=args.K, D=args.N, seed=0)
    cues = na.cues.flip(pats, rate=args.rate, trials_per_pattern=1, seed=1)
    model = na.make_model("polynomial", n=4)
    res = na.recall(model, pats, cues, "astrocyte", t1=10.0,
                    save_times=list(np.linspace(0.0, 10.0, 81)))
    ident = check_reduction(pats, cues)
    print(f"N={args.N} K={args.K}: energy ratio {ident['energy_ratio'].min():.6f}–"
          f"{ident['energy_ratio'].max():.6f}, current error ≤ {ident['current_error'].max():.2e}, "
          f"accuracy {na.metrics.summarize(res, pats)['accuracy']:.2f}")
    bd = None if args.no_breakdown else breakdown_study(N=args.breakdown_N)
    if bd is not None:
        for label, d in bd.items():
            acc = ", ".join(f"K={k}: {a:.2f}" for k, a in zip(d["K"], d["accuracy"]))
            print(f"  {label}: {acc}")
    out = plot_reduction({f"N={args.N}, K={args.K}": reduction_series(res)}, args.out,
                         breakdown=bd, title="neuron–astrocyte network vs quartic DenseAM")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
