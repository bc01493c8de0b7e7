"""Scenarios by name or path, found by the one look-up of :mod:`neuroam.cards.search`.

``find_scenario("quickstart")`` is ``scenarios/quickstart.toml`` under the first root
that has it: the current folder, each folder of ``$NEUROAM_PATH``, then the scenarios
shipped with neuroam. Cards named by a scenario are looked up next to it first (see
:mod:`neuroam.cards.search` for the whole order).
"""

from __future__ import annotations

from pathlib import Path

from ..cards.search import available, entries, find_card, is_name, looks_like_path, roots
from ..errors import ScenarioError, suggest

__all__ = ["roots", "available", "entries", "find_card", "find_scenario"]


def find_scenario(ref: str | Path) -> Path:
    """A scenario by path, or by name (``scenarios/<name>.toml`` under a root).

    A path is returned as given (loading it says whether it exists).

    Raises:
        ScenarioError: a name that no root holds (the message lists the names found).
    """
    p = Path(ref).expanduser()
    if p.exists() or looks_like_path(str(ref)):
        return p
    shipped = available("scenarios")
    if str(ref) in shipped:
        return shipped[str(ref)]
    names = sorted(shipped)
    what = "the scenario" if is_name(str(ref)) else "the scenario name"
    raise ScenarioError(f"{what} {str(ref)!r}",
                        "a path to a .toml file or the name of a scenario in scenarios/ of the "
                        "current folder, $NEUROAM_PATH or the package ("
                        + (", ".join(names) or "none found") + ")",
                        f"{suggest(str(ref), names).strip()} Give the file's path, or a name "
                        "listed by `neuroam list scenarios`.".strip())
