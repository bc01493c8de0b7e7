"""Matrix–vector products through the crossbar, in JAX (one draw; vmap for more).

A read of a logical input vector x (forward, y = Mᵀ x) or f (transposed, y = M f):

1. abs-max scaling s = max |x| (digital), DAC quantisation of x/s to signed levels;
2. voltages v_read·x/s on the driven lines. The sensed quantity is a difference of two
   line currents (g⁺ − g⁻ columns, or a column minus the tile's reference column, which
   transposed reads drive with −Σ V), through the effective (IR-drop) conductances — the
   same for both directions, by reciprocity — so its mean is V·Δ with Δ = G⁺ − G⁻ (or
   G − G_ref) precomputed once per chip. Per-device read noise is redrawn at every read:
   each line current is Gaussian with variance Σ V² σ_g², exact for independent devices
   (the reference column's noise is one draw shared by the outputs of a tile). For ±1
   inputs Σ V² σ_g² = v_read² Σ σ_g² needs no product;
3. additive output noise, ADC clipping to its full scale and quantisation, per tile;
4. digital sum over tiles sharing an output, rescaling by s, by the weight units per
   ampere and by the drift compensation factor.

Every read returns the outputs y and σ, the standard deviation of their noise from one
read to the next (line noise, output noise and the reference column's, summed over the
tiles that add up to each output, in the units of y): a difference of two reads smaller
than a few σ is not a property of the chip. A noisy current is rounded by the ADC at
random too (the noise dithers it): per tile the rounding adds the variance
Δ²/12·(1 − exp(−2π²σ_I²/Δ²)), Δ the ADC step and σ_I the current's noise (an
interpolation: Sheppard's Δ²/12 once σ_I ≳ Δ/2, where the noise makes the rounding
error uniform and independent of the signal; 0 without noise, where rounding is
deterministic). Clipping is not counted.
Normal draws come from :func:`~neuroam.dynamics.hashed_normals.normals` (a counter-based
hash seeded by the read's key: a sixth of threefry's work, which was most of a sweep).
"""

from __future__ import annotations

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from ..dynamics.hashed_normals import normals
from .array import ProgrammedArray
from .mapping import weight_per_siemens

__all__ = ["DrawArrays", "Periphery", "make_reader", "forward", "transposed", "forward_one",
           "transposed_one"]


class DrawArrays(eqx.Module):
    """Per-draw arrays (a leading draw axis when batched).

    ``delta`` (nb, nc, rows, k): effective conductance differences (S); ``var`` (nb, nc,
    rows, k): read-noise variance of the devices behind each difference (S²); ``var_ref``
    (nb, nc, rows): the reference column's (offset mapping, else 0); ``var_sum`` (nb, nc,
    k) and ``var_ref_sum`` (nb, nc): their sums over the used rows; ``comp``: drift
    compensation factor; ``w_per_amp``: weight units per ampere at v_read (it depends on
    the chip's w_max, which may differ between the runs of a batch).
    """

    delta: jax.Array
    var: jax.Array
    var_ref: jax.Array
    var_sum: jax.Array
    var_ref_sum: jax.Array
    comp: jax.Array
    w_per_amp: jax.Array


class Periphery(eqx.Module):
    """Converters and line counts shared by every draw (and every run of a batch: they
    depend only on the circuit and device cards and the layout)."""

    v_read: jax.Array
    dac_levels: jax.Array  # signed levels 2^(b-1) - 1; 0 = ideal
    adc_levels: jax.Array
    fs_fwd: jax.Array  # (nb,) ADC full scale of forward reads (A)
    fs_bwd: jax.Array  # (nc,) ADC full scale of transposed reads (A)
    out_sigma: jax.Array  # A
    n_in: int = eqx.field(static=True)
    n_out: int = eqx.field(static=True)
    offset: bool = eqx.field(static=True)  # offset mapping: a shared reference column


def _levels(bits: int) -> float:
    return float(2 ** (bits - 1) - 1) if bits else 0.0


def _used(arr: ProgrammedArray):
    """Device rows any read touches and the outputs per tile. Only a single tile row/column
    block is cropped (a matrix smaller than its tile): unused lines carry no input and are
    never sensed, and the wires they add are already folded into the effective
    conductances, so cropping changes no result."""
    lay = arr.layout
    rows = lay.n_in if lay.nb == 1 else lay.tile_rows
    k = lay.n_out if lay.nc == 1 else lay.per_tile
    return rows, k


