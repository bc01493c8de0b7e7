"""Plug-ins: a separate package adds an implementation and a model through entry points
alone (tests/plugin_pkg), and a broken entry point is reported by name."""

import tomllib
from pathlib import Path

import numpy as np
import pytest

import neuroam as na
from neuroam.implementations.registry import IMPLEMENTATIONS
from neuroam.cards import schema as schema_mod
from neuroam.crossbar.device import DEVICES
from neuroam.cues import CUE_KINDS
from neuroam.learning import RULES
from neuroam.models.registry import MODELS
from neuroam.patterns import GENERATORS
from neuroam.plugins import PluginError
from neuroam.scenario import loads_scenario
from neuroam.store import read_records
from neuroam.sweep import run_study

from helpers import scenario_text

PLUGIN = Path(__file__).resolve().parent / "plugin_pkg"


def _install(tmp_path, monkeypatch, name, entry_points: dict[str, dict[str, str]]):
    """Make ``name`` an installed distribution with these entry points: a ``.dist-info``
    folder on sys.path is all importlib.metadata looks for (what pip would write)."""
    info = tmp_path / "site" / f"{name.replace('-', '_')}-0.1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.1.0\n")
    (info / "entry_points.txt").write_text("".join(
        f"[{group}]\n" + "".join(f"{k} = {v}\n" for k, v in eps.items())
        for group, eps in entry_points.items()))
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    # card kinds a plug-in technology registers are forgotten after the test
    schema_mod.known_kinds()
    monkeypatch.setattr(schema_mod, "_SCHEMAS", dict(schema_mod._SCHEMAS))
    for registry in (IMPLEMENTATIONS, MODELS, RULES, CUE_KINDS, GENERATORS, DEVICES):
        # scan again now; the old scan is restored after
        monkeypatch.setattr(registry, "_scanned", None)
        monkeypatch.setattr(registry, "_loaded", dict(registry._loaded))


@pytest.fixture
def plugin(tmp_path, monkeypatch):
    meta = tomllib.loads((PLUGIN / "pyproject.toml").read_text())
    monkeypatch.syspath_prepend(str(PLUGIN))
    _install(tmp_path, monkeypatch, meta["project"]["name"], meta["project"]["entry-points"])


def test_a_plugin_package_adds_an_implementation_and_a_model(plugin, tmp_path):
    assert "demo-sync" in na.implementations.names() and "ideal-ode" in na.implementations.names()
    assert "demo-quadratic" in na.models.model_names()
    pats = na.patterns.random_binary(K=3, D=48, seed=0)
    cues = na.cues.flip(pats, rate=0.1, trials_per_pattern=2, seed=1)
    model = na.make_model("demo-quadratic")
    res = na.recall(model, pats, cues, "demo-sync", max_sweeps=10)
    assert na.metrics.summarize(res, pats)["accuracy"] == 1.0
    assert np.all(res.final == pats.xi[cues.targets])
    assert na.metrics.energy_increase(res.energies).max() <= 1e-5

    # the same plug-ins by name in a scenario, next to a built-in implementation
    text = scenario_text("plugin", "[implementations.demo-sync]\nmax_sweeps = 10\n"
                         "[implementations.ideal-discrete]\nmax_sweeps = 10\n",
                         model='name = "demo-quadratic"', K=3, D=48)
    outcome = run_study(loads_scenario(text), tmp_path / "o")
    assert not outcome.failed, [r.error for r in outcome.failed]
    records = {r.label: r for r in read_records(outcome.results, skip=("state", "cues"))}
    assert set(records) == {"demo-sync", "ideal-discrete"}
    assert all(r.summary["accuracy"] == 1.0 for r in records.values())


def test_a_plugin_package_adds_a_learning_rule_generator_and_cue_kind(plugin, tmp_path):
    """The clipped Hebbian rule on 4 orthogonal (Walsh) patterns, D = 64: the cue keeps the
    first half of each pattern and randomises the rest; the network completes it, in the
    ideal model and on a crossbar programmed with the plug-in's rule."""
    text = scenario_text("plugin2", "[implementations.ideal-discrete]\nmax_sweeps = 10\n"
                         "[implementations.chip]\nname = \"crossbar\"\nrule = \"demo-clipped\"\n"
                         "device = \"ideal-memristor\"\ncircuit = \"crossbar-ideal\"\n"
                         "dynamics = \"sync\"\nn_draws = 1\n",
                         model='name = "hopfield"\nrule = "demo-clipped"', K=4, D=64,
                         trials_per_pattern=None)
    text = text.replace('generator = "random_binary"', 'generator = "demo_walsh"')
    text = text.replace('kind = "flip"\nrate = 0.1\n', 'kind = "demo-half"\n')
    outcome = run_study(loads_scenario(text), tmp_path / "o")
    assert not outcome.failed, [r.error for r in outcome.failed]
    records = {r.label: r for r in read_records(outcome.results, skip=("state",))}
    assert set(records) == {"ideal-discrete", "chip"}
    for r in records.values():
        assert r.summary["accuracy"] == 1.0 and r.summary["n_trials"] == 4
    # the rule reached the model: its weights are the clipped ones
    pats = GENERATORS["demo_walsh"](K=4, D=64, seed=0)
    assert np.allclose(pats.xi @ pats.xi.T, 64 * np.eye(4))
    W = na.learning.learn("demo-clipped", pats)
    assert set(np.unique(np.abs(W[~np.eye(64, dtype=bool)]))) <= {0.0, np.float32(1 / 64)}


