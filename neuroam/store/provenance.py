"""Provenance recorded as root attributes: versions, creation time, git commit."""

from __future__ import annotations

import datetime as _dt
import importlib.metadata as md
import json
import platform
import subprocess
from pathlib import Path

__all__ = ["package_versions", "git_commit", "now_iso", "neuroam_version"]

_PACKAGES = ("numpy", "scipy", "jax", "jaxlib", "diffrax", "equinox", "h5py", "h5netcdf",
             "xarray", "brian2", "pydantic", "matplotlib", "dask", "distributed")


def neuroam_version() -> str:
    try:
        return md.version("neuroam")
    except md.PackageNotFoundError:
        return "0+unknown"


def package_versions() -> str:
    """JSON ``{package: version}`` of the installed scientific stack and Python."""
    out = {"python": platform.python_version()}
    for name in _PACKAGES:
        try:
            out[name] = md.version(name)
        except md.PackageNotFoundError:
            pass
    return json.dumps(out, sort_keys=True)


def git_commit() -> str:
    """The checkout's commit (``+dirty`` not checked), or ``""`` outside a git checkout."""
    root = Path(__file__).resolve().parents[2]
    if not (root / ".git").exists():
        return ""
    try:
        out = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True,
                             text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return ""
    return out.stdout.strip() if out.returncode == 0 else ""


def now_iso() -> str:
    return _dt.datetime.now(_dt.timezone.utc).astimezone().isoformat(timespec="seconds")
