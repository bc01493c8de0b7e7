"""Reading TOML text and ``--set key=value`` overrides, with errors that point at the file.

``tomllib`` reports the line and column of a syntax error; this module turns that into a
:class:`~neuroam.errors.ScenarioError` that names the file and quotes the offending line.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from ..errors import ScenarioError

__all__ = ["read_toml", "parse_toml", "parse_override"]

_POS = re.compile(r"\(at line (\d+), column (\d+)\)")
_PART = r"""(?:[A-Za-z0-9_-]+|"[^"\\]*"|'[^']*')"""
_KEY = re.compile(rf"^{_PART}(\s*\.\s*{_PART})*$")


def read_toml(path: str | Path) -> tuple[dict[str, Any], str]:
    """Read a TOML file; return ``(data, text)``. Raises ScenarioError on any problem."""
    path = Path(path)
    if not path.exists():
        raise ScenarioError(f"the path {str(path)!r}", "an existing scenario file (.toml)",
                            "Check the spelling, or run `neuroam list scenarios` to see the "
                            "shipped ones.")
    if path.is_dir():
        raise ScenarioError(f"the folder {str(path)!r}", "a scenario file (.toml)",
                            "Give the path of a .toml file inside that folder.")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"a file {str(path)!r} that cannot be read as UTF-8 text ({exc})",
                            "a readable UTF-8 TOML file",
                            "Check the file's permissions and encoding.") from None
    return parse_toml(text, source=str(path)), text


def parse_toml(text: str, *, source: str = "<string>") -> dict[str, Any]:
    """Parse TOML ``text``; syntax errors name ``source``, the line and the column."""
    try:
        return tomllib.loads(text)
    except RecursionError:
        raise ScenarioError(f"arrays or tables in {source} nested deeper than the TOML reader "
                            "can follow", "nesting a few levels deep, as in the shipped "
                            "scenarios", "Flatten the nested arrays; a scenario value is at most "
                            "a list of lists.") from None
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc)
        m = _POS.search(msg)
        where, quote = "", ""
        if m:
            line, col = int(m.group(1)), int(m.group(2))
            where = f" at line {line}, column {col}"
            lines = text.splitlines()
            if 1 <= line <= len(lines):
                quote = f" The line reads: {lines[line - 1].strip()!r}."
        elif "end of document" in msg:
            where = f" at the end of the file (line {max(1, len(text.splitlines()))})"
            quote = " Look for an unclosed bracket, brace or string above it."
        reason = _POS.sub("", msg).replace("(at end of document)", "").strip().rstrip(".")
        raise ScenarioError(
            f"malformed TOML in {source}{where}: {reason}",
            "valid TOML (https://toml.io)",
            f"Fix the syntax there.{quote} Strings need quotes, tables are written "
            "[section], and each line holds one `key = value`.") from None


def parse_override(item: str) -> tuple[str, Any]:
    """Parse one ``--set key.path=value``; the value is read as TOML, else kept as text.

    ``--set model.n=4`` gives ``("model.n", 4)``; ``--set model.name=hopfield`` gives the
    string ``"hopfield"``; ``--set sweep.seeds=[0,1]`` gives a list.
    """
    key, sep, raw = item.partition("=")
    key = key.strip()
    if not sep or not key:
        raise ScenarioError(f"--set {item!r}", "--set key.path=value, e.g. --set model.n=4",
                            "Join the dotted key and the value with '='.")
    if not _KEY.match(key):
        raise ScenarioError(f"the key {key!r} in --set {item!r}",
                            "a dotted path of bare keys (letters, digits, '_' and '-') or "
                            "quoted keys", "Write the path as in the scenario file, e.g. "
                            "implementations.ideal-ode.t1, or sweep.grid.\"patterns.K\" for "
                            "one grid axis.")
    raw = raw.strip()
    try:
        value = tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw
    except RecursionError:
        raise ScenarioError(f"the value of --set {key}=... nested deeper than the TOML reader "
                            "can follow", "a number, string, list or table a few levels deep",
                            "Give a flatter value.") from None
    return key, value
