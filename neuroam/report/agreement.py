"""Report section: agreement of each hardware implementation's final states with the ideal."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..store.record import RunRecord

__all__ = ["agreement_section"]


def agreement_section(records: Sequence[RunRecord], results: Path) -> str:
    """Markdown comparing every non-ideal label with the first ideal label (same cues).

    The spiking mirror has its own section (rasters + agreement); it is skipped here.
    Returns "" when the study has no ideal label or nothing to compare with it.
    """
    from ..astrocyte.compare import agreement, agreement_table

    labels: dict[str, str] = {}
    for r in records:
        labels.setdefault(r.label, r.implementation)
    ideal = next((lab for lab, impl in labels.items() if impl == "ideal-ode"), None) or \
        next((lab for lab, impl in labels.items() if impl.startswith("ideal-")), None)
    others = [lab for lab, impl in labels.items()
              if not impl.startswith("ideal-") and impl != "spiking"]
    if ideal is None or not others:
        return ""
    parts = ["## Agreement with the ideal model", "",
             f"Per grid point and seed: the fraction of trials whose final ±1 read-outs equal "
             f"those of `{ideal}` on every neuron (exact), and the fraction that end closest to "
             "the same stored pattern (same pattern).", ""]
    for lab in others:
        rows = agreement(results, lab, ideal)
        if rows:
            parts += [f"### `{lab}` vs `{ideal}`", "", agreement_table(rows, lab, ideal), ""]
    return "\n".join(parts) if len(parts) > 5 else ""
