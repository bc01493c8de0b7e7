"""Pick the template for a model, load its cards, check the parameters, translate.

- one-layer pairwise models (``make_model("hopfield", rule="hebbian")``, …) →
  ``circuits/spiking-hopfield.toml`` (architecture "hopfield", :mod:`.hopfield`);
- bipartite softmax DenseAMs (``make_model("exponential", form="bipartite")``) →
  ``circuits/spiking-dense.toml`` (architecture "dense", :mod:`.dense`).

A network card whose architecture does not fit the model is refused (never a silent
switch to the other template).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import UnsupportedError
from .dense import translate_dense
from .hopfield import translate_hopfield
from .netlist import Netlist
from .params import check_timing, load_network, load_neuron, split_overrides

__all__ = ["architecture_for", "DEFAULT_CIRCUITS", "translate", "unsupported"]

DEFAULT_CIRCUITS = {"hopfield": "spiking-hopfield", "dense": "spiking-dense"}


def architecture_for(model) -> str:
    """``"dense"`` for bipartite models, ``"hopfield"`` for one-layer ones."""
    return "dense" if model.structure.form == "bipartite" else "hopfield"


def unsupported(structure) -> str | None:
    """Why no spiking template realises a model of this
    :class:`~neuroam.models.Structure`, or None (``Spiking.supports`` and
    :func:`translate` both ask this)."""
    if structure.state != "binary":
        return ("expected a model with binary (tanh) neurons: a rate-coded LIF neuron stands "
                "for one ±1 unit. Recall real-valued models (lse, lsr) with ideal-ode.")
    if structure.form == "one-layer" and not structure.pairwise:
        return ("expected a pairwise (quadratic) energy such as the classical Hopfield network "
                "for the spiking-hopfield template: this model's input currents are not linear "
                "in the activations. Recall higher-order DenseAMs with the bipartite form "
                "(form = \"bipartite\") on the spiking-dense template.")
    if structure.form == "bipartite" and structure.memory != "softmax":
        return ("expected a bipartite DenseAM with a softmax memory layer, e.g. "
                "make_model(\"exponential\", form=\"bipartite\"), for the spiking-dense "
                "template: its inhibitory pool realises a softmax / winner-take-all memory "
                f"layer, not a {structure.memory} one. Use the exponential DenseAM in its "
                "bipartite form, or a one-layer Hopfield model on the spiking-hopfield template.")
    return None


def _check_inputs(model, patterns) -> None:
    reason = unsupported(model.structure)
    if reason is not None:
        raise UnsupportedError(f"the model {model.describe()} for the spiking implementation; "
                               f"{reason}")
    if not patterns.is_binary:
        raise UnsupportedError(
            f"{patterns.kind} patterns for the spiking implementation", "±1 (binary) patterns",
            "A rate-coded LIF neuron stands for one ±1 unit; recall real-valued patterns "
            "with ideal-ode.")


def translate(model, patterns, *, neuron: str | Path = "lif-neuron",
              inhibitory: str | Path = "lif-interneuron", circuit: str | Path | None = None,
              overrides: Mapping[str, Any] | None = None) -> Netlist:
    """The :class:`~.netlist.Netlist` mirroring ``model`` storing ``patterns``.

    Args:
        neuron: neuron card (``devices/``) of the excitatory (feature, memory) neurons.
        inhibitory: neuron card of the inhibitory pool (dense template only).
        circuit: network card (``circuits/``); None picks the template of the model.
        overrides: ``{name: "value unit"}`` replacing card values; keys of the
            inhibitory neuron take the prefix ``inhibitory.``.
    """
    _check_inputs(model, patterns)
    arch = architecture_for(model)
    n_over, net_over, inh_over = split_overrides(dict(overrides or {}))
    net = load_network(circuit if circuit is not None else DEFAULT_CIRCUITS[arch], net_over)
    if net.architecture != arch:
        raise UnsupportedError(
            f"the {net.architecture!r} network card {net.name!r} for the model "
            f"{model.describe()}", f"a card of architecture {arch!r} for a "
            f"{'bipartite' if arch == 'dense' else 'one-layer'} model",
            f"Use circuit = {DEFAULT_CIRCUITS[arch]!r} (or leave circuit unset), or change "
            "the model's form.")
    nrn = load_neuron(neuron, n_over)
    if arch == "hopfield":
        check_timing(nrn, net)
        return translate_hopfield(model, patterns, nrn, net)
    inh = load_neuron(inhibitory, inh_over)
    check_timing(nrn, net, (inh,))
    return translate_dense(model, patterns, nrn, inh, net)
