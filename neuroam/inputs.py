"""Input files by content: what a run read, so that a study can prove what it was made of.

Every file neuroam reads on a user's behalf — device and circuit cards, pattern files —
goes through :func:`read_bytes` / :func:`read_text` (or is announced with :func:`note`),
which hash its content (SHA-256). Inside a :func:`recording` block every file read is
collected; the study engine records, per run, ``{absolute path: sha256}`` of the files
the run read, stores the card texts once in ``results.h5`` and refuses to ``--resume``
after any of them changed.
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
from collections.abc import Iterator
from pathlib import Path

__all__ = ["read_bytes", "read_text", "note", "recording", "digest_of", "sha256"]

#: the recordings open in this thread (or task): runs recalled in parallel threads each
#: see only the files they read themselves
_ACTIVE: contextvars.ContextVar[tuple[dict[str, str], ...]] = contextvars.ContextVar(
    "neuroam_inputs", default=())


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _record(path: Path, digest: str) -> None:
    key = str(path.resolve())
    for seen in _ACTIVE.get():
        seen[key] = digest


def read_bytes(path: str | Path) -> bytes:
    """The file's bytes; the file is recorded in every active :func:`recording`."""
    path = Path(path)
    data = path.read_bytes()
    _record(path, sha256(data))
    return data


def read_text(path: str | Path, encoding: str = "utf-8") -> str:
    """The file's text (see :func:`read_bytes`)."""
    return read_bytes(path).decode(encoding)


def note(path: str | Path) -> None:
    """Record a file that a library reads itself (``np.load``, ``h5py``): hash it now."""
    path = Path(path)
    if path.is_file():
        _record(path, digest_of(path))


def digest_of(path: str | Path) -> str | None:
    """SHA-256 of the file's current content, or None when it cannot be read."""
    h = hashlib.sha256()
    try:
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
    except OSError:
        return None
    return h.hexdigest()


@contextlib.contextmanager
def recording() -> Iterator[dict[str, str]]:
    """Collect ``{absolute path: sha256}`` of every input file read inside the block."""
    seen: dict[str, str] = {}
    token = _ACTIVE.set((*_ACTIVE.get(), seen))
    try:
        yield seen
    finally:
        _ACTIVE.reset(token)
