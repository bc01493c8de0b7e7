"""Report section: agreement of every hardware implementation's final states with the ideal.

Each run of a non-ideal label is paired with the run of its reference ideal label at the
same shared grid point (the keys outside ``implementations.``) and seed, i.e. on the very
same patterns and cues. References are the labels whose implementation declares
``role = "reference"``; among them the highest ``reference_rank`` is preferred
(``ideal-ode``, else ``ideal-fixed-point``: the same attractors, without the trajectory;
see :func:`neuroam.implementations.registry.references_first`). The reference is such a
label that recalls the same model (the runs' ``model`` attribute), else the first such
label, else the first reference label (the one-layer and bipartite forms of one model
count as the same model). Hardware
recalled on several chips (``crossbar`` with ``n_draws``) has ``n·T`` trials,
chip-major; every chip is compared with the ideal on the same ``T`` cues. The metric
itself is :mod:`neuroam.metrics.agreement`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path

import h5py
import numpy as np

from ..implementations.registry import reference_rank, references_first
from ..metrics.agreement import agreement_fraction, same_pattern_fraction
from ..store.record import RunRecord
from ..scenario.grid import format_value

__all__ = ["agreement_section", "agreement_rows", "agreement_table", "reference_labels",
           "shared_key"]


def shared_key(r: RunRecord) -> tuple[str, int]:
    """The shared grid point (keys outside ``implementations.``) and seed of a run: runs
    with equal keys recalled the same patterns and cues."""
    shared = {k: v for k, v in r.params.items() if not k.startswith("implementations.")}
    return json.dumps(shared, sort_keys=True, default=str), r.seed


def _model(records: Sequence[RunRecord], label: str) -> str | None:
    return next((str(r.attrs["model"]) for r in records
                 if r.label == label and r.ok and r.attrs.get("model")), None)


def _energy(model: str | None) -> str | None:
    """A model description without its ``form``: one-layer and bipartite forms of a model
    share their energy on the visible neurons and their fixed points."""
    return None if model is None else re.sub(r"form='[^']*',?\s*", "", model)


def reference_labels(records: Sequence[RunRecord]) -> dict[str, str]:
    """``{hardware label: ideal label}`` for every non-ideal label that has a reference."""
    impl: dict[str, str] = {}
    for r in records:
        impl.setdefault(r.label, r.implementation)
    ideals = references_first(impl)
    if not ideals:
        return {}
    models = {lab: _model(records, lab) for lab in impl}
    out = {}
    for lab, name in impl.items():
        if reference_rank(name) is not None:
            continue
        same = [i for i in ideals if models[i] is not None and models[i] == models[lab]]
        energy = [i for i in ideals if models[i] is not None and
                  _energy(models[i]) == _energy(models[lab])]
        out[lab] = (same or energy or ideals)[0]
    return out


def _finals(results: Path, run_ids: set[str]) -> dict[str, np.ndarray]:
    out = {}
    with h5py.File(results, "r") as f:
        for rid in sorted(run_ids):
            grp = f.get(f"runs/{rid}")
            if grp is not None and "final" in grp:
                out[rid] = grp["final"][...]
    return out


def _point(r: RunRecord) -> str:
    return " ".join(f"{k.split('.')[-1]}={format_value(v)}" for k, v in r.params.items())


def agreement_rows(records: Sequence[RunRecord], results: Path) -> list[dict]:
    """One row per hardware run that has an ideal partner on the same cues.

    Row keys: ``label``, ``reference``, ``run``, ``point``, ``seed``, ``K``, ``D``,
    ``trials``, ``exact`` (fraction of trials with identical ±1 final states),
    ``within_2pct`` (at most 2 % of the neurons differ), ``same_pattern`` (nearest to the
    same stored pattern or its negation), ``accuracy``/``accuracy_ref``, the model
    descriptions ``model``/``model_ref``.
    """
    refs = reference_labels(records)
    ok = [r for r in records if r.ok]
    by_key = {(r.label, *shared_key(r)): r for r in ok if r.label in refs.values()}
    pairs = [(r, by_key.get((refs[r.label], *shared_key(r)))) for r in ok if r.label in refs]
    pairs = [(a, b) for a, b in pairs if b is not None]
    finals = _finals(results, {x.run_id for p in pairs for x in p})
    rows = []
    for a, b in pairs:
        fa, fb = finals.get(a.run_id), finals.get(b.run_id)
        if fa is None or fb is None or fa.shape[1:] != fb.shape[1:] or \
                fa.shape[0] % max(fb.shape[0], 1):
            continue
        fb = np.tile(fb, (fa.shape[0] // fb.shape[0], 1))  # every chip on the same cues
        xi = np.asarray(a.variables["patterns"].data, dtype=float)
        rows.append({"label": a.label, "reference": b.label, "run": a.run_id,
                     "point": _point(a), "seed": a.seed, "K": xi.shape[0], "D": xi.shape[1],
                     "trials": int(fa.shape[0]),
                     "exact": agreement_fraction(fa, fb),
                     "within_2pct": agreement_fraction(fa, fb, tol=0.02),
                     "same_pattern": same_pattern_fraction(fa, fb, xi),
                     "accuracy": a.summary.get("accuracy", float("nan")),
                     "accuracy_ref": b.summary.get("accuracy", float("nan")),
                     "model": a.attrs.get("model", ""), "model_ref": b.attrs.get("model", "")})
    return rows


def agreement_table(rows: Sequence[dict]) -> str:
    """Markdown table of :func:`agreement_rows` rows (one label's, typically)."""
    lines = ["| grid point | seed | K/D | trials | accuracy | ideal accuracy | same final "
             "state | ≤ 2 % differ | same pattern |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for r in rows:
        lines.append(f"| {r['point'] or '–'} | {r['seed']} | {r['K'] / r['D']:.3g} | "
                     f"{r['trials']} | {r['accuracy']:.3f} | {r['accuracy_ref']:.3f} | "
                     f"{r['exact']:.3f} | {r['within_2pct']:.3f} | {r['same_pattern']:.3f} |")
    return "\n".join(lines)


def agreement_section(records: Sequence[RunRecord], results: Path) -> str:
    """Markdown comparing every hardware label with its ideal reference ("" if none)."""
    rows = agreement_rows(records, results)
    if not rows:
        return ""
    parts = ["## Agreement with the ideal model", "",
             "Each hardware run against the ideal run on the same patterns and cues (same "
             "shared grid point and seed): the fraction of trials whose ±1 final read-outs "
             "are identical on every neuron (same final state), differ on at most 2 % of "
             "the neurons, or end nearest to the same stored pattern (same pattern).", ""]
    for label in dict.fromkeys(r["label"] for r in rows):
        mine = [r for r in rows if r["label"] == label]
        ref, m, mref = mine[0]["reference"], mine[0]["model"], mine[0]["model_ref"]
        parts += [f"### `{label}` vs `{ref}`", ""]
        if m and mref and _energy(m) != _energy(mref):
            parts += [f"Note: `{label}` recalls {m}, `{ref}` recalls {mref}; no ideal label "
                      "recalls the same model, so only the retrieved patterns are comparable.",
                      ""]
        parts += [agreement_table(mine), ""]
    return "\n".join(parts)
