"""Where device cards, circuit cards and scenarios are found: the one look-up of neuroam.

Cards live in ``devices/*.toml`` and ``circuits/*.toml``, scenarios in
``scenarios/*.toml``, under a *root* folder. A reference is either a **path** (it holds
``/`` or ``\\``, or ends in ``.toml``) or a **name** (the file stem: letters, digits,
``.``, ``_``, ``+``, ``-``; never a path separator). Look-up order, first match wins:

1. an explicit path: as given if absolute, else relative to the scenario's folder, else
   to the current folder;
2. a name, under ``<root>/<folder>/<name>.toml`` for each root in turn:

   a. the scenario's folder and the folder above it (``scenarios/`` and ``devices/`` are
      siblings, so a study folder laid out like the repository finds its own cards),
   b. the current folder,
   c. each folder of ``$NEUROAM_PATH`` (``os.pathsep``-separated),
   d. the package: the cards and scenarios shipped inside neuroam
      (``neuroam/_shipped/<folder>/``, read through :mod:`importlib.resources`); in a
      source checkout or an editable install, the checkout's top-level folders.

``neuroam list devices|circuits|scenarios`` shows which root each entry comes from and
``neuroam copy`` gives an editable copy of a shipped one.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib.resources
import os
import re
from pathlib import Path

from ..errors import CardError, suggest

__all__ = ["Root", "Entry", "CARD_FOLDERS", "FOLDERS", "roots", "package_root", "entries",
           "available", "find_card", "is_name", "looks_like_path", "resolve_path"]

CARD_FOLDERS = {"device": "devices", "circuit": "circuits"}
#: every folder the look-up serves
FOLDERS = ("devices", "circuits", "scenarios")
#: subfolders whose files are listed with their folder's (shipped reproductions of
#: published results live in scenarios/reproduce/ and are found by name like the others)
SUBFOLDERS = {"scenarios": ("reproduce",)}
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]*")


@dataclasses.dataclass(frozen=True)
class Root:
    """A folder that may hold ``devices/``, ``circuits/`` and ``scenarios/``.

    ``origin`` says why it is searched: "scenario folder", "above the scenario folder",
    "current folder", "$NEUROAM_PATH" or "package".
    """

    path: Path
    origin: str


@dataclasses.dataclass(frozen=True)
class Entry:
    """One card or scenario found by name: the file that wins, the root it comes from,
    and the origins of same-named files further down the order that it hides."""

    name: str
    path: Path
    origin: str
    hides: tuple[str, ...] = ()


@functools.lru_cache(maxsize=1)
def package_root() -> Path | None:
    """The root of the cards and scenarios shipped with neuroam, or None.

    An installed wheel holds them as package data in ``neuroam/_shipped/``; a source
    checkout (also an editable install) keeps them in the top-level ``devices/``,
    ``circuits/`` and ``scenarios/`` folders next to the ``neuroam`` package. neuroam is
    installed as plain files (pip always does), so the resources are real paths.
    """
    pkg = importlib.resources.files("neuroam")
    if not isinstance(pkg, Path):  # pragma: no cover - a zipped install
        return None
    shipped = pkg / "_shipped"
    if shipped.is_dir():
        return shipped.resolve()
    checkout = pkg.resolve().parent
    if (checkout / "pyproject.toml").is_file() and any(
            (checkout / f).is_dir() for f in FOLDERS):
        return checkout
    return None


def _folder_of(near: str | Path) -> Path:
    here = Path(near).expanduser().resolve()
    return here.parent if here.is_file() or here.suffix == ".toml" else here


def roots(near: str | Path | None = None) -> list[Root]:
    """The roots searched for names, in order, each folder once (its first origin).

    Args:
        near: the scenario file (or its folder) the names come from; None outside one.
    """
    cands: list[Root] = []
    if near is not None:
        here = _folder_of(near)
        cands += [Root(here, "scenario folder"), Root(here.parent, "above the scenario folder")]
    cands.append(Root(Path.cwd(), "current folder"))
    for extra in os.environ.get("NEUROAM_PATH", "").split(os.pathsep):
        if extra.strip():
            cands.append(Root(Path(extra.strip()).expanduser(), "$NEUROAM_PATH"))
    pkg = package_root()
    if pkg is not None:
        cands.append(Root(pkg, "package"))
    out: list[Root] = []
    seen: set[Path] = set()
    for c in cands:
        p = c.path.resolve()
        if p not in seen:
            seen.add(p)
            out.append(Root(p, c.origin))
    return out


@functools.lru_cache(maxsize=256)
def _listing(folder: Path, mtime: int) -> tuple[Path, ...]:
    """The .toml files of one folder, listed once per modification of the folder (a
    study validates hundreds of grid points against the same folders)."""
    if not folder.is_dir():
        return ()
    return tuple(p for p in sorted(folder.glob("*.toml")) if not p.name.endswith(".schema.toml"))


def entries(folder: str, near: str | Path | None = None) -> dict[str, Entry]:
    """``{name: Entry}`` of every ``<root>/<folder>/*.toml`` (and of its
    :data:`SUBFOLDERS`), the first root winning."""
    found: dict[str, Entry] = {}
    for root in roots(near):
        subs = SUBFOLDERS.get(folder, ())
        for d in (root.path / folder, *(root.path / folder / s for s in subs)):
            try:
                mtime = d.stat().st_mtime_ns
            except OSError:
                continue
            _add(found, _listing(d, mtime), root)
    return found


def _add(found: dict[str, Entry], paths, root: Root) -> None:
    """Enter ``paths`` under their names; a name already found keeps its file and notes
    what it hides."""
    for p in paths:
        if p.stem in found:
            e = found[p.stem]
            found[p.stem] = dataclasses.replace(e, hides=e.hides + (root.origin,))
        else:
            found[p.stem] = Entry(p.stem, p, root.origin)


def available(folder: str, near: str | Path | None = None) -> dict[str, Path]:
    """``{name: path}`` of every ``<root>/<folder>/*.toml`` (first root wins)."""
    return {name: e.path for name, e in entries(folder, near).items()}


def looks_like_path(ref: str) -> bool:
    """True when ``ref`` is meant as a file path rather than a name."""
    return "/" in ref or "\\" in ref or ref.endswith(".toml") or os.path.isabs(ref)


def is_name(ref: str) -> bool:
    """True when ``ref`` is a valid card or scenario name (no path separators)."""
    return bool(_NAME.fullmatch(ref)) and not ref.endswith(".toml")


def resolve_path(ref: str, near: str | Path | None = None) -> Path | None:
    """An explicit path: absolute, else relative to ``near``'s folder, else to the
    current folder; None when no such file exists."""
    p = Path(ref).expanduser()
    cands = [p] if p.is_absolute() else \
        ([_folder_of(near) / p] if near is not None else []) + [Path.cwd() / p]
    for c in cands:
        if c.is_file():
            return c.resolve()
    return None


def find_card(kind: str, ref: str, near: str | Path | None = None) -> Path:
    """The file of a ``device``/``circuit`` card given by name or path.

    Args:
        kind: "device" (``devices/``) or "circuit" (``circuits/``).
        ref: a card name (file stem) or a path to a .toml file.
        near: the scenario file the reference comes from (its folder is searched first).

    Raises:
        CardError: no such file, a malformed name, or no card of that name (the message
            lists the available names).
    """
    folder = CARD_FOLDERS[kind]
    ref = str(ref)
    if looks_like_path(ref):
        path = resolve_path(ref, near)
        if path is not None:
            return path
        where = f" (relative to {_folder_of(near)} or the current folder)" \
            if near is not None and not Path(ref).is_absolute() else ""
        raise CardError(f"the {kind} card path {ref!r}, which is no file{where}",
                        f"the path of an existing .toml card, or a card name from {folder}/ "
                        "(letters, digits, '.', '_', '+', '-'; no path separators)",
                        f"Fix the path, or give the name of a card (`neuroam list {folder}`).")
    cards = available(folder, near)
    if ref in cards:
        return cards[ref]
    names = sorted(cards)
    if not is_name(ref):
        raise CardError(f"the {kind} card name {ref!r}",
                        "a card name: letters, digits, '.', '_', '+', '-' (no spaces or "
                        f"path separators), or the path of a .toml file; available in {folder}/: "
                        + (", ".join(names) or "none"),
                        f"Use one of the names listed (`neuroam list {folder}`).")
    listing = ", ".join(names) if names else f"none (no {folder}/ folder with .toml cards found)"
    raise CardError(f"the {kind} card {ref!r}",
                    f"the name of a card in {folder}/ or a path to one; available: {listing}",
                    f"{suggest(ref, names).strip()} Use one of the names listed, or add "
                    f"{folder}/{ref}.toml next to the scenario, in the current folder or in "
                    f"a folder of $NEUROAM_PATH (`neuroam list {folder}`).".strip())
