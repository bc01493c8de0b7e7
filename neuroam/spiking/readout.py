"""From spikes to the common result: windowed rates, decoded states, overlaps, status.

Rates are spike counts in a sliding window of ``rate_window`` evaluated every
``sample_interval`` (the window is shortened at the start of a trial, where less time
has passed). Each ±1 unit is an ON/OFF pair of neurons; its state is decoded from the
pair's rates:

- ``readout = "sign"``: σ = sign(r_ON − r_OFF) (a comparator between the two neurons;
  0 when both fired equally often, e.g. both silent);
- ``readout = "rate"``: σ̂ = (q(r_ON) − q(r_OFF))/q(r_on) clipped to [−1, 1], the value the
  unit's targets receive through depressing synapses (graded, but quantised by the few
  spikes a window holds).

A trial counts as converged when its ±1 state did not change over the final
``stable_time``; its convergence time is the first sample from which the state stays
equal to the final one.
"""

from __future__ import annotations

import dataclasses

import numpy as np

__all__ = ["SampleGrid", "windowed_counts", "decode", "ragged"]


@dataclasses.dataclass(frozen=True)
class SampleGrid:
    """Sample times t_k = k·Δ (k = 1 … S) and the window, in bins of Δ."""

    interval: float  # s
    n_samples: int
    window_bins: int

    @classmethod
    def from_params(cls, net) -> "SampleGrid":
        from brian2 import second

        dt = float(net["sample_interval"] / second)
        n = max(1, int(round(float(net["duration"] / second) / dt)))
        w = max(1, int(round(float(net["rate_window"] / second) / dt)))
        return cls(dt, n, w)

    @property
    def times(self) -> np.ndarray:
        return self.interval * np.arange(1, self.n_samples + 1)


def windowed_counts(trial: np.ndarray, neuron: np.ndarray, times: np.ndarray, n_trials: int,
                    size: int, grid: SampleGrid) -> tuple[np.ndarray, np.ndarray]:
    """``(rates (T, S, size) Hz, window lengths (S,) s)`` from spike (trial, neuron, time)."""
    S = grid.n_samples
    bins = np.zeros((n_trials, S, size), dtype=np.float32)
    if times.size:
        b = np.clip((times / grid.interval).astype(np.int64), 0, S - 1)
        np.add.at(bins, (trial, b, neuron), 1.0)
    csum = np.concatenate([np.zeros((n_trials, 1, size), np.float32), np.cumsum(bins, axis=1)],
                          axis=1)
    k = np.arange(1, S + 1)
    lo = np.maximum(k - grid.window_bins, 0)
    counts = csum[:, k] - csum[:, lo]
    length = (k - lo) * grid.interval
    return counts / length[None, :, None], length


def decode(rates: np.ndarray, netlist, readout: str) -> np.ndarray:
    """``(T, S, D)`` unit states from ON/OFF rates ``(T, S, 2D)`` (Hz): ±1/0 (``"sign"``)
    or clipped σ̂ (``"rate"``)."""
    D = rates.shape[-1] // 2
    on, off = rates[..., :D], rates[..., D:]
    if readout == "sign":
        return np.sign(on - off).astype(np.float32)
    from .hopfield import depression

    dep = depression(netlist.network)
    sigma = (dep.efficacy(on) - dep.efficacy(off)) / dep.efficacy(netlist.rate_on)
    return np.clip(sigma, -1.0, 1.0).astype(np.float32)


def settle(states: np.ndarray, times: np.ndarray, stable_time: float) -> tuple[np.ndarray, np.ndarray]:
    """``(converged (T,) bool, converge_time (T,) s or NaN)`` of decoded states."""
    sign = np.sign(states)
    same = np.all(sign == sign[:, -1:, :], axis=2)  # (T, S): equal to the final state
    S = same.shape[1]
    # first index k0 such that same[k0:] are all True
    tail = np.flip(np.cumprod(np.flip(same, axis=1), axis=1), axis=1).astype(bool)
    k0 = np.where(tail.any(axis=1), S - tail.sum(axis=1), S - 1)
    held = times[-1] - times[k0]
    converged = held + 1e-12 >= stable_time
    return converged, np.where(converged, times[k0], np.nan)


def ragged(trial: np.ndarray, neuron: np.ndarray, times: np.ndarray, n_trials: int):
    """Spike trains in the contiguous ragged layout, sorted by (trial, time).

    Returns ``(spike_time (n,) s, spike_neuron (n,) int32, spike_count (T,) int64)``:
    trial i owns the ``spike_count[i]`` entries after ``sum(spike_count[:i])``.
    """
    order = np.lexsort((neuron, times, trial))
    count = np.bincount(trial, minlength=n_trials).astype(np.int64)
    return times[order], neuron[order].astype(np.int32), count
