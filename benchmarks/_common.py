"""Helpers shared by the benchmark scripts: the machine description and best-of timing."""

from __future__ import annotations

import datetime
import os
import platform
import time
from collections.abc import Callable
from typing import Any

__all__ = ["machine", "machine_line", "best_of"]


def machine() -> dict[str, Any]:
    """CPU model, cores, platform, library versions, date and load average."""
    cpu = platform.processor() or "unknown"
    try:
        with open("/proc/cpuinfo") as fh:
            cpu = next((ln.split(":", 1)[1].strip() for ln in fh if ln.startswith("model name")),
                       cpu)
    except OSError:
        pass
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    info: dict[str, Any] = {
        "date_utc": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M"),
        "cpu": cpu, "logical_cpus": os.cpu_count(), "usable_cpus": usable,
        "platform": platform.platform(), "python": platform.python_version(),
        "load_1min": os.getloadavg()[0]}
    for mod in ("numpy", "jax", "jaxlib", "diffrax", "equinox", "brian2", "distributed"):
        try:
            info[mod] = __import__(mod).__version__
        except Exception:  # noqa: BLE001 - a benchmark without that library
            pass
    try:
        import jax

        info["devices"] = [str(d) for d in jax.devices()]
    except Exception:  # noqa: BLE001
        pass
    return info


def machine_line() -> str:
    m = machine()
    return (f"{m['date_utc']} UTC; {m['cpu']}, {m['usable_cpus']} usable / {m['logical_cpus']} "
            f"logical CPUs; {m['platform']}; python {m['python']}; "
            + ", ".join(f"{k} {m[k]}" for k in ("numpy", "jax", "diffrax", "brian2",
                                               "distributed") if k in m)
            + f"; devices {m.get('devices', '?')}; load {m['load_1min']:.2f}")


def best_of(fn: Callable[[], Any], repeats: int) -> tuple[Any, float, float]:
    """``(last result, first call s, best of ``repeats`` further calls s)``."""
    t = time.perf_counter()
    out = fn()
    first = time.perf_counter() - t
    best = float("inf")
    for _ in range(repeats):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return out, first, best
