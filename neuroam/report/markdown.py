"""``report.md``: what was run, the summary table, the plots, failures."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..store.record import RunRecord
from .references import read_references, references_section
from .tables import summary_rows, table

__all__ = ["render_markdown"]


def _md_table(header: list[str], cells: list[list[str]]) -> str:
    esc = lambda s: str(s).replace("|", "\\|")  # noqa: E731
    lines = ["| " + " | ".join(esc(h) for h in header) + " |",
             "|" + "|".join(" --- " for _ in header) + "|"]
    lines += ["| " + " | ".join(esc(c) for c in row) + " |" for row in cells]
    return "\n".join(lines)


def _overrides(value) -> list[str]:
    """The ``--set`` items stored with the results (a list, or its JSON text)."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return [value] if value.strip() not in ("", "[]") else []
    if isinstance(value, (list, tuple)) or hasattr(value, "tolist"):
        return [str(v) for v in list(value)]
    return []


def render_markdown(attrs: dict[str, Any], records: Sequence[RunRecord],
                    plots: Sequence[Path], results: Path) -> str:
    name = attrs.get("scenario_name", "scenario")
    desc = str(attrs.get("description", "")).strip()
    header, cells = table(summary_rows(records))
    overrides = _overrides(attrs.get("overrides"))
    parts = [f"# neuroam report: {name}", ""]
    if desc and overrides:
        parts += ["The scenario's description, as written (this study ran with the "
                  "overrides listed below, so what it says, numbers included, may not "
                  "apply to these results):", "", *("> " + line for line in desc.splitlines()),
                  ""]
    elif desc:
        parts += [desc, ""]
    parts += [
        f"- results: `{results.name}` ({len(records)} runs, "
        f"{sum(not r.ok for r in records)} failed)",
        f"- scenario: `{attrs.get('scenario_path', '?')}`"
        + ("" if not overrides else ", with overrides: "
           + ", ".join(f"`--set {o}`" for o in overrides)),
        f"- created {attrs.get('created', '?')}, neuroam {attrs.get('neuroam_version', '?')}"
        + (f", git {str(attrs['git_commit'])[:12]}" if attrs.get("git_commit") else ""),
        "",
        "## Summary",
        "",
        "Metrics per implementation and grid point; `a ± b` is the mean and standard "
        "deviation over seeds. accuracy = fraction of trials that retrieved their cued "
        "pattern; acc. chips p5 / p50 / p95 (runs on several chips) = percentiles over "
        "chips of each chip's accuracy; overlap = mean final overlap with the cued pattern; "
        "other / spurious / "
        "not conv. / non-finite = fractions of the other "
        "outcomes; E monotone = fraction of trials whose energy never increased; "
        "t conv. / t settle = mean time to a steady state / to a stable overlap, in each "
        "implementation's own time unit (τ: ideal-ode, ideal-sde and the other continuous "
        "dynamics; sweep: ideal-discrete and synchronous crossbar updates; iteration: "
        "ideal-fixed-point, which iterates the update map and has no trajectory in τ; s: "
        "spiking); wall s = "
        "seconds of recall (compilation included; runs recalled in one batched call share "
        "its time equally).",
        "",
        _md_table(header, cells),
        "",
    ]
    refs = references_section(read_references(str(attrs.get("scenario", ""))), records)
    if refs:
        parts += [refs]
    if plots:
        parts += ["## Plots", ""]
        for p in plots:
            parts += [f"![{p.stem}]({p.name})", ""]
    failed = [r for r in records if not r.ok]
    if failed:
        parts += ["## Failed runs", ""]
        for r in failed:
            parts += [f"- `{r.run_id}`: {r.error.splitlines()[0]}"]
        parts += [""]
    parts += ["## Scenario", "", "```toml", str(attrs.get("scenario", "")).rstrip(), "```", ""]
    return "\n".join(parts)
