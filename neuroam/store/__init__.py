"""The HDF5 trajectory store: atomic, resumable, netCDF-compatible (xarray opens it).

See :mod:`neuroam.store.layout` for the file layout.
"""

from .layout import FORMAT, PARTIAL_DIR, RESULTS_NAME, SCHEMA_VERSION
from .reader import (check_results, list_runs, open_run, read_partial, read_record,
                     read_records, read_summary, root_attrs)
from .record import RunRecord, Variable, decimation_index, record_from_result
from .writer import assemble, atomic_h5, write_partial, write_run

__all__ = ["FORMAT", "SCHEMA_VERSION", "RESULTS_NAME", "PARTIAL_DIR", "RunRecord", "Variable",
           "record_from_result", "decimation_index", "assemble", "atomic_h5", "write_partial",
           "write_run", "check_results", "list_runs", "open_run", "read_partial",
           "read_record", "read_records", "read_summary", "root_attrs"]
