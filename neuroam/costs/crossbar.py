"""Energy and latency per recall on a memristor crossbar, from the device and circuit cards.

What one array read costs (SI units):

- array: every device whose two lines are both active — one driven, the other sensed
  (held at virtual ground) — dissipates V²·G for the read pulse t_read, so a read costs
  t_read · Σ V² G over those devices. G are the chip's conductances at the read time
  (programming noise, levels, stuck devices, drift: ``ProgrammedArray.g``) of every draw;
  V = v_read · u with u the DAC output (the abs-max scaled input, quantised), |V| = v_read
  for ±1 inputs. Both devices of a differential pair see the input of their line (a
  transposed read drives the pair with ±V); the offset mapping's reference column is
  sensed with every output of its tile (forward) or driven with −Σ V of its tile's inputs
  (transposed). Lines neither driven nor sensed float and carry no current (access
  transistors block sneak paths); padding cells of partly used tiles are never read.
  IR drop only lowers the currents (Σ V² G is an upper bound) and is left out.
- converters: one DAC conversion per driven line of every tile it drives (tiles have
  their own drivers; a differential pair's ±V comes from one conversion; the offset
  mapping's −Σ V is one more per tile in transposed reads) and one ADC conversion per
  sensed output per tile (partial sums of tiles are digitised separately, then added).
- latency: t_read + n · t_adc with n = min(adc_share, sensed lines of a tile) conversions
  in series on one ADC (column multiplexing); tiles work in parallel; a recall loop cannot
  pipeline a read with the next (its input is the previous output).

Reads per step, from :mod:`neuroam.crossbar.dynamics`: "weights" form — one forward read
(sync, ode) or, per sweep of D single-neuron updates, D reads of one output column each
(async); "bipartite" form — a forward read (memory currents) then a transposed read
(visible field) (sync, ode) or, per update, a full forward read and a transposed read of
one row (async). Steps per trial are the loop's own count (``extras["n_steps"]``), the
final non-moving step included. Analog inputs (ode states, memory activations) are taken
from the saved trajectory — the memory activations recomputed from the chip's weights
without read noise; async sweeps use the activations at the start of the sweep — or,
without saved states, from the final state.

The digital periphery (abs-max scaling, bias, activation functions, partial-sum adds) and
programming are not counted.
"""

from __future__ import annotations

import dataclasses

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from ..cards import Card, load_card
from ..errors import UnsupportedError
from .estimate import CostEstimate

__all__ = ["crossbar_cost", "CircuitCosts", "circuit_costs", "DeviceSums", "device_sums",
           "StepCounts", "step_counts"]

DYNAMICS = ("sync", "async", "ode")


@dataclasses.dataclass(frozen=True)
class CircuitCosts:
    """Cost parameters of a crossbar circuit card.

    Attributes:
        read_time: read pulse t_read (s), DAC settling included.
        dac_energy: energy per DAC conversion (J).
        adc_energy: energy per ADC conversion (J).
        adc_time: time per ADC conversion (s).
        adc_share: sensed lines multiplexed onto one ADC.
        card: the card itself (names and sources).
    """

    read_time: float
    dac_energy: float
    adc_energy: float
    adc_time: float
    adc_share: int
    card: Card

    def source(self, key: str) -> str:
        return self.card.params[key].source


def circuit_costs(circuit) -> CircuitCosts:
    """The cost parameters of ``circuit`` (a :class:`~neuroam.crossbar.Circuit`), checked."""
    card = load_card(circuit.path or circuit.name, folder="circuit", kind="crossbar")
    v = card.value  # SI, ranges checked when the card was read
    return CircuitCosts(read_time=v("read_time"), dac_energy=v("dac_energy"),
                        adc_energy=v("adc_energy"), adc_time=v("adc_time"),
                        adc_share=v("adc_share"), card=card)


