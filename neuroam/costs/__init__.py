"""Energy and latency per recall, from device and circuit cards with sources."""

from .estimate import CostEstimate
from .flops import EVALS_PER_STEP, flip_flops, vector_field_flops
from .ideal import DEFAULT_PROCESSOR, ideal_cost

__all__ = ["CostEstimate", "ideal_cost", "vector_field_flops", "flip_flops", "EVALS_PER_STEP",
           "DEFAULT_PROCESSOR"]
