"""The common result type and its status/outcome codes."""

from .recall_result import Extra, RecallResult, float64_results
from .status import Outcome, Status

__all__ = ["RecallResult", "Extra", "Status", "Outcome", "float64_results"]