# -- which devices a read touches ------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class DeviceSums:
    """Conductances (S) behind the logical matrix, per draw.

    Attributes:
        pair: ``(draw, n_in, n_out)`` the devices of each weight: g⁺ + g⁻ (differential)
            or the one device (offset).
        ref: ``(draw, n_in, nc)`` the reference-column device on input line i in tile
            column block c (offset; zeros for differential).
        block: ``(n_out,)`` tile column block of every output.
    """

    pair: np.ndarray
    ref: np.ndarray
    block: np.ndarray

    @property
    def nc(self) -> int:
        return self.ref.shape[-1]

    def forward_row(self) -> np.ndarray:
        """``(draw, n_in)`` conductance a unit input on line i sees in a full forward read."""
        return self.pair.sum(-1) + self.ref.sum(-1)

    def forward_sweep(self) -> np.ndarray:
        """``(draw,)`` Σ over the n_out single-output forward reads of one async sweep
        (±1 inputs): every pair once, each reference column once per output it serves."""
        per_block = np.bincount(self.block, minlength=self.nc)
        return self.pair.sum((-1, -2)) + np.einsum("dic,c->d", self.ref, per_block)

    def transposed(self, u: np.ndarray, draw: np.ndarray) -> np.ndarray:
        """``(R,)`` Σ u² G of transposed reads with inputs ``u`` (R, n_out) on draws ``draw``
        (R,): the pairs see u_k², the reference column of block c sees (Σ_{k∈c} u_k)²."""
        cols = self.pair.sum(-2)[draw]  # (R, n_out)
        refs = self.ref.sum(-2)[draw]  # (R, nc)
        onehot = np.eye(self.nc)[self.block]  # (n_out, nc)
        return np.sum(u * u * cols, -1) + np.sum((u @ onehot) ** 2 * refs, -1)


def device_sums(arr) -> DeviceSums:
    """:class:`DeviceSums` of a :class:`~neuroam.crossbar.ProgrammedArray` (its ``g``)."""
    lay, G = arr.layout, np.asarray(arr.g, np.float64)
    k, n = lay.per_tile, G.shape[0]
    block = np.arange(lay.n_out) // k
    if lay.mapping == "differential":
        pair = lay.join(G[..., 0:2 * k:2] + G[..., 1:2 * k:2])
        return DeviceSums(pair=pair, ref=np.zeros((n, lay.n_in, lay.nc)), block=block)
    ref = np.moveaxis(G[..., k], -2, -1)  # (draw, nb, rows, nc)
    ref = ref.reshape(n, lay.nb * lay.tile_rows, lay.nc)[:, :lay.n_in]
    return DeviceSums(pair=lay.join(G[..., :k]), ref=ref, block=block)


# -- conversions and latency per step ---------------------------------------------------

@dataclasses.dataclass(frozen=True)
class StepCounts:
    """Per step (sweep or Euler step): array ``reads``, DAC and ADC conversions, and the
    ADC conversions in series summed over the reads that follow each other."""

    reads: int
    dac: int
    adc: int
    serial_adc: int


def step_counts(layout, form: str, dynamics: str, share: int) -> StepCounts:
    """Reads and conversions of one step of ``form`` and ``dynamics`` on ``layout``."""
    nb, nc, n_in, n_out = layout.nb, layout.nc, layout.n_in, layout.n_out
    offset = layout.mapping == "offset"
    out_serial = min(share, int(np.max(layout.used_outputs())))
    in_serial = min(share, int(np.max(layout.used_inputs())))
    fwd = StepCounts(1, n_in * nc, n_out * nb, out_serial)
    if form == "weights":
        if dynamics != "async":
            return fwd
        one = StepCounts(1, n_in, nb, 1)  # all rows of one tile column, one output sensed
        return _times(one, n_out)
    bwd = StepCounts(1, n_out * nb + (nb * nc if offset else 0), n_in * nc, in_serial)
    if dynamics != "async":
        return _plus(fwd, bwd)
    row = StepCounts(1, n_out + (nc if offset else 0), nc, 1)  # one row sensed
    return _times(_plus(fwd, row), n_in)


