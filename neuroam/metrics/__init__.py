"""Read-outs of a RecallResult: final overlaps and outcomes, energy monotonicity, run
summaries, and the agreement between two implementations' results."""

from .agreement import agreement, agreement_fraction, bit_differences, same_pattern_fraction
from .energy import energy_increase, energy_monotone
from .outcome import DEFAULT_THRESHOLD, final_overlaps, outcomes
from .summary import SUMMARY_FIELDS, settle_time, summarize

__all__ = ["outcomes", "final_overlaps", "summarize", "settle_time", "energy_monotone",
           "energy_increase", "DEFAULT_THRESHOLD", "SUMMARY_FIELDS"]
__all__ += ["agreement", "agreement_fraction", "bit_differences", "same_pattern_fraction"]
