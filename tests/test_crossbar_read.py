"""Reads through the crossbar periphery (neuroam.crossbar.read) on small hand-built arrays.

Oracles: quantisation theory (an ideal signal through a b-bit converter is off by at most
half a step, the error of a signal spread over many steps is uniform with variance
Δ²/12 — Widrow & Kollár, "Quantization Noise", 2008, ch. 4; full-scale clipping);
independent devices (the variance of a line current is the sum of its devices' V²σ²;
a reference column shared by the outputs of a tile makes them covary by its own
variance); Sheppard's correction (rounding a signal whose noise spans a step adds Δ²/12).
No chip is programmed: the arrays are set by hand, so the expected numbers are sums of a
few hand-chosen terms.
"""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from neuroam.crossbar.read import DrawArrays, Periphery, _adc, _dac, forward

DAC_BITS, ADC_BITS = 7, 9  # the crossbar-64 card (aihwkit's IOParameters defaults)


def _signed_levels(bits):
    return 2 ** (bits - 1) - 1  # a signed b-bit converter: 2^b − 1 codes, 0 included


def test_dac_rounds_to_its_levels_within_half_a_step():
    rng = np.random.default_rng(0)
    x = rng.uniform(-3.0, 3.0, size=20_000)
    levels = _signed_levels(DAC_BITS)
    u, s = _dac(jnp.asarray(x, jnp.float32), jnp.float32(levels))
    u, s = np.asarray(u, np.float64), float(s)
    assert s == pytest.approx(np.abs(x).max(), rel=1e-6)  # abs-max scaling
    codes = u * levels
    np.testing.assert_allclose(codes, np.round(codes), atol=1e-3)  # on the grid k/levels
    assert len(np.unique(np.round(codes))) <= 2 ** DAC_BITS - 1 and np.abs(u).max() <= 1.0
    lsb = s / levels
    err = u * s - x
    assert np.abs(err).max() <= lsb / 2 * (1 + 1e-4)
    # the signal spans many steps: a uniform error, variance LSB²/12 (std error ~1 %)
    assert np.var(err) == pytest.approx(lsb ** 2 / 12, rel=0.05)
    assert abs(np.mean(err)) < 0.05 * lsb
    exact, _ = _dac(jnp.asarray(x, jnp.float32), jnp.float32(0.0))  # 0 bits: ideal
    np.testing.assert_allclose(np.asarray(exact) * s, x, rtol=1e-6)


def test_adc_rounds_within_its_range_and_clips_outside():
    rng = np.random.default_rng(1)
    fs = 2.5e-5  # full scale (A)
    levels = _signed_levels(ADC_BITS)
    step = fs / levels
    i = rng.uniform(-1.5 * fs, 1.5 * fs, size=30_000)
    q = np.asarray(_adc(jnp.asarray(i), jnp.asarray(fs), jnp.asarray(float(levels))))
    inside = np.abs(i) <= fs
    err = q[inside] - i[inside]
    assert np.abs(err).max() <= step / 2 * (1 + 1e-9)
    assert np.var(err) == pytest.approx(step ** 2 / 12, rel=0.05)
    np.testing.assert_allclose(q / step, np.round(q / step), atol=1e-6)
    assert len(np.unique(np.round(q / step))) == 2 ** ADC_BITS - 1  # −levels … +levels
    np.testing.assert_allclose(q[i > fs], fs, rtol=1e-6)  # clipped to the full scale (float32)
    np.testing.assert_allclose(q[i < -fs], -fs, rtol=1e-6)
    ideal = np.asarray(_adc(jnp.asarray(i), jnp.asarray(fs), jnp.asarray(0.0)))
    np.testing.assert_allclose(ideal, i, rtol=1e-6)  # 0 bits: no conversion (float32)


def _arrays(delta, var, var_ref=None, *, v_read=0.2, out_sigma=0.0, adc_levels=0.0,
            fs=1.0, offset=False):
    """One tile (nb = nc = 1) of ``rows`` × ``k`` sensed differences, one draw."""
    delta = np.asarray(delta, np.float32)[None, None]
    var = np.asarray(var, np.float32)[None, None]
    rows, k = delta.shape[-2:]
    var_ref = np.zeros((1, 1, rows), np.float32) if var_ref is None else \
        np.asarray(var_ref, np.float32)[None, None]
    f = lambda a: jnp.asarray(a, jnp.float32)  # noqa: E731
    d = DrawArrays(delta=f(delta), var=f(var), var_ref=f(var_ref), var_sum=f(var.sum(-2)),
                   var_ref_sum=f(var_ref.sum(-1)), comp=f(1.0), w_per_amp=f(1.0))
    p = Periphery(v_read=f(v_read), dac_levels=f(0.0), adc_levels=f(adc_levels),
                  fs_fwd=f([fs]), fs_bwd=f([fs]), out_sigma=f(out_sigma), n_in=rows,
                  n_out=k, offset=offset)
    return d, p


