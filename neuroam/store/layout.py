"""Names and version of the results layout (see README "The HDF5 layout").

``results.h5``::

    /                  attrs: format, schema_version, neuroam_version, scenario (TOML
                       text), scenario_name, scenario_digest, overrides, seed, packages
                       (JSON), created (ISO 8601), git_commit, n_runs, n_failed, inputs
                       (JSON: path -> SHA-256 of every input file), input_texts (JSON: the
                       card texts), complete (1 only on a finished file)
    /patterns          (K, D) ξ of the first run (each run group keeps its own)
    /runs/<label>/<point>   one netCDF-4 group per run:
        time (time)                    save times, attr units
        patterns (pattern, neuron)     ξ recalled in this run
        cues (trial, neuron), target (trial)
        state (trial, time, neuron)    only when [save] states = true
        energy (trial, time), overlap (trial, time, pattern)
        final (trial, neuron), status (trial) int8, outcome (trial) int8,
        converge_time (trial)
        extras with their own dims, e.g. spike_time (spike), spike_neuron (spike),
        spike_count (trial)
        attrs: run_id, implementation, label, point_id, seed, params (JSON),
        param.<key>, summary.<field>, wall_time, error, pid, finished, inputs (JSON),
        attr.<result attr>
    /summary           one row per run along dim `run` (coordinate: run id), label,
                       implementation, point_id, seed, params (JSON), param.<key>, the
                       summarize() fields, wall_time, error, pid, finished

``.neuroam-partial/<batch id>.npz`` (while a study runs): the arrays of one finished
batch and a JSON index of its records (``__index__``), tagged with the scenario digest.
"""

from __future__ import annotations

__all__ = ["FORMAT", "SCHEMA_VERSION", "RESULTS_NAME", "PARTIAL_DIR", "PARTIAL_FORMAT",
           "LOCK_NAME", "MAIN_DIMS",
           "STATUS_FLAGS", "OUTCOME_FLAGS"]

FORMAT = "neuroam-results"
SCHEMA_VERSION = "1.1"  # 1.1: inputs, params/pid/finished columns, chip spread
RESULTS_NAME = "results.h5"
PARTIAL_DIR = ".neuroam-partial"
PARTIAL_FORMAT = "neuroam-partial-2"
LOCK_NAME = ".neuroam.lock"
MAIN_DIMS = ("trial", "time", "neuron", "pattern")
STATUS_FLAGS = "converged max_steps non_finite"
OUTCOME_FLAGS = "target other spurious not_converged non_finite"
