"""Reports: ``report.md`` and PNG plots made from a ``results.h5`` alone."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

from ..store import read_records, root_attrs
from ..store.writer import output_folder
from .markdown import render_markdown
from .agreement import agreement_section
from .circuits import circuits_section
from .compare import compare_section
from .outcomes import plot_outcomes
from .raster import spiking_section
from .sweep_curves import plot_sweep
from .tables import Row, summary_rows, table
from .trajectories import plot_trajectories

__all__ = ["make_report", "summary_rows", "table", "Row"]


def _model_name(attrs: dict) -> str | None:
    """The model name in the stored scenario text (None when unreadable or swept)."""
    try:
        data = tomllib.loads(str(attrs.get("scenario", "")))
    except tomllib.TOMLDecodeError:
        return None
    if "model" in data.get("sweep", {}).get("grid", {}):
        return None
    return data.get("model", {}).get("name")


def make_report(results: str | Path, out_dir: str | Path | None = None) -> list[Path]:
    """Write ``report.md`` and the plots next to ``results`` (or into ``out_dir``).

    Returns the written paths, report.md first. Raises StoreError for files that are
    not complete neuroam results.
    """
    results = Path(results)
    attrs = root_attrs(results)
    records = read_records(results, skip=("state", "cues", "final"))
    out = output_folder(out_dir if out_dir is not None else results.parent)
    plots = [p for p in (
        plot_trajectories(records, out / "trajectories.png"),
        plot_outcomes(records, out / "outcomes.png"),
        plot_sweep(records, lambda key: out / f"sweep_{key.replace('.', '_')}.png",
                   hopfield=_model_name(attrs) == "hopfield"),
    ) if p is not None]
    text = render_markdown(attrs, records, plots, results)
    spike_plots, section = spiking_section(records, results, out)  # only runs with spike trains
    if section:
        text = text.replace("\n## Scenario\n", f"\n{section}\n## Scenario\n", 1)
    agreement = agreement_section(records, results)  # hardware vs ideal final states
    if agreement:
        text = text.replace("\n## Scenario\n", f"\n{agreement}\n## Scenario\n", 1)
    circuits = circuits_section(records)  # SPICE mirrors vs their behavioural models
    if circuits:
        text = text.replace("\n## Scenario\n", f"\n{circuits}\n## Scenario\n", 1)
    compare_plots, compared = compare_section(records, out)  # implementations side by side
    if compared:
        text = text.replace("\n## Summary\n", f"\n{compared}\n## Summary\n", 1)
    md = out / "report.md"
    tmp = md.with_name(f"report.md.tmp-{os.getpid()}")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(md)
    return [md, *compare_plots, *plots, *spike_plots]
