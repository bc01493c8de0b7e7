"""Declared capabilities: a model states its structure, an implementation answers
``supports(model)`` from it, and ``neuroam validate`` refuses what would fail at run time;
reports pick their reference by declared role."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

import neuroam as na
from neuroam import implementations
from neuroam.cli import app
from neuroam.errors import UnsupportedError
from neuroam.report.agreement import reference_labels
from neuroam.scenario import loads_scenario
from neuroam.store.record import RunRecord

from helpers import scenario_text
from test_plugins import plugin  # noqa: F401  (fixture)

#: (implementation, its settings lines, a model it cannot realise, words of the reason)
REFUSED = [
    ("oscillator", "t1 = 1.0\n", 'name = "lse"\nbeta = 0.1', "power separation"),
    ("oscillator", "t1 = 1.0\n", 'name = "exponential"', "power separation"),
    ("astrocyte", "t1 = 1.0\n", 'name = "hopfield"', "quartic DenseAM"),
    ("spiking", "", 'name = "lse"\nbeta = 0.1', "binary (tanh) neurons"),
    ("spiking", "", 'name = "polynomial"\nn = 3', "not linear"),
    ("crossbar", 'device = "ideal-memristor"\n', 'name = "polynomial"\nn = 3', "form='bipartite'"),
]


@pytest.mark.parametrize("impl, settings, model, words", REFUSED,
                         ids=[f"{r[0]}-{r[2].split()[2]}" for r in REFUSED])
def test_unsupported_combinations_fail_at_validate(tmp_path, impl, settings, model, words):
    """Each of these used to pass `neuroam validate` and fail in the run; the refusal now
    comes from validation, with the implementation's reason and a non-zero exit code."""
    scen = tmp_path / "s.toml"
    scen.write_text(scenario_text("refused", f"[implementations.{impl}]\n{settings}",
                                  model=model, K=2, D=16))
    res = CliRunner().invoke(app, ["validate", str(scen)])
    text = " ".join(res.output.split())
    assert res.exit_code != 0, res.output
    assert f"implementations.{impl}" in text and f"'{impl}'" in text and words in text, text


def test_a_grid_point_with_an_unsupported_model_fails_at_validate():
    """A label's model swept onto one the crossbar cannot store: the scenario is refused
    when loaded, naming the label, before any run."""
    text = scenario_text("grid", """
[implementations.chip]
name = "crossbar"
device = "ideal-memristor"
[sweep.grid]
"implementations.chip.model" = [{ name = "hopfield", rule = "hebbian" }, { name = "polynomial", n = 3 }]
""", K=3, trials_per_pattern=None)
    with pytest.raises(UnsupportedError, match="implementations.chip.*'crossbar'.*bipartite"):
        loads_scenario(text)


def test_the_recall_path_refuses_through_the_same_check():
    """A direct recall raises the reason `supports` gives, before any work."""
    impl = implementations.get("astrocyte")
    model = na.make_model("polynomial", n=3)
    reason = impl.supports(model)
    assert reason is not None
    pats = na.patterns.random_binary(K=2, D=8, seed=0)
    with pytest.raises(UnsupportedError) as info:
        na.recall(model, pats, na.cues.flip(pats, rate=0.1, seed=0), "astrocyte")
    assert reason in str(info.value)


def test_settings_that_change_what_is_stored_change_the_answer():
    """The crossbar cannot store the pattern form of the Hopfield network, but it can
    store the weights a learning rule makes of the same patterns."""
    xb = implementations.get("crossbar")
    hop = na.make_model("hopfield")
    assert xb.supports(hop) is not None
    assert xb.supports(hop, xb.settings(rule="hebbian")) is None


def test_a_plugin_model_is_judged_by_its_structure_not_its_name(plugin):  # noqa: F811
    """The plug-in's demo-quadratic declares the structure of polynomial n = 2 (its base
    class): the oscillator realises it, under a name no implementation knows; the
    astrocyte (quartic only) refuses it like polynomial n = 2."""
    model = na.make_model("demo-quadratic")
    assert model.structure == na.make_model("polynomial", n=2).structure
    assert implementations.get("oscillator").supports(model) is None
    assert implementations.get("astrocyte").supports(model) is not None


def test_list_shows_roles_and_supported_models():
    res = CliRunner().invoke(app, ["list", "implementations"], env={"COLUMNS": "400"})
    assert res.exit_code == 0
    rows = {line.split("│")[1].strip(): line for line in res.output.splitlines()
            if line.startswith("│") and line.split("│")[1].strip()}
    assert "reference" in rows["ideal-ode"] and "hardware" in rows["crossbar"]
    assert "polynomial(n=4)" in rows["astrocyte"] and "hopfield" not in rows["astrocyte"]


def _record(label: str, impl: str, model: str = "hopfield(form='one-layer')") -> RunRecord:
    return RunRecord(run_id=f"{label}/p000-s0", label=label, implementation=impl,
                     point_id="p000", seed=0, params={}, variables={}, summary={},
                     attrs={"model": model}, wall_time=0.0)


def test_a_plugin_reference_is_the_report_reference(plugin):  # noqa: F811
    """demo-sync declares role = "reference": the report compares the crossbar with it,
    though its name has no ideal- prefix; an ideal-ode label (rank 2) is still preferred,
    and a label whose implementation is hardware is never a reference."""
    chip, mine = _record("chip", "crossbar"), _record("mine", "demo-sync")
    assert reference_labels([chip, mine]) == {"chip": "mine"}
    ode, fp = _record("ode", "ideal-ode"), _record("fp", "ideal-fixed-point")
    assert reference_labels([chip, mine, fp]) == {"chip": "fp"}
    assert reference_labels([chip, mine, fp, ode]) == {"chip": "ode"}
    assert reference_labels([chip, _record("osc", "oscillator")]) == {}


def test_every_declared_structure_matches_the_network_the_model_builds():
    """A declaration is only useful if it is true: for every registered model and
    variant, the bound network has a memory layer exactly in the bipartite form, of the
    declared activation; a weight synapse exactly when weights are stored; tanh visible
    neurons exactly for binary states; in the one-layer pattern form, the separation
    function of the declared family, order and rectification."""
    from neuroam.implementations.registry import model_variants
    from neuroam.models.lagrangians import Identity, Polynomial, Softmax, Tanh
    from neuroam.models.synapses import (BipartiteSynapse, DenseSynapse, LogSumExpSeparation,
                                         LogSumReLUSeparation, PowerSeparation, WeightSynapse)

    pats = na.patterns.random_binary(K=3, D=8, seed=0)
    memory = {"softmax": Softmax, "polynomial": Polynomial}
    separations = {"power": PowerSeparation, "exponential": LogSumExpSeparation,
                   "relu-kernel": LogSumReLUSeparation}
    for label, model in model_variants():
        st, net = model.structure, model.bind(pats)
        (syn,) = net.synapses
        assert (st.form == "bipartite") == bool(net.hidden) == isinstance(syn, BipartiteSynapse), label
        if net.hidden:
            assert isinstance(net.layers[net.hidden[0]].lagrangian, memory[st.memory]), label
        assert (st.stores == "weights") == isinstance(syn, WeightSynapse), label
        visible = net.layers[net.visible].lagrangian
        assert isinstance(visible, Tanh if st.state == "binary" else Identity), label
        if isinstance(syn, DenseSynapse):  # the one-layer pattern form: Φ itself
            sep = syn.separation
            assert isinstance(sep, separations[st.separation]), label
            assert getattr(sep, "n", None) == st.order, label
            assert getattr(sep, "rectified", False) == st.rectified, label