def _reads(d, p, x, n=20_000, seed=0):
    keys = jax.random.split(jax.random.key(seed), n)
    y, sd = jax.jit(jax.vmap(lambda k: forward(d, p, jnp.asarray(x, jnp.float32), k)))(keys)
    return np.asarray(y, np.float64), np.asarray(sd[0], np.float64)


def test_read_noise_is_the_sum_of_independent_device_variances():
    """Three inputs on two outputs; ideal converters. By hand, V = 0.2 V:
    mean_j = V Σ_r x_r Δ_rj = 0.2·(1·2 − 0.5·1 + 0.25·4) = 0.5 and 0.2·(−1 + 0.5·3 + 0) = 0.1;
    var_j = V² Σ_r x_r² σ²_rj + σ_out² = 0.04·(1·0.5 + 0.25·1 + 0.0625·2) + 0.01 = 0.045
    and 0.04·(1·0.1 + 0.25·0.2 + 0.0625·0.4) + 0.01 = 0.017."""
    d, p = _arrays(delta=[[2.0, -1.0], [1.0, -3.0], [4.0, 0.0]],
                   var=[[0.5, 0.1], [1.0, 0.2], [2.0, 0.4]], out_sigma=0.1)
    y, sd = _reads(d, p, [1.0, -0.5, 0.25])
    np.testing.assert_allclose(y.mean(0), [0.5, 0.1], atol=4 * np.sqrt(0.045 / len(y)))
    np.testing.assert_allclose(y.var(0), [0.045, 0.017], rtol=0.04)  # std error 1 %
    np.testing.assert_allclose(sd ** 2, [0.045, 0.017], rtol=1e-5)  # the σ it reports
    assert abs(np.corrcoef(y.T)[0, 1]) < 0.03  # differential pairs: independent outputs


def test_a_shared_reference_column_makes_the_outputs_of_a_tile_covary():
    """Offset mapping: each output is a column minus the tile's reference column, whose
    noise is one draw for all outputs: cov(y_0, y_1) = V² Σ_r x_r² σ²_ref,r, by hand
    0.04·(1·0.3 + 1·0.2) = 0.02; each variance adds it to its own column's 0.04·(1 + 1)
    = 0.08 (and 0.04·(0.5 + 0.5) = 0.04)."""
    d, p = _arrays(delta=[[1.0, 2.0], [1.0, -1.0]], var=[[1.0, 0.5], [1.0, 0.5]],
                   var_ref=[0.3, 0.2], offset=True)
    y, sd = _reads(d, p, [1.0, -1.0], seed=1)
    cov = np.cov(y.T)
    np.testing.assert_allclose([cov[0, 0], cov[1, 1]], [0.10, 0.06], rtol=0.04)
    assert cov[0, 1] == pytest.approx(0.02, rel=0.1)
    np.testing.assert_allclose(sd ** 2, [0.10, 0.06], rtol=1e-5)


def test_adc_rounding_of_a_noisy_current_adds_sheppards_variance():
    """Output noise σ = 2 ADC steps makes the rounding error uniform and independent of
    the signal (Sheppard): the spread of the converted reads is σ² + Δ²/12, and so is
    the σ the read reports."""
    levels, fs = 100.0, 1.0
    step = fs / levels
    sigma = 2 * step
    d, p = _arrays(delta=[[0.123, -0.321]], var=[[0.0, 0.0]], v_read=1.0, out_sigma=sigma,
                   adc_levels=levels, fs=fs)
    y, sd = _reads(d, p, [1.0], seed=2)
    expected = sigma ** 2 + step ** 2 / 12  # 4.083e-4 against 4e-4 without rounding
    np.testing.assert_allclose(y.var(0), expected, rtol=0.04)
    np.testing.assert_allclose(sd ** 2, expected, rtol=1e-3)
    np.testing.assert_allclose(y / step, np.round(y / step), atol=1e-3)  # on the ADC grid
