"""Packaging and look-up: cards and scenarios by name from anywhere, in the documented
order, `neuroam list` origins, `neuroam copy`, `neuroam --version`.

The wheel itself (built, installed into a fresh venv, run outside the checkout) is checked
by the CI step in `.ci/run`; here the package root is the checkout.
"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from neuroam.cards.search import entries, find_card, package_root
from neuroam.cli import app
from neuroam.errors import CardError, ScenarioError
from neuroam.scenario import find_scenario, load_scenario

ROOT = Path(__file__).resolve().parents[1]


def cli(*args):
    result = CliRunner().invoke(app, [str(a) for a in args])
    assert "Traceback" not in result.output, result.output
    return result


def _put(root: Path, folder: str, name: str) -> Path:
    p = root / folder / f"{name}.toml"
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(f'kind = "memristor"\ndescription = "{root.name}"\n')
    return p.resolve()


def test_pyproject_ships_every_subpackage_and_the_data_folders():
    tool = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    code = {".".join(f.parent.relative_to(ROOT).parts) for f in (ROOT / "neuroam").rglob("*.py")}
    listed = set(tool["packages"])
    assert code <= listed, f"add {sorted(code - listed)} to [tool.setuptools] packages"
    for folder in ("devices", "circuits", "scenarios"):
        assert tool["package-dir"][f"neuroam._shipped.{folder}"] == folder
        assert "*.toml" in tool["package-data"][f"neuroam._shipped.{folder}"]
    assert package_root() == ROOT  # a checkout: its top-level folders are the package's


def test_cards_package_does_not_import_scenario():
    for path in (ROOT / "neuroam" / "cards").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                assert "scenario" not in (node.module or ""), (path.name, node.module)


def test_card_lookup_order(tmp_path, monkeypatch):
    study, here, extra = tmp_path / "study", tmp_path / "here", tmp_path / "extra"
    scen = study / "scenarios" / "s.toml"
    scen.parent.mkdir(parents=True)
    scen.write_text("")
    in_scen = _put(study / "scenarios", "devices", "rram-hfo2")
    above = _put(study, "devices", "rram-hfo2")
    cwd = _put(here, "devices", "rram-hfo2")
    env = _put(extra, "devices", "rram-hfo2")
    monkeypatch.chdir(here)
    monkeypatch.setenv("NEUROAM_PATH", str(extra))
    assert find_card("device", "rram-hfo2", scen) == in_scen
    in_scen.unlink()
    assert find_card("device", "rram-hfo2", scen) == above
    assert find_card("device", "rram-hfo2") == cwd
    e = entries("devices")["rram-hfo2"]
    assert (e.path, e.origin, e.hides) == (cwd, "current folder", ("$NEUROAM_PATH", "package"))
    cwd.unlink()
    assert find_card("device", "rram-hfo2") == env
    monkeypatch.delenv("NEUROAM_PATH")
    assert find_card("device", "rram-hfo2") == ROOT / "devices" / "rram-hfo2.toml"
    assert entries("devices")["rram-hfo2"].origin == "package"
    # explicit paths: relative to the scenario's folder, else to the current folder
    assert find_card("device", "../devices/rram-hfo2.toml", scen) == above
    assert find_card("device", str(env)) == env
    mine = _put(here, "cards", "mine")
    assert find_card("device", "cards/mine.toml", scen) == mine


def test_card_names_are_names_not_paths(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(CardError) as info:
        find_card("device", "../../etc/passwd", tmp_path / "s.toml")
    msg = str(info.value)
    assert "'../../etc/passwd'" in msg and "no file" in msg and "no path separators" in msg
    with pytest.raises(CardError) as info:
        find_card("device", "rram hfo2")
    assert "card name 'rram hfo2'" in str(info.value) and "rram-hfo2" in str(info.value)
    with pytest.raises(CardError) as info:
        find_card("circuit", "crossbar-46")
    assert "Did you mean `crossbar-64`?" in str(info.value)


def _validate_by_name(names):
    for name in names:
        sc = load_scenario(find_scenario(name))
        assert sc.name == name and sc.runs(), name


def test_shipped_scenarios_validate_by_name_from_elsewhere(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    names = sorted(entries("scenarios"))
    assert "quickstart" in names and len(names) >= 10
    assert {e.origin for e in entries("scenarios").values()} == {"package"}
    _validate_by_name(["quickstart", "fault_tolerance"])  # cards by name, from the package
    with pytest.raises(ScenarioError) as info:
        find_scenario("quickstrat")
    assert "Did you mean `quickstart`?" in str(info.value)


@pytest.mark.slow
def test_every_shipped_scenario_validates_by_name_from_elsewhere(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # compare_all alone takes ~20 s to validate
    _validate_by_name(sorted(entries("scenarios")))


def test_list_shows_origins_and_copy_gives_an_editable_copy(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    res = cli("list", "devices")
    assert res.exit_code == 0 and "rram-hfo2" in res.output and "package" in res.output
    res = cli("copy", "card", "rram-hfo2", "devices")
    assert res.exit_code == 0, res.output
    copied = tmp_path / "devices" / "rram-hfo2.toml"
    assert copied.read_text() == (ROOT / "devices" / "rram-hfo2.toml").read_text()
    res = cli("list", "devices")
    assert "current folder (hides package)" in res.output
    assert find_card("device", "rram-hfo2") == copied.resolve()
    res = cli("copy", "card", "rram-hfo2", "devices", "--overwrite")
    assert res.exit_code == 2 and "the look-up finds" in res.output  # not onto itself
    assert cli("copy", "card", "rram-hfo2", "other/").exit_code == 0
    res = cli("copy", "card", "rram-hfo2", "other/rram-hfo2.toml")
    assert res.exit_code == 2 and "already exists" in res.output and "--overwrite" in res.output
    assert cli("copy", "card", "rram-hfo2", "other", "--overwrite").exit_code == 0
    res = cli("copy", "scenario", "quickstart", "mine.toml")
    assert res.exit_code == 0 and (tmp_path / "mine.toml").is_file()
    assert cli("validate", "mine.toml").exit_code == 0
    res = cli("copy", "card", "../../etc/passwd", "x.toml")
    assert res.exit_code == 2 and "no path separators" in res.output
    res = cli("copy", "device", "crossbar-64", "x.toml")
    assert res.exit_code == 2 and "devices/" in res.output
    res = cli("copy", "devise", "rram-hfo2", "x.toml")
    assert res.exit_code == 2 and "Did you mean `device`?" in res.output
    assert not (tmp_path / "x.toml").exists()


def test_version():
    import neuroam

    res = cli("--version")
    assert res.exit_code == 0 and res.output.strip() == f"neuroam {neuroam.__version__}"
