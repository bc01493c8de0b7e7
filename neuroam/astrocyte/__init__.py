"""Neuron–astrocyte associative memory (Kozachkov, Slotine & Krotov, PNAS 2025).

N neurons x, N² synapses S and N² astrocytic processes P; the K stored patterns live in
the process–process coupling T_ijkl = Σ_μ ξ_i^μ ξ_j^μ ξ_k^μ ξ_l^μ, applied through the
patterns in O(N²K). The pinned formulation (the authors' tutorial form), its energy and
the cue-consistent initial state are documented in :mod:`.network`; the correspondence
with the quartic DenseAM in :mod:`.reduction` (the study of where it breaks, with its
figure, is ``benchmarks/astrocyte_reduction.py``).
"""

from .network import INIT_MODES, AstrocyteNetwork
from .params import CARD_KIND, AstrocyteParams, load_params
from .solve import (NOISE_TARGETS, SDE_SOLVERS, SOLVERS, SUMMARY_NAMES, AstrocyteProblem,
                    SolveConfig, auto_batch_size, solve_astrocyte)
from .tensor import apply_tensor, explicit_tensor, pattern_forms

__all__ = ["AstrocyteNetwork", "AstrocyteParams", "AstrocyteProblem", "CARD_KIND", "INIT_MODES", "NOISE_TARGETS",
           "SDE_SOLVERS", "SOLVERS", "SUMMARY_NAMES", "SolveConfig", "apply_tensor",
           "auto_batch_size", "explicit_tensor", "load_params", "pattern_forms", "solve_astrocyte"]
