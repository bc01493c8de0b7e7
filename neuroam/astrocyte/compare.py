"""Agreement of final states between two implementations of one results file.

The runner stores every implementation's final states on the same cues; this module
pairs the runs of two labels at each grid point and seed and counts the trials whose
read-outs agree. It serves the astrocyte-vs-ideal study (``scenarios/astrocyte_vs_ideal.toml``)
and works for any pair of labels.

``python -m neuroam.astrocyte.compare results.h5 [--a astrocyte] [--b ideal] [--append]``
prints a Markdown table (``--append`` adds it to the report.md next to the file).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..errors import StoreError

__all__ = ["agreement", "agreement_table", "main"]


def _readout(final: np.ndarray) -> np.ndarray:
    return np.where(np.asarray(final) >= 0, 1.0, -1.0)


def agreement(results: str | Path, a: str, b: str) -> list[dict]:
    """One row per grid point and seed present for both labels ``a`` and ``b``.

    Each row: ``params`` (the grid values), ``seed``, ``K``, ``D``, ``trials``,
    ``exact`` (fraction of trials whose sign read-outs agree on every neuron),
    ``same_pattern`` (fraction whose read-outs are closest to the same stored pattern or
    its negation), ``accuracy_a``/``accuracy_b`` (the runs' summary accuracies).
    """
    from ..store import read_records

    records = read_records(results, skip=("state", "cues"))
    labels = sorted({r.label for r in records})
    for lab in (a, b):
        if lab not in labels:
            raise StoreError(f"the label {lab!r} in {results}", f"one of {labels}",
                             "Pass --a/--b with the [implementations] labels of the scenario.")
    key = lambda r: (json.dumps(r.params, sort_keys=True, default=str), r.seed)  # noqa: E731
    by_b = {key(r): r for r in records if r.label == b and r.ok}
    rows = []
    for ra in records:
        if ra.label != a or not ra.ok or key(ra) not in by_b:
            continue
        rb = by_b[key(ra)]
        fa, fb = _readout(ra.variables["final"].data), _readout(rb.variables["final"].data)
        xi = np.asarray(ra.variables["patterns"].data, dtype=float)
        pa = np.argmax(np.abs(fa @ xi.T), axis=1)
        pb = np.argmax(np.abs(fb @ xi.T), axis=1)
        rows.append({"params": ra.params, "seed": ra.seed, "K": xi.shape[0], "D": xi.shape[1],
                     "trials": fa.shape[0],
                     "exact": float(np.mean(np.all(fa == fb, axis=1))),
                     "same_pattern": float(np.mean(pa == pb)),
                     "accuracy_a": ra.summary.get("accuracy", float("nan")),
                     "accuracy_b": rb.summary.get("accuracy", float("nan"))})
    return rows


def agreement_table(rows: Sequence[dict], a: str, b: str) -> str:
    """Markdown table of :func:`agreement` rows."""
    lines = [f"| K | D | seed | trials | accuracy {a} | accuracy {b} | same final state | "
             "same pattern |", "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['K']} | {r['D']} | {r['seed']} | {r['trials']} | "
                     f"{r['accuracy_a']:.3g} | {r['accuracy_b']:.3g} | {r['exact']:.3g} | "
                     f"{r['same_pattern']:.3g} |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="Agreement of final states between two labels.")
    ap.add_argument("results", type=Path)
    ap.add_argument("--a", default="astrocyte", help="first label (default: astrocyte)")
    ap.add_argument("--b", default="ideal", help="second label (default: ideal)")
    ap.add_argument("--append", action="store_true", help="append the table to report.md")
    args = ap.parse_args(argv)
    rows = agreement(args.results, args.a, args.b)
    text = (f"## Agreement of final states: {args.a} vs {args.b}\n\n"
            "same final state = fraction of trials whose ±1 read-outs agree on every neuron; "
            "same pattern = fraction whose read-outs are nearest to the same stored pattern.\n\n"
            + agreement_table(rows, args.a, args.b) + "\n")
    print(text)
    if args.append:
        report = args.results.parent / "report.md"
        with report.open("a", encoding="utf-8") as f:
            f.write("\n" + text)
        print(f"appended to {report}")


if __name__ == "__main__":
    main()
