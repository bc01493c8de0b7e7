"""Where scenario files and device/circuit cards are found.

Cards live in ``devices/*.toml`` and ``circuits/*.toml``; scenarios in
``scenarios/*.toml``. Each is looked up, in order, next to the scenario file (its folder
and the folder above it), in the current directory, in the neuroam checkout, and in the
folders listed in ``$NEUROAM_PATH`` (``os.pathsep``-separated roots).
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

from ..errors import CardError, ScenarioError
from .paths import suggest

__all__ = ["roots", "available", "find_card", "find_scenario", "CARD_FOLDERS"]

CARD_FOLDERS = {"device": "devices", "circuit": "circuits"}
_PACKAGE_ROOT = Path(__file__).resolve().parents[2]


def roots(near: str | Path | None = None) -> list[Path]:
    """Candidate root folders, most specific first, without duplicates."""
    cands: list[Path] = []
    if near is not None:
        here = Path(near).resolve()
        here = here.parent if here.is_file() or here.suffix == ".toml" else here
        cands += [here, here.parent]
    cands.append(Path.cwd())
    cands.append(_PACKAGE_ROOT)
    for extra in os.environ.get("NEUROAM_PATH", "").split(os.pathsep):
        if extra:
            cands.append(Path(extra).expanduser())
    out: list[Path] = []
    for c in cands:
        c = c.resolve()
        if c not in out:
            out.append(c)
    return out


def available(folder: str, near: str | Path | None = None) -> dict[str, Path]:
    """``{stem: path}`` of every ``<root>/<folder>/*.toml`` (first root wins)."""
    found: dict[str, Path] = {}
    for root in roots(near):
        d = root / folder
        try:
            mtime = d.stat().st_mtime_ns
        except OSError:
            continue
        for p in _listing(d, mtime):
            found.setdefault(p.stem, p)
    return found


@functools.lru_cache(maxsize=256)
def _listing(folder: Path, mtime: int) -> tuple[Path, ...]:
    """The cards of one folder, listed once per modification of the folder (a study
    validates hundreds of grid points against the same folders)."""
    if not folder.is_dir():
        return ()
    return tuple(p for p in sorted(folder.glob("*.toml")) if not p.name.endswith(".schema.toml"))


def _looks_like_path(ref: str) -> bool:
    return "/" in ref or "\\" in ref or ref.endswith(".toml")


def find_card(kind: str, ref: str, near: str | Path | None = None) -> Path:
    """Resolve a ``device``/``circuit`` card given by name (file stem) or path."""
    folder = CARD_FOLDERS[kind]
    if _looks_like_path(ref):
        p = Path(ref).expanduser()
        if not p.is_absolute() and near is not None:
            base = Path(near).resolve()
            p = (base.parent if base.suffix == ".toml" else base) / p
        if p.is_file():
            return p.resolve()
    cards = available(folder, near)
    if ref in cards:
        return cards[ref]
    names = sorted(cards)
    listing = ", ".join(names) if names else f"none (no {folder}/ folder with .toml cards found)"
    raise CardError(f"the {kind} card {ref!r}",
                    f"the name of a card in {folder}/ or a path to one; available: {listing}",
                    f"{suggest(ref, names).strip()} Use one of the names listed, or add "
                    f"{folder}/{ref}.toml (`neuroam list {folder}`).".strip())


def find_scenario(ref: str | Path) -> Path:
    """A scenario by path, or by name among the shipped ``scenarios/*.toml``."""
    p = Path(ref).expanduser()
    if p.exists() or _looks_like_path(str(ref)):
        return p
    shipped = available("scenarios")
    if str(ref) in shipped:
        return shipped[str(ref)]
    names = sorted(shipped)
    raise ScenarioError(f"the scenario {str(ref)!r}",
                        "a path to a .toml file or the name of a shipped scenario ("
                        + (", ".join(names) or "none found") + ")",
                        f"{suggest(str(ref), names).strip()} Give the file's path, e.g. "
                        "scenarios/quickstart.toml.".strip())
