"""Card schemas and units: every shipped card follows the schema of its kind; the same card
written in µS, mV, ns, ... gives bit for bit the values and physics of the SI card; every
class of bad card is refused by `neuroam validate` with exit 2, before any run."""

from __future__ import annotations

import math
import tomllib
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import neuroam as na
from neuroam.cards import ParamSpec, known_kinds, load_card, schema_for
from neuroam.cli import app
from neuroam.errors import CardError
from helpers import scenario_text

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = sorted([*ROOT.glob("devices/*.toml"), *ROOT.glob("circuits/*.toml")])

#: SI unit -> (the unit a person might write instead, power of ten: 1 unit = 10^k SI)
OTHER_UNIT = {"S": ("uS", -6), "s": ("ns", -9), "V": ("mV", -3), "F": ("pF", -12),
              "Hz": ("kHz", 3), "1/s": ("1/us", 6), "J": ("pJ", -12), "W": ("uW", -6),
              "ohm": ("mohm", -3), "FLOP/s": ("TFLOP/s", 12), "rad": ("mrad", -3)}


def _toml_value(v) -> str:
    if isinstance(v, str):
        return f'"{v}"'
    if isinstance(v, bool):
        return "true" if v else "false"
    return repr(v)


def _write(path: Path, kind, params: dict, name: str | None = None) -> Path:
    """A card file from ``{key: (value, unit)}`` (``value`` None: a raw TOML literal in unit)."""
    lines = [] if kind is None else [f'kind = "{kind}"']
    if name:
        lines.append(f'name = "{name}"')
    for key, (value, unit) in params.items():
        text = value if isinstance(value, _Literal) else _toml_value(value)
        lines += [f"[params.{key}]", f"value = {text}", f'unit = "{unit}"', 'source = "test"']
    path.write_text("\n".join(lines) + "\n")
    return path


class _Literal(str):
    """A TOML literal written as is (``nan``, ``1.5e-4``)."""


def _rewritten(src: Path, tmp_path: Path) -> Path:
    """``src`` with every dimensional number rewritten in another unit, as a person would:
    the same digits, the decimal point moved (225e-6 S -> 225 uS)."""
    data = tomllib.loads(src.read_text())
    params = {}
    for key, p in data["params"].items():
        value, unit = p["value"], p["unit"]
        if unit in OTHER_UNIT and isinstance(value, float):
            unit, k = OTHER_UNIT[unit]
            value = _Literal(str(Decimal(repr(value)).scaleb(-k)))
        params[key] = (value, unit)
    return _write(tmp_path / src.name, data["kind"], params, name=data.get("name", src.stem))


# ----------------------------------------------------------------- shipped cards

def test_every_kind_has_a_schema_and_every_shipped_card_follows_it():
    assert set(known_kinds()) >= {"memristor", "crossbar", "oscillator", "neuron",
                                  "spiking-network", "astrocyte", "neuromorphic", "processor"}
    seen = set()
    for path in SHIPPED:
        card = load_card(path)
        seen.add(card.kind)
        schema = schema_for(card.kind)
        for key, p in card.params.items():
            assert p.unit == schema.unit(key)
            assert isinstance(p.value, (int, float, str)) and not isinstance(p.value, bool)
            assert key in schema.describe(key)
        for spec in schema.params:
            assert spec.name in card.params or not spec.required
    assert seen == set(known_kinds())
    assert schema_for("memristor").describe("g_max") == "g_max (S): largest programmable conductance"
    assert load_card("lif-neuron").value("C_m") == 0.5e-9  # nF in the card, F out
    assert isinstance(load_card("rram-hfo2").value("levels"), int)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_a_card_in_other_units_gives_the_si_values_bit_for_bit(path, tmp_path):
    other = _rewritten(path, tmp_path)
    assert other.read_text() != path.read_text()
    a, b = load_card(path).values(), load_card(other).values()
    assert a.keys() == b.keys()
    for key in a:
        assert type(a[key]) is type(b[key]) and a[key] == b[key], (key, a[key], b[key])


@settings(max_examples=300, deadline=None)
@given(mantissa=st.integers(1, 10 ** 15 - 1), exponent=st.integers(-20, 5),
       prefix=st.sampled_from([("p", -12), ("n", -9), ("u", -6), ("µ", -6), ("m", -3),
                               ("k", 3), ("M", 6), ("G", 9)]))
def test_prefixed_numbers_of_up_to_15_digits_are_exact(mantissa, exponent, prefix):
    """The SI float of ``m e x`` S written as ``m e (x - k)`` with the prefix 10^k."""
    letter, k = prefix
    spec = ParamSpec("g", "S")
    written = float(f"{mantissa}e{exponent - k}")
    assert spec.convert(written, f"{letter}S", "a test") == float(f"{mantissa}e{exponent}")