def _differences(G, V2, arr: ProgrammedArray, rows: int, k: int):
    """(delta, var, var_ref) of the sensed differences from device arrays (..., R, C)."""
    G, V2 = G[..., :rows, :], V2[..., :rows, :]
    if arr.layout.mapping == "differential":
        return (G[..., 0:2 * k:2] - G[..., 1:2 * k:2], V2[..., 0:2 * k:2] + V2[..., 1:2 * k:2],
                np.zeros(G.shape[:-1]))
    ref = arr.layout.per_tile
    return G[..., :k] - G[..., ref:ref + 1], V2[..., :k], V2[..., ref]


def make_reader(arr: ProgrammedArray, dtype=jnp.float32, *,
                host: bool = False) -> tuple[DrawArrays, Periphery]:
    """The per-draw arrays (leading axis: draw) and the shared periphery of ``arr``, as
    JAX arrays of ``dtype``, or (``host``) as float64 NumPy arrays, for stacking the chips
    of several runs before one transfer."""
    d, c, lay = arr.device, arr.circuit, arr.layout
    i_cell = c.read_voltage * (d.g_max - d.g_min)
    if host:
        f = lambda a: np.asarray(a, np.float64)  # noqa: E731
    else:
        f = lambda a: jnp.asarray(a, dtype)  # noqa: E731
    rows, k = _used(arr)
    delta, var, var_ref = _differences(arr.g_eff, arr.read_var, arr, rows, k)
    used = np.arange(lay.nb)[:, None] * lay.tile_rows + np.arange(rows)[None, :] < lay.n_in
    mask = used[:, None, :, None]  # (nb, 1, rows, 1): padded rows never carry an input
    draws = DrawArrays(delta=f(delta), var=f(var), var_ref=f(var_ref),
                       var_sum=f(np.sum(var * mask, axis=-2)),
                       var_ref_sum=f(np.sum(var_ref * mask[..., 0], axis=-1)),
                       comp=f(arr.compensation),
                       w_per_amp=f(np.full(arr.n_draws, weight_per_siemens(
                           lay.mapping, d.g_min, d.g_max, arr.w_max) / c.read_voltage)))
    per = Periphery(
        v_read=f(c.read_voltage), dac_levels=f(_levels(c.dac_bits)),
        adc_levels=f(_levels(c.adc_bits)),
        fs_fwd=f(c.adc_range * lay.used_inputs() * i_cell),
        fs_bwd=f(c.adc_range * lay.used_outputs() * i_cell),
        out_sigma=f(c.output_noise * i_cell),
        n_in=lay.n_in, n_out=lay.n_out, offset=lay.mapping == "offset")
    return draws, per


def _dac(x, levels):
    s = jnp.max(jnp.abs(x))
    s = jnp.where(s > 0, s, jnp.ones_like(s))
    u = x / s
    q = jnp.round(u * levels) / jnp.where(levels > 0, levels, 1.0)
    return jnp.where(levels > 0, q, u), s


def _adc(i, fs, levels):
    step = fs / jnp.where(levels > 0, levels, 1.0)
    q = jnp.round(jnp.clip(i, -fs, fs) / step) * step
    return jnp.where(levels > 0, q, i)


def _finish(I, var, sd_shared, p, fs, key, shared: bool):
    """Noise and ADC. ``var``: variance of each sensed line (same shape as I); the output
    noise is independent of it, so both come from one normal draw. ``sd_shared``: the
    reference column's noise, one draw shared by the outputs it serves (offset mapping).
    Returns the converted currents and the variance of their noise (the dithered
    rounding included: see the module)."""
    k1, k2 = jax.random.split(key)
    line = var + p.out_sigma ** 2
    I = I + jnp.sqrt(line) * normals(k1, I.shape, I.dtype)
    if shared:
        I = I - sd_shared * normals(k2, sd_shared.shape, I.dtype)
        line = line + sd_shared ** 2
    step2 = (fs / jnp.where(p.adc_levels > 0, p.adc_levels, 1.0)) ** 2
    dither = step2 / 12.0 * -jnp.expm1(-2.0 * jnp.pi ** 2 * line / step2)
    return _adc(I, fs, p.adc_levels), line + jnp.where(p.adc_levels > 0, dither, 0.0)


