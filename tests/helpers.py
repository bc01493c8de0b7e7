"""Shared test data."""

import numpy as np

import neuroam as na

#: (name, params) of every energy family, in a size where the ODE converges fast.
def fast_subset(cases, fast):
    """``cases`` as pytest params, all but the indices in ``fast`` marked ``slow``: the
    fast suite keeps representatives of a family (each new model is a new compile)."""
    import pytest

    return [c if i in fast else pytest.param(*c, marks=pytest.mark.slow) for i, c in enumerate(cases)]


FAMILIES = [
    ("hopfield", {}),
    ("hopfield", {"rule": "hebbian"}),
    ("hopfield", {"rule": "storkey"}),
    ("hopfield", {"rule": "pseudo-inverse"}),
    ("polynomial", {"n": 3}),
    ("polynomial", {"n": 4}),
    ("exponential", {}),
    ("lse", {"beta": 0.1}),
    ("lsr", {"beta": 0.02}),
]

#: models that have a bipartite form
BIPARTITE = [
    ("hopfield", {}),
    ("polynomial", {"n": 2}),
    ("polynomial", {"n": 4}),
    ("polynomial", {"n": 3, "rectified": True}),
    ("exponential", {"beta": 20.0}),
    ("lse", {"beta": 0.1}),
]


def rel_rise(E):
    """Largest rise of E between saved samples, relative to 1 + |E|."""
    return na.metrics.energy_increase(np.asarray(E)).max()


def scenario_text(name: str, body: str, *, K: int = 4, D: int = 32,
                  model: str = 'name = "hopfield"\nrule = "hebbian"', rate: float = 0.1,
                  trials_per_pattern: int | None = 2) -> str:
    """A small scenario: random ±1 patterns, flip cues, ``model`` (the [model] table's
    lines), then ``body`` (the [implementations.*], [sweep] and [save] tables)."""
    per = "" if trials_per_pattern is None else f"trials_per_pattern = {trials_per_pattern}\n"
    return (f'[scenario]\nname = "{name}"\nseed = 0\n'
            f'[patterns]\ngenerator = "random_binary"\nK = {K}\nD = {D}\n'
            f"[model]\n{model}\n"
            f'[cues]\nkind = "flip"\nrate = {rate}\n{per}' + body.lstrip("\n"))


def cli(*args):
    """``neuroam ARGS`` in this process (typer's CliRunner): the result (``exit_code``,
    ``output``), after checking that no traceback reached the user."""
    from typer.testing import CliRunner

    from neuroam.cli import app

    result = CliRunner().invoke(app, [str(a) for a in args])
    assert "Traceback" not in result.output, result.output
    return result
