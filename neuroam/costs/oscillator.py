"""Cost of oscillator recall: oscillator power × the time the network takes to phase-lock.

An oscillator card (``devices/oscillator-*.toml``) may give

==================  ====  =============================================================
parameter           unit  meaning
==================  ====  =============================================================
``power``           W     power drawn by one running oscillator (required for a cost)
``coupling_power``  W     optional: coupling circuitry per oscillator, when ``power`` is
                          the bare oscillator's
``readout_time``    s     optional: phase read-out after locking, added to the latency
==================  ====  =============================================================

Per trial, the time to phase lock (τ) is the earlier of

- its settle time (:func:`neuroam.metrics.settle_time`): the first saved time after which
  the best pattern overlap stays within 0.02 of its final value, i.e. the read-out no
  longer changes (defined under phase noise too; resolution: the save spacing);
- its ``converge_time``, when the phases stopped moving (RMS dθ/dt below the steady
  tolerance; under phase noise this is the horizon);

and a trial with neither (no finite overlaps) is charged the horizon t1, the time it ran
and drew power. Seconds = τ × τ_s, τ_s = 1/``coupling_rate``. Then

    latency = lock time + readout_time,
    energy  = (power + coupling_power) × N oscillators × latency,

every oscillator running for the whole recall (the read-out included). Energy and
latency per recall are means over trials.
"""

from __future__ import annotations

import numpy as np

from ..cards import load_card
from .estimate import CostEstimate

__all__ = ["oscillator_cost", "lock_times"]


def lock_times(result, t1: float) -> np.ndarray:
    """``(T,)`` time to phase lock (τ) of each trial of ``result``: the earlier of its
    settle time (:func:`neuroam.metrics.settle_time`) and its ``converge_time``; ``t1``
    where neither is defined."""
    from ..metrics import settle_time

    ct = np.asarray(result.converge_time, dtype=np.float64)
    both = np.fmin(np.asarray(settle_time(result), dtype=np.float64), ct)
    return np.minimum(np.where(np.isfinite(both), both, float(t1)), float(t1))


def oscillator_cost(result, *, device: str, n_oscillators: int, t1: float,
                    tau_s: float) -> CostEstimate | None:
    """Per-recall energy (J) and latency (s) of ``result`` run on ``n_oscillators``
    oscillators of the card ``device``.

    Args:
        result: the recall (``overlaps`` (T, S, K), ``times`` (S,) τ, ``converge_time``
            (T,) τ).
        device: oscillator card name or path.
        n_oscillators: N.
        t1: the time horizon (τ), charged to trials without a lock time.
        tau_s: seconds per τ.

    Returns:
        The estimate, or None when the card gives no ``power``.

    Raises:
        CardError: a ``power``, ``coupling_power`` or ``readout_time`` that is not a
            number ≥ 0.
    """
    card = load_card(device, folder="device", kind="oscillator")  # SI, checked when read
    if "power" not in card.params:
        return None
    power = card.value("power")
    coupling = card.value("coupling_power", 0.0)
    readout = card.value("readout_time", 0.0)
    lock = lock_times(result, t1)
    converged = np.isfinite(np.asarray(result.converge_time, dtype=np.float64))
    lock_tau = float(lock.mean()) if lock.size else 0.0
    latency = lock_tau * tau_s + readout
    total_power = (power + coupling) * n_oscillators
    energy = total_power * latency
    breakdown = {"lock_time_s": lock_tau * tau_s, "lock_time_tau": lock_tau,
                 "converged_fraction": float(converged.mean()) if converged.size else 0.0,
                 "power_W": total_power}
    basis = (f"{n_oscillators} oscillators x ({power:.3g} + {coupling:.3g}) W x "
             f"({lock_tau * tau_s:.3g} s to lock + {readout:.3g} s read-out) on {card.name} "
             f"(tau = {tau_s:.3g} s); lock = earlier of settle time and converge_time per "
             f"trial (t1 = {t1:g} tau if neither), mean over {lock.size} trial(s); "
             f"{card.params['power'].source}")
    return CostEstimate(energy, latency, breakdown, basis)