def _sd(var, scale):
    """σ in weight units of outputs whose current noise has variance ``var`` (A²)."""
    return jnp.sqrt(var) * jnp.abs(scale)


def forward(d: DrawArrays, p: Periphery, x, key, *, binary: bool = False):
    """y = Mᵀ x: ``x`` (n_in,) -> y and its noise σ, (n_out,) each, in weight units.
    ``binary``: x is ±1."""
    nb, nc, rows, k = d.delta.shape
    u, s = _dac(x, p.dac_levels)
    V = p.v_read * jnp.pad(u, (0, nb * rows - p.n_in)).reshape(nb, rows)
    I = jnp.einsum("br,bcrk->bck", V, d.delta)
    if binary:
        var, var_ref = p.v_read ** 2 * d.var_sum, p.v_read ** 2 * d.var_ref_sum
    else:
        V2 = V * V
        var = jnp.einsum("br,bcrk->bck", V2, d.var)
        var_ref = jnp.einsum("br,bcr->bc", V2, d.var_ref)
    I, v = _finish(I, var, jnp.sqrt(var_ref)[..., None], p, p.fs_fwd[:, None, None], key,
                   p.offset)
    scale = d.w_per_amp * s * d.comp
    return I.sum(0).reshape(-1)[:p.n_out] * scale, _sd(v.sum(0).reshape(-1)[:p.n_out], scale)


def transposed(d: DrawArrays, p: Periphery, f, key):
    """y = M f: ``f`` (n_out,) -> y and its noise σ, (n_in,) each, in weight units
    (columns driven, rows sensed)."""
    nb, nc, rows, k = d.delta.shape
    u, s = _dac(f, p.dac_levels)
    V = p.v_read * jnp.pad(u, (0, nc * k - p.n_out)).reshape(nc, k)
    I = jnp.einsum("ck,bcrk->bcr", V, d.delta)
    var = jnp.einsum("ck,bcrk->bcr", V * V, d.var)
    shared = jnp.sqrt(d.var_ref) * jnp.abs(V.sum(-1))[None, :, None]  # −ΣV on the reference
    I, v = _finish(I, var, shared, p, p.fs_bwd[None, :, None], key, p.offset)
    scale = d.w_per_amp * s * d.comp
    return I.sum(1).reshape(-1)[:p.n_in] * scale, _sd(v.sum(1).reshape(-1)[:p.n_in], scale)


def forward_one(d: DrawArrays, p: Periphery, x, j, key, *, binary: bool = False):
    """Output ``j`` of a forward read and its σ (only its device columns are sensed)."""
    nb, nc, rows, k = d.delta.shape
    c, kk = j // k, j % k
    u, s = _dac(x, p.dac_levels)
    V = p.v_read * jnp.pad(u, (0, nb * rows - p.n_in)).reshape(nb, rows)
    I = jnp.einsum("br,br->b", V, d.delta[:, c, :, kk])
    if binary:
        var = p.v_read ** 2 * d.var_sum[:, c, kk]
        var_ref = p.v_read ** 2 * d.var_ref_sum[:, c]
    else:
        var = jnp.einsum("br,br->b", V * V, d.var[:, c, :, kk])
        var_ref = jnp.einsum("br,br->b", V * V, d.var_ref[:, c])
    I, v = _finish(I, var, jnp.sqrt(var_ref), p, p.fs_fwd, key, p.offset)
    scale = d.w_per_amp * s * d.comp
    return I.sum() * scale, _sd(v.sum(), scale)


def transposed_one(d: DrawArrays, p: Periphery, f, i, key):
    """Output ``i`` of a transposed read and its σ (only its device row is sensed)."""
    nb, nc, rows, k = d.delta.shape
    b, rr = i // rows, i % rows
    u, s = _dac(f, p.dac_levels)
    V = p.v_read * jnp.pad(u, (0, nc * k - p.n_out)).reshape(nc, k)
    I = jnp.einsum("ck,ck->c", V, d.delta[b, :, rr])
    var = jnp.einsum("ck,ck->c", V * V, d.var[b, :, rr])
    shared = jnp.sqrt(d.var_ref[b, :, rr]) * jnp.abs(V.sum(-1))
    I, v = _finish(I, var, shared, p, p.fs_bwd, key, p.offset)
    scale = d.w_per_amp * s * d.comp
    return I.sum() * scale, _sd(v.sum(), scale)
