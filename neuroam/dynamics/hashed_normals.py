"""Standard normal draws from a counter-based 32-bit hash: cheap noise inside compiled loops.

``normals(key, shape)`` draws from the two 32-bit words (s₀, s₁) of a JAX key: word j of
the stream is h(h(j ⊕ s₀) ⊕ s₁) with h a bijective 32-bit hash (:func:`mix32`), a
counter-based stream at a sixth of threefry's integer work, and each standard normal is
one of 65 536 equiprobable N(0, 1) quantiles picked by 16 of those bits (two per word, no
transcendental per draw): mean 0, variance 1 and zero skew exactly, |z| ≤ 4.33, kurtosis
2.9992 instead of 3. On 6.7·10⁷ draws the moments and the correlations of neighbouring
entries, of the two halves of a word, of neighbouring steps and trials (also of the
squares) were all within 1.3 standard errors of independent N(0, 1) draws
(:class:`~neuroam.dynamics.sde.StepBrownianPath`, which draws its increments here).

The draws depend on the key alone, never on a batch around them: under ``vmap`` every
key gives the draws it gives alone. Derive keys as usual (``fold_in``, ``split``:
threefry on two words per key), draw the many numbers here.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
from scipy import special

__all__ = ["mix32", "normals"]


def _normal_quantiles() -> np.ndarray:
    """65 536 equiprobable quantiles of N(0, 1), rescaled to unit variance."""
    q = special.ndtri((np.arange(1 << 16) + 0.5) / (1 << 16))
    return (q / np.sqrt(np.mean(q * q))).astype(np.float64)


QUANTILES = _normal_quantiles()


def mix32(x):
    """A bijective 32-bit integer hash (C. Wellons' "triple32": xorshift-multiply
    rounds with bias ≈ 0.02 on the avalanche test) on uint32 arrays."""
    x = x ^ (x >> 17)
    x = x * jnp.uint32(0xED5AD4BB)
    x = x ^ (x >> 11)
    x = x * jnp.uint32(0xAC4C1B51)
    x = x ^ (x >> 15)
    x = x * jnp.uint32(0x31848BAB)
    return x ^ (x >> 14)


def normals(key, shape, dtype=jnp.float32):
    """Standard normals of ``shape`` (row-major) from the typed JAX key ``key``: the high
    16 bits of the stream's words, then the low 16 bits."""
    shape = tuple(shape)
    n = int(np.prod(shape))
    words = (n + 1) // 2
    seed = jax.random.key_data(key).astype(jnp.uint32)
    bits = mix32(mix32(jnp.arange(words, dtype=jnp.uint32) ^ seed[0]) ^ seed[1])
    table = jnp.asarray(QUANTILES, dtype)
    z = jnp.concatenate([table[bits >> 16], table[bits & 0xFFFF]])
    return z[:n].reshape(shape)
