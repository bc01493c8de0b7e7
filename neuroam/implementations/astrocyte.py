"""``astrocyte``: the neuron–synapse–process network of Kozachkov, Slotine & Krotov (PNAS 2025).

The network realises one model only, the quartic (n = 4) polynomial DenseAM: the K
patterns live in the process–process coupling T = Σ_μ ξ^μ⊗ξ^μ⊗ξ^μ⊗ξ^μ, whose energy on
rank-one process states is (twice) the DenseAM energy −(1/4N³) Σ_μ (ξ^μ·h)⁴. Any other
model is refused. The physical numbers (β, τ's, coupling exponent, noise, step) come from
a device card of kind "astrocyte"; see :mod:`neuroam.astrocyte` for the equations.
"""

from __future__ import annotations

import math
import time
from typing import Literal

from pydantic import Field

from ..astrocyte import (INIT_MODES, NOISE_TARGETS, SOLVERS, SUMMARY_NAMES, SolveConfig,
                         load_params, solve_astrocyte)
from ..models.capacity import error_free_capacity
from ..results import Extra
from ._assemble import to_result
from .base import Implementation, SettingsBase

__all__ = ["Astrocyte"]


class AstrocyteSettings(SettingsBase):
    """Settings of ``astrocyte``. Times are in units of the neuron time constant τ."""

    device: str = Field("astrocyte-tutorial", description="astrocyte device card: a name in "
                        "devices/ or a path", json_schema_extra={"card": "device", "kind": "astrocyte"})
    beta: float | None = Field(None, gt=0, description="gain β of the three tanh; default: "
                               "the card's")
    tau_synapse: float | None = Field(None, gt=0, description="synapse time constant τ_S (τ); "
                                      "default: the card's")
    tau_process: float | None = Field(None, gt=0, description="process time constant τ_P (τ); "
                                      "default: the card's")
    temperature: float | None = Field(None, ge=0, description="noise T on x, S, P (√(2T/τ) dW); "
                                      "default: the card's; > 0 needs a fixed-step euler/heun")
    noise_on: list[Literal[tuple(NOISE_TARGETS)]] = Field(  # type: ignore[valid-type]
        list(NOISE_TARGETS), description="populations that receive the noise")
    init: Literal[tuple(INIT_MODES)] = Field(  # type: ignore[valid-type]
        "cue-consistent", description="initial S, P: the tutorial's cue-consistent start, or "
        "'zero' / 'flipped' (which correct no bits)")
    solver: Literal[tuple(SOLVERS)] = "tsit5"  # type: ignore[valid-type]
    adaptive: bool = Field(True, description="PID step-size control (else fixed steps dt)")
    dt: float | None = Field(None, gt=0, description="fixed (or first) step (τ); default: "
                             "the card's")
    t1: float | None = Field(None, gt=0, description="time horizon (τ); default: the card's")
    n_save: int = Field(41, ge=2, description="saved time points, evenly spaced on [0, t1]")
    save_times: list[float] | None = Field(None, description="explicit save times (τ) in [0, t1]")
    save_states: bool = Field(True, description="keep neuron activations over time")
    rtol: float = Field(1e-4, gt=0, lt=1)
    atol: float = Field(1e-6, gt=0)
    steady_tol: float = Field(1e-3, gt=0, description="steady when max |dy/dt|/(1+|y|) < "
                              "this (1/τ)")
    steady_stop: bool = Field(False, description="stop each trial once steady (a Diffrax event: "
                              "worth it for fixed steps; adaptive steps grow large anyway)")
    max_steps: int = Field(20_000, ge=1)
    dtype: Literal["float32", "float64"] = "float32"
    batch_size: int | None = Field(None, ge=1, description="trials per compiled batch; "
                                   "default: cache-sized, ≈ 8 MB of state (N + 2N² numbers per trial)")


