"""The HDF5 trajectory store: streamed, resumable, netCDF-compatible (xarray opens it).

See :mod:`neuroam.store.layout` for the file layout.
"""

from .layout import FORMAT, LOCK_NAME, PARTIAL_DIR, RESULTS_NAME, SCHEMA_VERSION
from .reader import (check_results, list_runs, open_run, read_records, read_summary,
                     root_attrs, summary_table)
from .record import RunRecord, Variable, decimation_index, record_from_result
from .writer import (ResultsWriter, assemble, atomic_h5, check_space, partial_index,
                     read_partial, write_partial, write_run)

__all__ = ["FORMAT", "SCHEMA_VERSION", "RESULTS_NAME", "PARTIAL_DIR", "LOCK_NAME", "RunRecord",
           "Variable", "record_from_result", "decimation_index", "ResultsWriter", "assemble",
           "atomic_h5", "check_space", "write_partial", "read_partial", "partial_index",
           "write_run", "check_results", "list_runs", "open_run", "read_records",
           "read_summary", "root_attrs", "summary_table"]