def _plus(a: StepCounts, b: StepCounts) -> StepCounts:
    return StepCounts(a.reads + b.reads, a.dac + b.dac, a.adc + b.adc,
                      a.serial_adc + b.serial_adc)


def _times(a: StepCounts, n: int) -> StepCounts:
    return StepCounts(a.reads * n, a.dac * n, a.adc * n, a.serial_adc * n)


# -- input amplitudes --------------------------------------------------------------------

def _dac(x: np.ndarray, bits: int) -> np.ndarray:
    """DAC output u ∈ [−1, 1] of inputs ``x`` (R, n): abs-max scaling, signed levels."""
    x = np.nan_to_num(np.asarray(x, np.float64))
    s = np.max(np.abs(x), axis=-1, keepdims=True)
    u = x / np.where(s > 0, s, 1.0)
    if bits:
        levels = 2.0 ** (bits - 1) - 1
        u = np.round(u * levels) / levels
    return u


def _read_inputs(result, steps: np.ndarray):
    """Visible states at the start of every step: ``(g (R, D), trial (R,), weight (R,))``.

    From the saved trajectory (state s feeds step s + 1), else the final state of each
    trial standing in for all of its steps (weight = steps).
    """
    T = steps.shape[0]
    if result.states is not None:
        S = result.states.shape[1]
        valid = np.arange(S - 1)[None, :] < steps[:, None]
        trial = np.broadcast_to(np.arange(T)[:, None], valid.shape)[valid]
        return result.states[:, :-1][valid], trial, np.ones(trial.shape)
    return result.final, np.arange(T), steps.astype(np.float64)


@eqx.filter_jit
def _activations(lagrangian, s):
    return jax.vmap(lagrangian.activation)(s)


def _memory_inputs(chip, g: np.ndarray, draw: np.ndarray) -> np.ndarray:
    """Memory-layer activations f = ∇𝓛_h(ξ g + b) ``(R, K)`` that the transposed reads
    receive, from the chip's weights of each read's draw (no read noise). One compiled
    call for every read (rows padded to a power of two: no recompiling per run)."""
    W, bias = chip.array.weights(), np.asarray(chip.bias, np.float64)
    R = g.shape[0]
    s = np.einsum("rd,rdk->rk", np.nan_to_num(np.asarray(g, np.float64)), W[draw]) + bias[draw]
    n = 1 << max(0, R - 1).bit_length()
    padded = np.concatenate([s, np.zeros((n - R, s.shape[1]))]) if n > R else s
    return np.asarray(_activations(chip.plan.hidden, jnp.asarray(padded)), np.float64)[:R]


def _array_conductance(result, chip, sums: DeviceSums, steps, draw, dynamics: str):
    """``(T,)`` Σ over a trial's reads of Σ u² G (S): multiply by v_read² t_read for J."""
    form, bits = chip.plan.form, chip.circuit.dac_bits
    if dynamics == "async" and form == "weights":
        return steps * sums.forward_sweep()[draw]
    T = steps.shape[0]
    g, trial, weight = _read_inputs(result, steps)
    d = draw[trial]
    if dynamics == "ode":  # analog visible inputs
        u = _dac(g, bits)
        per_read = np.sum(u * u * sums.forward_row()[d], -1)
        total = np.bincount(trial, per_read * weight, minlength=T)
    else:  # ±1 inputs: |V| = v_read on every used row; async: a full read per update
        n_fwd = chip.array.layout.n_in if dynamics == "async" else 1
        total = steps * n_fwd * sums.forward_row().sum(-1)[draw]
    if form == "bipartite":  # async: Σ over rows of one-row reads = one full transposed read
        u = _dac(_memory_inputs(chip, g, d), bits)
        total = total + np.bincount(trial, sums.transposed(u, d) * weight, minlength=T)
    return total


# -- the estimate ------------------------------------------------------------------------

