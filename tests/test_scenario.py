"""Scenario files: parsing, validation messages, overrides, sweeps, cards, JSON schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from neuroam.errors import CardError, NeuroamError, ScenarioError
from neuroam.scenario import json_schema, load_scenario, loads_scenario, parse_override

ROOT = Path(__file__).resolve().parents[1]

BASE = """
[scenario]
name = "t"
seed = 3
[patterns]
generator = "random_binary"
K = 3
D = 16
[model]
name = "hopfield"
[cues]
kind = "flip"
rate = 0.1
[implementations.ideal-discrete]
max_sweeps = 5
"""


def load(text: str = BASE, *sets: str):
    return loads_scenario(text, source="t.toml", overrides=sets)


def message(text: str, *sets: str) -> str:
    with pytest.raises(NeuroamError) as info:
        load(text, *sets)
    return str(info.value)


def test_valid_base_scenario():
    sc = load()
    assert sc.name == "t" and sc.seed == 3 and sc.seeds == [3]
    assert list(sc.implementations) == ["ideal-discrete"]
    assert sc.implementations["ideal-discrete"].settings.max_sweeps == 5
    assert [r.run_id for r in sc.runs()] == ["ideal-discrete/p000-s3"]


def test_malformed_toml_names_line_and_column():
    msg = message(BASE.replace("K = 3", "K = = 3"))
    assert "t.toml" in msg and "line 7, column 5" in msg and "K = = 3" in msg
    msg = message(BASE + "oops = [1, 2\n")
    assert "end of the file (line 16)" in msg


def test_unknown_section_and_key_suggest_closest():
    assert "Did you mean `patterns`?" in message(BASE.replace("[patterns]", "[paterns]"))
    msg = message(BASE + "[save]\ndecimat = 2\n")
    assert "`save.decimat`" in msg and "Did you mean `decimate`?" in msg


def test_unknown_setting_model_param_and_cue_param_suggest():
    msg = message(BASE + "max_sweep = 3\n")
    assert "implementations.ideal-discrete.max_sweep" in msg and "max_sweeps" in msg
    msg = message(BASE.replace('name = "hopfield"', 'name = "hopfield"\ngian = 2.0'))
    assert "gian" in msg and "gain" in msg
    msg = message(BASE.replace("rate = 0.1", "rat = 0.1"))
    assert "cues.rat" in msg and "rate" in msg
    msg = message(BASE.replace("D = 16", "D = 16\nbais = 0.1"))
    assert "patterns.bais" in msg and "bias" in msg


def test_unknown_names_list_choices():
    assert "polynomial" in message(BASE.replace('"hopfield"', '"hopfeld"'))
    assert "ideal-ode" in message(BASE.replace("[implementations.ideal-discrete]",
                                               "[implementations.ideal-od]"))
    assert "occlude" in message(BASE.replace('kind = "flip"', 'kind = "flipp"'))


def test_wrong_type_and_range_name_the_key_and_the_range():
    msg = message(BASE.replace("K = 3", 'K = "three"'))
    assert "`patterns.K`" in msg and "integer" in msg
    msg = message(BASE.replace("K = 3", "K = 0"))
    assert "`patterns.K`" in msg and "≥ 1" in msg
    msg = message(BASE + "[save]\nthreshold = 1.5\n")
    assert "`save.threshold`" in msg and "≤ 1.0" in msg
    msg = message(BASE.replace("max_sweeps = 5", "max_sweeps = -1"))
    assert "implementations.ideal-discrete.max_sweeps" in msg and "≥ 1" in msg
    msg = message(BASE.replace('[scenario]\nname = "t"', '[scenario]\nname = "a b"'))
    assert "scenario.name" in msg


def test_missing_key_is_named():
    assert "missing key `model.name`" in message(BASE.replace('name = "hopfield"', ""))


def test_overrides_use_dotted_paths_and_toml_values():
    sc = load(BASE, "patterns.K=4", "implementations.ideal-discrete.mode=sync",
              "sweep.seeds=[0, 1]")
    assert sc.spec.patterns.K == 4 and sc.seeds == [0, 1]
    assert sc.implementations["ideal-discrete"].settings.mode == "sync"
    assert parse_override("a.b=[1, 2]") == ("a.b", [1, 2])
    assert parse_override("model.name=lse") == ("model.name", "lse")
    assert "Did you mean `decimate`" in message(BASE, "save.decimat=2")
    with pytest.raises(ScenarioError, match="key.path=value"):
        parse_override("nonsense")
    with pytest.raises(ScenarioError, match="is a value"):
        load(BASE, "patterns.K.x=1")


def test_array_form_of_implementations_with_labels():
    text = BASE.replace("[implementations.ideal-discrete]\nmax_sweeps = 5", """