def unsupported(structure) -> str | None:
    """Why the neuron–astrocyte network cannot realise a model of this
    :class:`~neuroam.models.Structure`, or None: it realises the quartic DenseAM of binary
    neurons storing ξ (either form: they share the visible energy)."""
    if (structure.separation == "power" and structure.order == 4 and not structure.rectified
            and structure.stores == "patterns" and structure.state == "binary"):
        return None
    return ("expected the quartic DenseAM, make_model(\"polynomial\", n=4) (the only energy "
            "the process–process tensor realises). Set [model] name = \"polynomial\", n = 4, "
            "or recall this model with ideal-ode.")


def capacity_attrs(N: int, K: int) -> dict[str, float]:
    """Memories per compute unit as the paper frames them.

    Compute units of the neuron–astrocyte network: N neurons + N² processes (one per
    synapse). The same quartic DenseAM built as a bipartite network needs N feature
    neurons + K memory neurons, so its memories per unit K/(N + K) stay below 1 whatever
    N; the astrocyte network's error-free capacity N³/(30 ln N) (n = 4, Krotov & Hopfield
    2016) over N + N² units grows like N / (30 ln N).
    """
    units = N + N * N
    cap = error_free_capacity(N, 4) if N >= 2 else float("nan")
    return {
        "neurons": N, "processes": N * N, "synapses": N * N, "compute_units": units,
        "memories_per_compute_unit": K / units,
        "bipartite_memories_per_compute_unit": K / (N + K),
        "dense4_error_free_capacity": cap,
        "capacity_per_compute_unit": cap / units if math.isfinite(cap) else float("nan"),
        "bipartite_capacity_per_compute_unit":
            cap / (N + cap) if math.isfinite(cap) else float("nan"),
    }


class Astrocyte(Implementation):
    """Neurons x, synapses S and astrocytic processes P (Diffrax ODE/SDE, vmapped over trials)."""

    name = "astrocyte"
    description = ("Neuron–astrocyte network storing the quartic DenseAM in process couplings "
                   "(Diffrax)")
    Settings = AstrocyteSettings
    thread_safe = True

    def supports(self, model, settings=None):
        return unsupported(model.structure)

    def recall(self, model, patterns, cues, settings, *, seed=0):
        s = settings
        params = load_params(s.device)
        overrides = {"beta": s.beta, "tau_synapse": s.tau_synapse, "tau_process": s.tau_process,
                     "temperature": s.temperature}
        changes = {k: v for k, v in overrides.items() if v is not None}
        params = params.replace(**changes) if changes else params
        cfg = SolveConfig(solver=s.solver, adaptive=s.adaptive, n_save=s.n_save,
                          save_states=s.save_states, steady_stop=s.steady_stop,
                          max_steps=s.max_steps, init=s.init)
        t0 = time.perf_counter()
        traj, summ = solve_astrocyte(params, patterns, cues, t1=s.t1, dt=s.dt, rtol=s.rtol,
                                     atol=s.atol, steady_tol=s.steady_tol,
                                     noise_on=s.noise_on, seed=seed,
                                     dtype=s.dtype, batch_size=s.batch_size,
                                     save_times=s.save_times, config=cfg)
        wall = time.perf_counter() - t0
        extras = {name: Extra(("trial", "time"), summ[name], units)
                  for name, (units, _) in SUMMARY_NAMES.items()}
        extras["init_clipped"] = Extra(("trial",), summ["init_clipped"], "1")
        attrs = {
            "model": model.describe(), "device": str(params.source), "beta": params.beta,
            "tau_neuron": params.tau_neuron, "tau_synapse": params.tau_synapse,
            "tau_process": params.tau_process, "tensor_exponent": params.tensor_exponent,
            "temperature": params.temperature, "noise_on": ",".join(s.noise_on),
            "solver": s.solver, "adaptive": s.adaptive,
            "dt": params.dt if s.dt is None else s.dt, "init": s.init,
            "formulation": "tutorial three-variable form (x, S, P), naam notebook",
            "seed": seed, "wall_time_s": wall,
            **capacity_attrs(patterns.D, patterns.K),
        }
        return to_result(self.name, traj, cues, attrs=attrs, extras=extras)