def test_a_broken_entry_point_names_its_distribution_and_the_error(tmp_path, monkeypatch):
    _install(tmp_path, monkeypatch, "neuroam-broken-demo", {
        "neuroam.implementations": {"demo-missing": "neuroam_no_such_module:Impl",
                                    "demo-wrong": "numpy:ndarray"},
        "neuroam.models": {"demo-missing-model": "neuroam_no_such_module:Model"}})
    assert "demo-missing" in na.implementations.names()  # listing imports nothing
    with pytest.raises(PluginError) as err:
        na.implementations.get("demo-missing")
    msg = str(err.value)
    assert "neuroam-broken-demo 0.1.0" in msg and "demo-missing = 'neuroam_no_such_module:Impl'" in msg
    assert "ModuleNotFoundError" in msg and "neuroam_no_such_module" in msg
    assert isinstance(err.value.__cause__, ModuleNotFoundError)
    with pytest.raises(PluginError, match="subclass of neuroam.implementations.Implementation"):
        na.implementations.get("demo-wrong")
    with pytest.raises(PluginError, match="neuroam-broken-demo"):
        na.make_model("demo-missing-model")


def test_the_plugins_are_gone_after_the_test():
    assert "demo-sync" not in na.implementations.names()
    assert "demo-missing" not in na.implementations.names()
    assert "demo-quadratic" not in na.models.model_names()


def test_a_plugin_device_technology_is_one_module_and_a_card(plugin, tmp_path):
    """The plug-in's toy FeFET (tests/plugin_pkg/neuroam_plugin_demo/fefet.py + the card
    devices/fefet-demo.toml): a crossbar label naming the card validates, its chips are
    programmed with the FeFET's physics, and after t = 1000 s every conductance follows
    the card's log-time retention law g_min + (g_prog − g_min)·(1 − r ln(1 + t/t0)),
    applied here by hand with the card's numbers (g_min = 1 µS, r = 0.05, t0 = 1 s) —
    not the memristor's power law. Differential weights lose the g_min offset, so every
    weight shrinks by the same factor; the sign dynamics still recall every pattern."""
    from neuroam.crossbar.chip import program_model

    card = PLUGIN / "devices" / "fefet-demo.toml"
    text = scenario_text("fefet", "[implementations.chip]\nname = \"crossbar\"\n"
                         f"device = \"{card}\"\ncircuit = \"crossbar-ideal\"\n"
                         "dynamics = \"sync\"\nn_draws = 1\ndrift_time = 1000.0\n",
                         K=4, D=64, trials_per_pattern=None)
    sc = loads_scenario(text)
    s = sc.implementations["chip"].settings
    pats = na.patterns.random_binary(K=4, D=64, seed=3)
    chip = program_model(na.make_model("hopfield", rule="hebbian"), pats, s, seed=0)
    arr = chip.array
    assert type(chip.device).__name__ == "DemoFeFET" and chip.device.name == "fefet-demo"
    keep = 1.0 - 0.05 * np.log(1.0 + 1000.0 / 1.0)
    g_min = 1e-6
    np.testing.assert_allclose(arr.g, g_min + (arr.g_programmed - g_min) * keep, rtol=1e-12)
    np.testing.assert_allclose(arr.read_var, (0.02 * arr.g) ** 2, rtol=1e-12)
    np.testing.assert_allclose(arr.weights(), keep * arr.weights(programmed=True),
                               rtol=1e-9, atol=1e-12)

    outcome = run_study(sc, tmp_path / "o")
    assert not outcome.failed, [r.error for r in outcome.failed]
    (rec,) = read_records(outcome.results, skip=("state", "cues"))
    assert rec.attrs["device"] == "fefet-demo" and rec.summary["accuracy"] == 1.0
