"""``neuroam list devices|circuits|scenarios|implementations``."""

from __future__ import annotations

import tomllib

from rich.text import Text

from ..errors import NeuroamError
from ..scenario.search import available
from .console import out, print_table

__all__ = ["list_what", "WHATS"]

WHATS = ("devices", "circuits", "scenarios", "implementations")


def _card_line(path) -> str:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        return "(unreadable)"
    for table in (data, data.get("scenario", {}), data.get("card", {}),
                  data.get("device", {}), data.get("circuit", {})):
        if isinstance(table, dict):
            for key in ("description", "title", "name"):
                if isinstance(table.get(key), str):
                    return " ".join(table[key].split())[:90]
    return ""


def list_what(what: str) -> None:
    if what == "implementations":
        from .. import implementations

        rows = []
        for name in implementations.names():
            impl = implementations.get(name)
            about = getattr(impl, "description", "") or (type(impl).__doc__ or "").strip()
            fields = ", ".join(impl.Settings.model_fields)
            rows.append([name, about.splitlines()[0] if about else "", fields])
        print_table(["implementation", "about", "settings"], rows)
        return
    found = available(what)
    if not found:
        out.print(Text(f"No {what} found (looked for {what}/*.toml in the scenario folder, "
                       "the current folder, the neuroam checkout and $NEUROAM_PATH)."))
        return
    print_table(["name", "description", "path"],
                [[name, _card_line(p), str(p)] for name, p in found.items()])


def check_what(what: str) -> None:
    if what not in WHATS:
        from ..scenario.paths import suggest
        raise NeuroamError(f"`neuroam list {what}`{suggest(what, WHATS)}",
                           "one of: " + ", ".join(WHATS), "Run e.g. `neuroam list devices`.")