def test_physics_is_bit_identical_with_cards_in_other_units(tmp_path):
    """A crossbar recall (device and circuit in µS, mV, ns, pJ, mΩ), an oscillator chip,
    LIF neurons and a network, a neuromorphic chip and a processor: the same numbers."""
    conv = lambda folder, name: str(_rewritten(ROOT / folder / f"{name}.toml", tmp_path))  # noqa: E731
    pats = na.patterns.random_binary(K=3, D=24, seed=0)
    cues = na.cues.flip(pats, rate=0.15, trials_per_pattern=2, seed=1)
    model = na.make_model("hopfield", rule="hebbian")
    kw = dict(n_draws=1, max_steps=20, fault_rate=0.1)
    si = na.recall(model, pats, cues, "crossbar", device="rram-hfo2", circuit="crossbar-64", **kw)
    other = na.recall(model, pats, cues, "crossbar", device=conv("devices", "rram-hfo2"),
                      circuit=conv("circuits", "crossbar-64"), **kw)
    np.testing.assert_array_equal(si.final, other.final)
    np.testing.assert_array_equal(si.overlaps, other.overlaps)
    assert si.attrs["energy_per_recall_J"] == other.attrs["energy_per_recall_J"]

    from neuroam.costs.ideal import _processor
    from neuroam.costs.spiking import load_chip
    from neuroam.oscillator.hardware import Hardware
    from neuroam.spiking.params import load_network, load_neuron

    strip = lambda hw: {k: v for k, v in hw.describe().items() if k not in ("device", "device_path")}  # noqa: E731
    assert strip(Hardware.from_card("oscillator-shno")) == strip(
        Hardware.from_card(conv("devices", "oscillator-shno")))
    assert load_neuron("lif-neuron").values == load_neuron(conv("devices", "lif-neuron")).values
    assert load_network("spiking-dense").values == load_network(
        conv("circuits", "spiking-dense")).values
    assert load_chip()[1] == load_chip(conv("devices", "chip-loihi"))[1]
    assert _processor(None)[1:] == _processor(conv("devices", "processor-h100"))[1:]


def test_other_units_of_the_same_dimension(tmp_path):
    base = tomllib.loads((ROOT / "devices" / "oscillator-ideal.toml").read_text())["params"]
    params = {k: (p["value"], p["unit"]) for k, p in base.items()}
    params["misalignment"] = (9.0, "deg")
    params["frequency"] = (1.0, "GHz")
    card = load_card(_write(tmp_path / "deg.toml", "oscillator", params))
    assert card.value("misalignment") == pytest.approx(math.pi / 20, rel=1e-15)
    assert card.value("frequency") == 1e9
    assert card.params["frequency"].written == "1.0 GHz"


# ---------------------------------------------------------------------- bad cards

def _memristor(**changes):
    """rram-hfo2's parameters with some (value, unit) changed (None: dropped)."""
    base = tomllib.loads((ROOT / "devices" / "rram-hfo2.toml").read_text())["params"]
    params = {k: (p["value"], p["unit"]) for k, p in base.items()}
    for key, new in changes.items():
        if new is None:
            params.pop(key)
        else:
            params[key] = new
    return params


BAD_MEMRISTORS = {
    # class: (kind, params, words the message must hold)
    "wrong-dimension": ("memristor", _memristor(g_max=(225.0, "us")),
                        ["g_max", "a time", "a conductance"]),
    "unknown-unit": ("memristor", _memristor(g_max=(225.0, "uSiemens")), ["g_max", "uSiemens"]),
    "unknown-param": ("memristor", {**_memristor(), "g_maxx": (1.0, "S")},
                      ["g_maxx", "Did you mean `g_max`"]),
    "missing-param": ("memristor", _memristor(g_min=None), ["g_min", "(S)"]),
    "missing-kind": (None, _memristor(), ["kind"]),
    "unknown-kind": ("memristr", _memristor(), ["memristr", "memristor"]),
    "negative": ("memristor", _memristor(g_max=(-225.0, "uS")), ["g_max", "(0.0, inf] S"]),
    "nan": ("memristor", _memristor(g_max=(_Literal("nan"), "S")), ["g_max", "finite"]),
    "inf": ("memristor", _memristor(read_noise_t_read=(_Literal("inf"), "s")),
            ["read_noise_t_read", "finite"]),
    "string-number": ("memristor", _memristor(stuck_on_fraction=("0.1", "1")),
                      ["stuck_on_fraction", "string", "without quotes"]),
    "bool": ("memristor", _memristor(stuck_on_fraction=(True, "1")),
             ["stuck_on_fraction", "boolean"]),
    "not-an-integer": ("memristor", _memristor(levels=(2.5, "1")), ["levels", "an integer"]),
    "out-of-range": ("memristor", _memristor(stuck_on_fraction=(2.0, "1")),
                     ["stuck_on_fraction", "[0.0, 1.0]"]),
    "window": ("memristor", _memristor(g_min=(300.0, "uS")), ["g_min < g_max"]),
}