def crossbar_cost(result, chip, *, dynamics: str,
                  costs: CircuitCosts | None = None) -> CostEstimate:
    """Energy and latency per recall (mean over trials) of ``result`` recalled on ``chip``.

    Args:
        result: the :class:`~neuroam.results.RecallResult` of the run (``extras["n_steps"]``
            and ``extras["draw"]`` per trial; ``states`` if saved).
        chip: the :class:`~neuroam.crossbar.chip.Chip` it ran on.
        dynamics: "sync", "async" or "ode".
        costs: the circuit card's cost parameters, if already loaded (checked before a
            long run); default: loaded from ``chip.circuit``.

    Energy (J) = read + DAC + ADC; latency (s) = steps × Σ_reads (t_read + serial ADC
    conversions × t_adc). See the module docstring for what is counted.
    """
    if dynamics not in DYNAMICS:
        raise UnsupportedError(f"dynamics = {dynamics!r} for the crossbar cost",
                               f"one of {list(DYNAMICS)}", "Pass the run's dynamics setting.")
    costs = costs or circuit_costs(chip.circuit)
    arr, circuit, lay = chip.array, chip.circuit, chip.array.layout
    T = result.final.shape[0]
    steps = _extra(result, "n_steps", np.full(T, result.n_times - 1)).astype(np.float64)
    draw = _extra(result, "draw", np.repeat(np.arange(arr.n_draws), T // arr.n_draws))
    draw = draw.astype(np.int64)
    sums = device_sums(arr)
    v2t = circuit.read_voltage ** 2 * costs.read_time
    read_J = v2t * _array_conductance(result, chip, sums, steps, draw, dynamics)
    per = step_counts(lay, chip.plan.form, dynamics, costs.adc_share)
    mean_steps = float(np.mean(steps))
    array_s = mean_steps * per.reads * costs.read_time
    adc_s = mean_steps * per.serial_adc * costs.adc_time
    breakdown = {
        "read_J": float(np.mean(read_J)),
        "dac_J": mean_steps * per.dac * costs.dac_energy,
        "adc_J": mean_steps * per.adc * costs.adc_energy,
        "array_s": array_s, "adc_s": adc_s,
        "steps": mean_steps, "reads": mean_steps * per.reads,
        "dac_conversions": mean_steps * per.dac, "adc_conversions": mean_steps * per.adc,
    }
    energy = breakdown["read_J"] + breakdown["dac_J"] + breakdown["adc_J"]
    return CostEstimate(energy, array_s + adc_s, breakdown,
                        _basis(chip, costs, per, mean_steps, dynamics, result))


def _extra(result, key: str, default: np.ndarray) -> np.ndarray:
    ex = result.extras.get(key)
    return np.asarray(ex.data if ex is not None else default)


def _basis(chip, costs: CircuitCosts, per: StepCounts, steps: float, dynamics: str,
           result) -> str:
    c, d, form = chip.circuit, chip.device, chip.plan.form
    inputs = ("±1 inputs" if dynamics != "ode" and form == "weights" else
              "input amplitudes from the saved trajectory" if result.states is not None
              else "input amplitudes of the final state")
    return (
        f"{steps:.1f} {form} steps ({dynamics}) x {per.reads} array reads on {c.name} "
        f"({chip.array.layout.n_tiles} tiles, {c.mapping}); read energy t_read sum V^2 G "
        f"over the devices read, G of {d.name} as programmed (faults, drift), V = "
        f"{c.read_voltage:g} V x DAC output ({inputs}), t_read = {costs.read_time:.3g} s "
        f"[{costs.source('read_time')}]; {per.dac} DAC conversions per step at "
        f"{costs.dac_energy:.3g} J [{costs.source('dac_energy')}]; {per.adc} ADC conversions "
        f"per step at {costs.adc_energy:.3g} J, {costs.adc_time:.3g} s each, "
        f"{costs.adc_share} lines per ADC [{costs.source('adc_energy')}]. Not counted: "
        "digital periphery (scaling, bias, activations, partial-sum adds), wire (IR-drop) "
        "losses, line charging, programming.")
