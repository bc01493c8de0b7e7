"""One writer per output folder: a lock held while a study runs.

``neuroam run`` takes an exclusive lock on ``DIR/.neuroam.lock`` (:mod:`filelock`, an
OS-level ``flock``) before it touches anything in ``DIR``; a second ``neuroam run`` on
the same folder is refused at once with the process that holds it. The operating system
drops the lock when its holder dies, so a lock left by a killed process is simply taken
over. ``DIR/.neuroam.lock.json`` says who holds it (pid, host, scenario, start time).
Locks on network file systems are only as reliable as their ``flock``.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
from collections.abc import Iterator
from pathlib import Path

import filelock

from ..errors import StoreError
from ..store import LOCK_NAME
from ..store.provenance import now_iso

__all__ = ["study_lock"]


def _holder(info: Path) -> str:
    try:
        data = json.loads(info.read_text())
    except (OSError, ValueError):
        return "another process"
    return (f"process {data.get('pid', '?')} on {data.get('host', '?')} (scenario "
            f"{data.get('scenario', '?')!r}, started {data.get('started', '?')})")


@contextlib.contextmanager
def study_lock(out: Path, scenario_name: str = "") -> Iterator[None]:
    """Hold the output folder's lock for the block; StoreError when another run has it."""
    lock = filelock.FileLock(str(out / LOCK_NAME), timeout=0)
    info = out / f"{LOCK_NAME}.json"
    try:
        lock.acquire()
    except filelock.Timeout:
        raise StoreError(f"an output folder {str(out)!r} in use by {_holder(info)}",
                         "one `neuroam run` per output folder",
                         "Wait for that run to finish (or stop it), or choose another "
                         "--out.") from None
    except OSError as exc:
        raise StoreError(f"an output folder {str(out)!r} where the lock file cannot be "
                         f"created ({exc.strerror or exc})", "a writable output folder",
                         "Choose another --out folder or fix its permissions.") from None
    try:
        with contextlib.suppress(OSError):
            info.write_text(json.dumps({"pid": os.getpid(), "host": socket.gethostname(),
                                        "scenario": scenario_name, "started": now_iso()}))
        yield
    finally:
        with contextlib.suppress(OSError):
            info.unlink()
        lock.release()