@pytest.mark.parametrize("case", sorted(BAD_MEMRISTORS))
def test_bad_cards_are_card_errors_naming_file_parameter_and_range(case, tmp_path):
    kind, params, words = BAD_MEMRISTORS[case]
    path = _write(tmp_path / f"bad-{case}.toml", kind, params)
    with pytest.raises(CardError) as info:
        load_card(path)
    msg = str(info.value)
    assert f"bad-{case}" in msg
    for word in words:
        assert word in msg, (word, msg)


SCENARIO = scenario_text("cards", '[implementations.{impl}]\n{key} = "{card}"\n', K=2, D=16,
                         model='name = "hopfield"', trials_per_pattern=None)


def _osc(**changes):
    base = tomllib.loads((ROOT / "devices" / "oscillator-ideal.toml").read_text())["params"]
    return {**{k: (p["value"], p["unit"]) for k, p in base.items()}, **changes}


# (implementation, setting, kind, params or a shipped card name, words of the message)
BAD_SCENARIO_CARDS = {
    **{f"crossbar-{c}": ("crossbar", "device", kind, params, words)
       for c, (kind, params, words) in BAD_MEMRISTORS.items()},
    "crossbar-wrong-kind": ("crossbar", "device", None, "chip-loihi",
                            ["'neuromorphic' card", "'memristor'"]),
    "crossbar-circuit-as-device": ("crossbar", "device", None,
                                   str(ROOT / "circuits" / "crossbar-64.toml"),
                                   ["'crossbar' card", "'memristor'"]),
    "oscillator-wrong-dimension": ("oscillator", "device", "oscillator",
                                   _osc(linewidth=(1.0, "s")), ["linewidth", "a frequency"]),
    "oscillator-wrong-kind": ("oscillator", "device", None, "rram-hfo2", ["'oscillator'"]),
    "processor-string": ("ideal-discrete", "processor", "processor",
                         {"peak_flops": ("67e12", "FLOP/s"), "power": (700.0, "W"),
                          "utilization": (0.3, "1")}, ["peak_flops", "string"]),
    "processor-wrong-kind": ("ideal-ode", "processor", None, "oscillator-vo2", ["'processor'"]),
    "astrocyte-negative": ("astrocyte", "device", "astrocyte", {"tau_neuron": (-1.0, "1")},
                           ["tau_neuron", "(0.0, inf]"]),
    "spiking-chip-kind": ("spiking", "chip", None, "processor-h100", ["'neuromorphic'"]),
    "spiking-neuron-unit": ("spiking", "neuron", "neuron",
                            {"C_m": (0.5, "nF"), "g_L": (25.0, "ms"), "E_L": (-70.0, "mV"),
                             "V_th": (-50.0, "mV"), "V_reset": (-55.0, "mV"),
                             "t_ref": (2.0, "ms")}, ["g_L", "a conductance"]),
}


@pytest.mark.parametrize("case", sorted(BAD_SCENARIO_CARDS))
def test_validate_refuses_bad_cards_with_exit_2(case, tmp_path):
    impl, key, kind, params, words = BAD_SCENARIO_CARDS[case]
    card = params if isinstance(params, str) else str(
        _write(tmp_path / f"bad-{case}.toml", kind, params))
    scen = tmp_path / "scenario.toml"
    scen.write_text(SCENARIO.format(impl=impl, key=key, card=card))
    res = CliRunner().invoke(app, ["validate", str(scen)])
    out = " ".join(res.output.split())  # the console wraps long lines
    assert res.exit_code == 2, out
    assert "Traceback" not in out and "error:" in out, out
    assert f"implementations.{impl}" in out
    for word in words:
        assert word in out, (word, out)


def test_validate_accepts_a_card_in_other_units(tmp_path):
    card = _rewritten(ROOT / "devices" / "ideal-memristor.toml", tmp_path)
    scen = tmp_path / "scenario.toml"
    # the weights of a learning rule: the crossbar cannot store the pattern form
    scen.write_text(SCENARIO.format(impl="crossbar", key="device", card=card)
                    .replace('name = "hopfield"', 'name = "hopfield"\nrule = "hebbian"'))
    res = CliRunner().invoke(app, ["validate", str(scen)])
    assert res.exit_code == 0, res.output
