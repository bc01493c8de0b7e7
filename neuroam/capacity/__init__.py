"""Capacity estimation: stability and basin tests, bisection for K_max, published laws."""

from .bisection import Capacity, find_kmax
from ..models.capacity import (HOPFIELD_ALPHA_C, double_factorial, error_free_capacity, exponential_capacity,
                   hopfield_critical_load, one_percent_capacity)
from .retrieval import Retrieval, retrieval

__all__ = ["retrieval", "Retrieval", "find_kmax", "Capacity", "error_free_capacity",
           "one_percent_capacity", "hopfield_critical_load", "exponential_capacity",
           "double_factorial", "HOPFIELD_ALPHA_C"]
