"""The process–process term as a quartic DenseAM, and where the correspondence breaks.

Statement (Kozachkov, Slotine & Krotov 2025): the astrocytic coupling T = Σ_μ ξ^μ⊗ξ^μ⊗ξ^μ⊗ξ^μ
stores the patterns of a quartic Dense Associative Memory. In the pinned formulation
(:mod:`.network`) it is exact in two places:

1. energy: on rank-one process states ψ = φφᵀ the process–process energy
   −(c/2) Σ_μ (ξ^μᵀψξ^μ)² equals −(c/2) Σ_μ (ξ^μ·φ)⁴ = 2 × the energy of
   ``make_model("polynomial", n=4)`` (−(1/4N³) Σ_μ (ξ^μ·φ)⁴ with c = N⁻³);
2. dynamics at the cue: the cue-consistent start sets g₀ = c T[h₀h₀ᵀ], so the neurons'
   input g₀h₀ = c Σ_μ ξ^μ (ξ^μ·h₀)³ is the quartic DenseAM current of the core model.

Where it breaks (measured by :func:`breakdown_study` and the read-outs of every solve):

* in time: g relaxes with τ_S and the processes release ψ ≈ −h₀h₀ᵀ within a few τ_P;
  after that the synapses follow the Hebbian outer product hhᵀ of whatever state the
  neurons hold and lock it in. A bit whose DenseAM current is too weak to flip it within
  that window stays wrong, so with the tutorial's equal time constants the network loses
  cues at loads the ideal quartic DenseAM still recalls (slower processes, τ_P > τ_x,
  widen the window and recover most of them);
* in load: the start needs |c T[ψ₀]| < 1 entry-wise; its diagonal c Σ_μ (ξ^μ·h₀)² grows
  like K/N², so at K ≳ N² the start is clipped (``init_clipped`` > 0);
* under noise: the DenseAM signal reaches a neuron through N synaptic entries of size
  O(1/N), so synaptic noise T ≳ 1/(β²N) erases it long before neuron noise matters.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping, Sequence
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np

from .network import AstrocyteNetwork
from .params import AstrocyteParams

__all__ = ["dense4_network", "check_reduction", "reduction_series", "breakdown_study",
           "plot_reduction", "main"]


def dense4_network(patterns):
    """The core's one-layer quartic DenseAM bound to ``patterns`` (the reference energy)."""
    from ..models import make_model

    return make_model("polynomial", n=4).bind(patterns)


def check_reduction(patterns, cues, params: AstrocyteParams = AstrocyteParams()
                    ) -> dict[str, np.ndarray]:
    """The two exact identities at every cue, against the core model (float32).

    Returns ``(T,)`` arrays: ``energy_ratio`` = process energy on ψ = h₀h₀ᵀ over twice
    the core's quartic synapse energy (1 when the reduction holds); ``current_error`` =
    ‖g₀h₀ − I₄(h₀)‖ / ‖I₄(h₀)‖ with I₄ the core's quartic current; ``init_clipped`` =
    fraction of atanh arguments clipped at the start (0 when the start is exact).
    """
    net = AstrocyteNetwork(patterns.xi, params)
    dense = dense4_network(patterns)

    def one(cue):
        (x0, S0, _), clipped = net.init(cue)
        h0 = net.visible((x0, S0, S0))
        e_pp = net.process_energy(jnp.outer(h0, h0))
        e4 = dense.synapse_energy({"v": h0})
        current = dense.currents({"v": h0})["v"]
        drive = jnp.tanh(net.beta * S0) @ h0
        err = jnp.linalg.norm(drive - current) / jnp.linalg.norm(current)
        return e_pp / (2.0 * e4), err, clipped

    ratio, err, clipped = jax.jit(jax.vmap(one))(jnp.asarray(cues.states, jnp.float32))
    return {"energy_ratio": np.asarray(ratio), "current_error": np.asarray(err),
            "init_clipped": np.asarray(clipped)}


def _get(source, name):
    """An array from a RecallResult (extras or fields) or a stored RunRecord."""
    if hasattr(source, "variables"):
        var = source.variables.get(name)
        return None if var is None else np.asarray(var.data)
    if name in getattr(source, "extras", {}):
        return np.asarray(source.extras[name].data)
    return None


def reduction_series(source) -> dict[str, np.ndarray]:
    """Time series of the correspondence from one astrocyte run.

    ``source`` is a RecallResult of the ``astrocyte`` implementation or a RunRecord read
    from results.h5. Returns ``time`` ``(S,)`` and ``(T, S)`` arrays:
    ``drive_alignment`` (cosine of the neuron input with the quartic current),
    ``psi_rank_one`` (cosine of ψ with hhᵀ), ``process_ratio`` (process energy over its
    rank-one value) and ``target_overlap``.
    """
    if hasattr(source, "variables"):
        times = np.asarray(source.variables["time"].data)
        overlaps = np.asarray(source.variables["overlap"].data)
        targets = np.asarray(source.variables["target"].data)
    else:
        times, overlaps, targets = source.times, source.overlaps, source.targets
    out = {"time": np.asarray(times, dtype=float)}
    for name in ("drive_alignment", "psi_rank_one"):
        out[name] = _get(source, name)
    e_pp, e4 = _get(source, "energy_process"), _get(source, "energy_dense4")
    with np.errstate(all="ignore"):
        out["process_ratio"] = e_pp / e4
    tgt = np.where(targets >= 0, targets, 0)
    out["target_overlap"] = overlaps[np.arange(len(tgt)), :, tgt]
    return out


def breakdown_study(N: int = 30, Ks: Sequence[int] = (16, 32, 64, 128, 256), *,
                    rate: float = 0.1, n_cues: int = 40,
                    tau_processes: Sequence[float] = (1.0, 5.0), seed: int = 0,
                    t1: float = 40.0) -> dict[str, dict[str, np.ndarray]]:
    """Retrieval vs load K: the astrocyte network (one line per τ_P) and the ideal ODE.

    Every K uses ``random_binary(K, N)`` patterns and the same ``n_cues`` flip cues of
    the first patterns. Returns label -> {"K": (n,), "accuracy": (n,), "agreement": (n,)}
    where agreement is the fraction of cues whose sign read-out equals the ideal one.
    """
    import neuroam as na

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
    from ..implementations._assemble import to_result
    from .solve import solve_astrocyte

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
    from ..report.figures import COLORS, band, ffill, new_figure, save

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
    """``python -m neuroam.astrocyte.reduction --out FIG.png``: run and plot the reduction."""
    import neuroam as na

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
