"""Kuramoto phase-oscillator associative memory: pairwise and quartic (dense) coupling,
second-harmonic injection, detuning, phase noise, coupling spread and misalignment.

The energy (:class:`PhaseEnergy`, derivation in :mod:`neuroam.oscillator.energy`) is the
source of truth; velocities come from ``jax.grad`` of it (:class:`PhaseDynamics`), the
couplings from the model (:func:`lift`), the non-idealities from an oscillator card
(:class:`Hardware`). The ``"oscillator"`` implementation
(:mod:`neuroam.implementations.oscillator`) runs it on the common RecallResult.
"""

from .dynamics import PhaseDynamics, wrap
from .encoding import cue_phases, readout
from .energy import PhaseEnergy, pairwise_tensor_energy, quartic_tensor_energy
from .escape import Escape, escape_times
from .hardware import CARD_KIND, Chip, Hardware, draw_chip
from .lift import PAIRWISE_RULES, CouplingPlan, lift
from .network import build_dynamics, ideal_energy, pattern_bucket
from .solve import PhaseConfig, PhaseProblem, PhaseTrajectories, solve_phases

__all__ = ["PhaseEnergy", "PhaseDynamics", "wrap", "CouplingPlan", "lift", "PAIRWISE_RULES",
           "Hardware", "Chip", "draw_chip", "CARD_KIND", "build_dynamics", "ideal_energy", "pattern_bucket",
           "cue_phases", "readout", "Escape", "escape_times", "PhaseConfig", "PhaseProblem",
           "PhaseTrajectories", "solve_phases", "pairwise_tensor_energy",
           "quartic_tensor_energy"]
