"""Sweeps: expand a scenario's grid into runs, run them, resume interrupted studies."""

from .build import build_inputs, derive_seed
from .driver import StudyOutcome, prepare_out, run_study
from .execute import run_one
from .grid import RunPoint, expand

__all__ = ["RunPoint", "expand", "build_inputs", "derive_seed", "run_one", "run_study",
           "prepare_out", "StudyOutcome"]
