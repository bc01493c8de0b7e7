"""Energy and latency per recall, from device and circuit cards with sources.

- ideal: floating-point operations × a processor card (:func:`ideal_cost`);
- crossbar: read energy Σ V²·G·t, DAC/ADC conversions, array latency (:func:`crossbar_cost`);
- spiking: synaptic events and neuron updates × a neuromorphic chip card (:func:`spiking_cost`);
- oscillator: power × oscillators × time to phase lock (:func:`oscillator_cost`).
"""

from .crossbar import crossbar_cost
from .estimate import CostEstimate
from .flops import EVALS_PER_STEP, flip_flops, vector_field_flops
from .ideal import DEFAULT_PROCESSOR, ideal_cost
from .oscillator import lock_times, oscillator_cost
from .spiking import DEFAULT_CHIP, spiking_cost, synaptic_events

__all__ = ["CostEstimate", "ideal_cost", "vector_field_flops", "flip_flops", "EVALS_PER_STEP",
           "DEFAULT_PROCESSOR", "crossbar_cost", "spiking_cost", "synaptic_events",
           "DEFAULT_CHIP", "oscillator_cost", "lock_times"]
