"""``neuroam list devices|circuits|scenarios|implementations`` and ``neuroam copy``."""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

from rich.text import Text

from ..cards.search import Entry, entries, is_name
from ..errors import CardError, NeuroamError, ScenarioError, StoreError, suggest
from .console import out, print_table

__all__ = ["list_what", "check_what", "copy_entry", "WHATS", "COPY_WHATS"]

WHATS = ("devices", "circuits", "scenarios", "implementations")
#: what `neuroam copy` copies, and the folders it looks in
COPY_WHATS = {"scenario": ("scenarios",), "card": ("devices", "circuits"),
              "device": ("devices",), "circuit": ("circuits",)}


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


def _shown(path: Path) -> str:
    """``path`` relative to the current folder when it lies inside it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _origin(e: Entry) -> str:
    return e.origin + (f" (hides {', '.join(e.hides)})" if e.hides else "")


def list_what(what: str) -> None:
    if what == "implementations":
        from .. import implementations
        from ..implementations.registry import model_variants, supported_models

        variants = model_variants()
        rows = []
        for name in implementations.names():
            impl = implementations.get(name)
            about = getattr(impl, "description", "") or (type(impl).__doc__ or "").strip()
            fields = ", ".join(impl.Settings.model_fields)
            models = supported_models(impl, variants)
            rows.append([name, impl.role, about.splitlines()[0] if about else "",
                         ", ".join(models) or "none", fields])
        print_table(["implementation", "role", "about", "models (default settings)",
                     "settings"], rows)
        return
    found = entries(what)
    if not found:
        out.print(Text(f"No {what} found (looked for {what}/*.toml in the current folder, "
                       "$NEUROAM_PATH and the package)."))
        return
    print_table(["name", "description", "from", "path"],
                [[e.name, _card_line(e.path), _origin(e), _shown(e.path)]
                 for e in found.values()])


def check_what(what: str) -> None:
    if what not in WHATS:
        raise NeuroamError(f"`neuroam list {what}`{suggest(what, WHATS)}",
                           "one of: " + ", ".join(WHATS), "Run e.g. `neuroam list devices`.")


def _find(what: str, name: str) -> Entry:
    """The scenario or card ``name`` that the look-up would use."""
    error = ScenarioError if what == "scenario" else CardError
    folders = COPY_WHATS[what]
    if not is_name(name):
        raise error(f"the {what} name {name!r}",
                    "a name as listed by `neuroam list` (letters, digits, '.', '_', '+', '-'; "
                    "no path separators)",
                    f"Copy a file you have with `cp`; `neuroam copy {what} NAME DEST` copies "
                    "a named one.")
    hits: list[Entry] = []
    names: list[str] = []
    for folder in folders:
        found = entries(folder)
        names += sorted(found)
        if name in found:
            hits.append(found[name])
    if not hits:
        where = "/ or ".join(folders) + "/"
        raise error(f"the {what} {name!r}",
                    f"the name of one in {where} (" + (", ".join(names) or "none found") + ")",
                    f"{suggest(name, names).strip()} See `neuroam list {folders[0]}`.".strip())
    if len(hits) > 1:
        raise CardError(f"the card name {name!r}, which is both a device and a circuit card",
                        "a name that picks one card",
                        f"Use `neuroam copy device {name} DEST` or `neuroam copy circuit {name} "
                        "DEST`.")
    return hits[0]


def copy_entry(what: str, name: str, dest: str | Path, *, overwrite: bool = False
               ) -> tuple[Entry, Path]:
    """Copy the scenario or card ``name`` (as the look-up finds it) to ``dest``.

    ``dest`` is a ``.toml`` file, or else a folder (made if missing) that receives
    ``<name>.toml``. Returns what was copied and the file written.

    Raises:
        NeuroamError: an unknown ``what`` or name, or a ``dest`` that exists (without
            ``overwrite``) or cannot be written.
    """
    if what not in COPY_WHATS:
        raise NeuroamError(f"`neuroam copy {what}`{suggest(what, COPY_WHATS)}",
                           "one of: " + ", ".join(COPY_WHATS),
                           "Run e.g. `neuroam copy scenario quickstart my_study.toml`.")
    entry = _find(what, name)
    target = Path(dest).expanduser()
    if target.suffix != ".toml" or target.is_dir():
        target = target / entry.path.name
    if target.exists() and target.resolve() == entry.path:
        raise StoreError(f"the destination {target}, which is the {what} {name!r} the look-up "
                         f"finds (from the {entry.origin})", "another file to copy it to",
                         f"Pick another destination; to start again from the one it hides, "
                         f"remove {target} first.")
    if target.exists() and not overwrite:
        raise StoreError(f"the destination {target}, which already exists",
                         "a path that does not exist yet",
                         "Pick another destination, or pass --overwrite to replace it.")
    if target.exists() and not target.is_file():
        raise StoreError(f"the destination {target}, which is not a file", "a file path",
                         "Pick another destination.")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(entry.path, target)
    except OSError as exc:
        raise StoreError(f"the destination {target}, which cannot be written "
                         f"({exc.strerror or exc})", "a writable path",
                         "Pick another destination.") from None
    return entry, target
