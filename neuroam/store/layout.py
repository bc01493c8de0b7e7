"""Names and version of the HDF5 layout (see README "HDF5 layout").

``results.h5``::

    /                  attrs: format, schema_version, neuroam_version, scenario (TOML
                       text), scenario_name, scenario_digest, overrides, seed, packages
                       (JSON), created (ISO 8601), git_commit, complete (1 only on an
                       assembled file)
    /patterns          (K, D) ξ of the first run (each run group keeps its own)
    /runs/<label>/<point>   one netCDF-style group per run:
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
        param.<key>, summary.<field>, wall_time, error, attr.<result attr>
    /summary           one row per run along dim `run` (coordinate: run id), label,
                       implementation, point_id, seed, param.<key>, the summarize()
                       fields, wall_time, error
"""

from __future__ import annotations

__all__ = ["FORMAT", "SCHEMA_VERSION", "RESULTS_NAME", "PARTIAL_DIR", "MAIN_DIMS",
           "STATUS_FLAGS", "OUTCOME_FLAGS"]

FORMAT = "neuroam-results"
SCHEMA_VERSION = "1.0"
RESULTS_NAME = "results.h5"
PARTIAL_DIR = ".neuroam-partial"
MAIN_DIMS = ("trial", "time", "neuron", "pattern")
STATUS_FLAGS = "converged max_steps non_finite"
OUTCOME_FLAGS = "target other spurious not_converged non_finite"
