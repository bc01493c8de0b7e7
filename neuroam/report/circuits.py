"""Report section: circuits against their behavioural models (the SPICE mirrors).

A ``*-spice`` run recalls its cues twice — in ngspice and with its behavioural model
(``oscillator`` / ``crossbar``) on the same chip and cues — and records the agreement of
the ±1 final states in its attrs (``model_agreement``: identical on every neuron;
``model_agreement_2pct``: at most 2 % differ). This section lists them per label and grid
point, with what separates circuit and model (amplitude excursions of the tanks, settling
time against the crossbar's latency estimate), so the report shows where agreement falls off.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..scenario.grid import format_value
from ..store.record import RunRecord

__all__ = ["circuits_section"]


def _point(r: RunRecord) -> str:
    return " ".join(f"{k.split('.')[-1]}={format_value(v)}" for k, v in r.params.items()) or "–"


def _num(v, fmt: str = ".3g") -> str:
    try:
        return format(float(v), fmt)
    except (TypeError, ValueError):
        return "–"


def circuits_section(records: Sequence[RunRecord]) -> str:
    """Markdown table of every run that carries ``model_agreement`` ("" if none)."""
    rows = sorted((r for r in records if r.ok and "model_agreement" in r.attrs),
                  key=lambda r: (r.label, _point(r), r.seed))
    if not rows:
        return ""
    lines = ["## Circuits vs behavioural models", "",
             "Each SPICE run against its behavioural model on the same chip and cues: the "
             "fraction of cues whose ±1 final states are identical (same state) or differ on "
             "at most 2 % of the neurons; exact: the fraction of cues that the model and the circuit "
             "end exactly on their target (a split where the model misses too is a marginal cue). "
             "Oscillators: μτ (amplitude relaxation rate over the coupling rate; the phase model is "
             "μτ → ∞), tank amplitude range at t1 (V; the phase model assumes A₀) and the largest "
             "amplitude spread within one network along the run (over A₀). "
             "Crossbar loop: mean settling time against the crossbar's latency estimate.", "",
             "| label | grid point | seed | trials | same state | ≤ 2 % differ | exact: model | "
             "exact: circuit | accuracy | μτ | amplitude (V) | amplitude spread | settle (s) | "
             "crossbar latency (s) |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for r in rows:
        a = r.attrs
        amp = (f"{_num(a['final_amplitude_min_v'])}–{_num(a['final_amplitude_max_v'])}"
               if "final_amplitude_min_v" in a else "–")
        lines.append(
            f"| {r.label} | {_point(r)} | {r.seed} | {_num(r.summary.get('n_trials'), '.0f')} | "
            f"{_num(a['model_agreement'])} | {_num(a.get('model_agreement_2pct'))} | "
            f"{_num(a.get('model_exact'))} | {_num(a.get('circuit_exact'))} | "
            f"{_num(r.summary.get('accuracy'))} | {_num(a.get('amplitude_rate_tau'))} | {amp} | "
            f"{_num(a.get('amplitude_spread'))} | {_num(a.get('settle_time_mean_s'))} | "
            f"{_num(a.get('crossbar_latency_s'))} |")
    return "\n".join(lines) + "\n"
