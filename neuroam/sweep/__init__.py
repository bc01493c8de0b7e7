"""Sweeps: run a scenario's grid (:mod:`neuroam.scenario.grid`) in batches, in this process or
on Dask, into one streamed ``results.h5``, and resume interrupted studies."""

from ..scenario.build import build_inputs, derive_seed
from .driver import StudyOutcome, prepare_out, run_study
from .execute import run_batch, run_one
from ..scenario.grid import RunPoint, expand
from .plan import Batch, plan_batches

__all__ = ["RunPoint", "expand", "Batch", "plan_batches", "build_inputs", "derive_seed",
           "run_batch", "run_one", "run_study", "prepare_out", "StudyOutcome"]