[[implementations]]
name = "ideal-discrete"
label = "async"
[[implementations]]
name = "ideal-discrete"
label = "sync"
mode = "sync"
""")
    sc = load(text)
    assert {k: v.settings.mode for k, v in sc.implementations.items()} == {
        "async": "async", "sync": "sync"}


def test_sweep_expands_point_major_and_dedupes_implementation_keys():
    text = BASE + """
[implementations.ideal-ode]
t1 = 5.0
[sweep]
seeds = [0, 1]
[sweep.grid]
"patterns.K" = [2, 3]
"implementations.ideal-discrete.max_sweeps" = [2, 4]
"""
    runs = load(text).runs()
    ode = [r for r in runs if r.label == "ideal-ode"]
    disc = [r for r in runs if r.label == "ideal-discrete"]
    assert len(ode) == 2 * 2 and len(disc) == 2 * 2 * 2
    assert all("implementations.ideal-discrete.max_sweeps" not in r.params for r in ode)
    assert len({r.run_id for r in runs}) == len(runs)
    assert runs[0].params["patterns.K"] == 2 and runs[-1].params["patterns.K"] == 3


def test_sweep_points_are_validated_with_the_point_named():
    msg = message(BASE + '[sweep]\ngrid = { "implementations.ideal-discret.mode" = ["sync"] }\n')
    assert "Did you mean `ideal-discrete`?" in msg
    msg = message(BASE + '[sweep]\ngrid = { "modle.n" = [2] }\n')
    assert "Did you mean `model`?" in msg
    msg = message(BASE + '[sweep]\ngrid = { "patterns.K" = [2, 0] }\n')
    assert "patterns.K" in msg and "sweep point" in msg
    assert "empty" in message(BASE + '[sweep]\ngrid = { "patterns.K" = [] }\n')


def test_card_references_resolve_or_list_available(tmp_path, monkeypatch):
    import neuroam.implementations.registry as reg
    from neuroam.implementations.base import Implementation, SettingsBase

    class CardSettings(SettingsBase):
        device: str = "rram"

    class CardImpl(Implementation):
        name = "card-test"
        description = "test"
        Settings = CardSettings

        def recall(self, *a, **k):  # pragma: no cover - never run
            raise NotImplementedError

    monkeypatch.setitem(reg.IMPLEMENTATIONS._loaded, "card-test", CardImpl())
    (tmp_path / "devices").mkdir()
    (tmp_path / "devices" / "hfo2.toml").write_text("[card]\nname = 'HfO2'\n")
    (tmp_path / "devices" / "pcm.toml").write_text("[card]\nname = 'PCM'\n")
    scen = tmp_path / "scenarios"
    scen.mkdir()
    text = BASE.replace("[implementations.ideal-discrete]\nmax_sweeps = 5",
                        "[implementations.card-test]\ndevice = \"{}\"")
    (scen / "ok.toml").write_text(text.format("hfo2"))
    sc = load_scenario(scen / "ok.toml")
    assert sc.implementations["card-test"].settings.device == str(tmp_path / "devices/hfo2.toml")
    (scen / "path.toml").write_text(text.format("../devices/pcm.toml"))
    assert load_scenario(scen / "path.toml").implementations[
        "card-test"].settings.device.endswith("pcm.toml")
    (scen / "bad.toml").write_text(text.format("hf02"))
    with pytest.raises(CardError) as info:
        load_scenario(scen / "bad.toml")
    msg = str(info.value)
    assert "hfo2" in msg and "pcm" in msg and "Did you mean `hfo2`" in msg


def test_json_schema_covers_sections_and_implementations():
    schema = json_schema()
    assert set(schema["properties"]) >= {"scenario", "patterns", "model", "cues",
                                         "implementations", "sweep", "save"}
    table = schema["properties"]["implementations"]["anyOf"][0]
    from neuroam import implementations
    assert set(table["properties"]) == set(implementations.names())
    assert "hopfield" in schema["$defs"]["ModelSpec"]["properties"]["name"]["enum"]
    json.dumps(schema)


def test_shipped_schema_is_current():
    shipped = json.loads((ROOT / "scenarios" / "scenario.schema.json").read_text())
    current = json_schema()
    missing = set(current["$defs"]) - set(shipped["$defs"])
    assert not missing, (f"scenarios/scenario.schema.json lacks {sorted(missing)}: regenerate "
                         "it with `neuroam schema -o scenarios/scenario.schema.json`")


@pytest.mark.parametrize("path", sorted((ROOT / "scenarios").glob("*.toml"))
                         + sorted((ROOT / "scenarios" / "reproduce").glob("*.toml")),
                         ids=lambda p: p.name)
def test_shipped_scenarios_validate(path):
    sc = load_scenario(path, deep=False)
    assert sc.runs()
