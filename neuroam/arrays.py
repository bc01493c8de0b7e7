"""Host data onto the device without compiling anything.

Outside a trace, ``jnp.asarray(host_array)``, ``jnp.zeros(shape)``, ``jnp.stack(...)`` and
``a.astype(dtype)`` each compile and run a small XLA program, once per shape and dtype
(about 20 ms of CPU each the first time). Preparing one recall on new shapes ran up to a
dozen of them before the solver's own program. :func:`device_array` builds the array on
the host with NumPy and transfers it (``jax.device_put``) instead: the same values, dtype
and default device, no program. Inside a trace it is ``jnp.asarray``.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

__all__ = ["device_array"]


def device_array(x: Any, dtype: Any = None) -> jax.Array:
    """``x`` (array-like, NumPy or JAX) as a JAX array of ``dtype`` (default: its own) on
    the default device.

    Host data is converted with NumPy and transferred. A JAX array already of ``dtype``
    is returned as it is; one of another dtype goes through the host (these are the
    small per-run arrays of a recall: patterns, weights, cues). Floating dtypes follow
    JAX's precision mode as ``jnp.asarray`` does (float64 becomes float32 without x64).
    """
    if isinstance(x, jax.core.Tracer):
        return jnp.asarray(x, dtype)
    if isinstance(x, jax.Array):
        if dtype is None or x.dtype == np.dtype(dtype):
            return x
        x = np.asarray(x)
    return jax.device_put(np.asarray(x, dtype=None if dtype is None else np.dtype(dtype)))
