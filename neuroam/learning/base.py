"""Learning rules: stored patterns ξ (K, D) -> symmetric weights W (D, D)."""

from __future__ import annotations

import numpy as np

from ..errors import LearningRuleError
from ..plugins import Registry, callable_entry

__all__ = ["check_binary", "RULES", "learn"]


def check_binary(patterns, rule: str) -> np.ndarray:
    """``(K, D)`` float64 ±1 patterns from a :class:`PatternSet` or a plain array."""
    from ..patterns.pattern_set import as_patterns

    patterns = as_patterns(patterns)
    xi = np.asarray(patterns.xi, dtype=np.float64)
    if not patterns.is_binary:
        raise LearningRuleError(f"real-valued patterns for the {rule} rule",
                                "binary ±1 patterns",
                                f"The {rule} rule stores ±1 patterns; binarise with np.sign or use a DenseAM energy.")
    return xi


#: learning rules by name: the ``neuroam.learning_rules`` entry-point group
#: (``name = "module:rule"``; ``rule(patterns, **kw)`` returns W (D, D))
RULES: Registry = Registry("neuroam.learning_rules", "learning rule", callable_entry("learning rule"))


def learn(rule: str, patterns, *, zero_diagonal: bool | None = None, **kwargs) -> np.ndarray:
    """Weights ``(D, D)`` (float32, symmetric) from the named rule.

    ``zero_diagonal``: None keeps the rule's own convention (Hebb and Storkey without
    self-coupling, the pseudo-inverse with its ≈ K/D diagonal); True removes the
    self-coupling W_ii of any rule (He et al. 2025 zero it for every rule); False keeps
    it where the rule has one (Storkey's rule is defined without: refused).
    """
    import difflib
    import inspect

    if rule not in RULES:
        close = difflib.get_close_matches(str(rule), RULES, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise LearningRuleError(f"learning rule {rule!r}", f"one of {sorted(RULES)}",
                                f"Pick a known rule.{hint}")
    fn = RULES[rule]
    if zero_diagonal is not None:
        if "zero_diagonal" in inspect.signature(fn).parameters:
            kwargs["zero_diagonal"] = bool(zero_diagonal)
        elif not zero_diagonal:
            raise LearningRuleError(f"zero_diagonal=False for the {rule} rule",
                                    "zero_diagonal=True or None: the rule is defined without "
                                    "self-coupling", "Leave zero_diagonal unset for this rule.")
    W = np.array(fn(patterns, **kwargs), dtype=np.float64)
    if zero_diagonal:
        np.fill_diagonal(W, 0.0)
    W = 0.5 * (W + W.T)
    return W.astype(np.float32)
