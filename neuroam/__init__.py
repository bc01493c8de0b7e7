"""neuroam: energy-based associative memories on ideal, analog and neuromorphic substrates.

Store one set of patterns, pick an energy model, make cues, and recall them through
several implementations side by side::

    import neuroam as na
    pats = na.patterns.random_binary(K=10, D=100, seed=0)
    cues = na.cues.flip(pats, rate=0.1, trials_per_pattern=8, seed=1)
    model = na.models.make_model("polynomial", n=3)
    res = na.recall(model, pats, cues, "ideal-ode", t1=30)
    na.metrics.summarize(res, pats)
"""

from importlib.metadata import PackageNotFoundError, version

from . import capacity, cues, errors, implementations, learning, metrics, models, patterns, results
from .api import recall
from .cues import CueSet
from .models import make_model
from .patterns import PatternSet
from .results import Outcome, RecallResult, Status

try:
    __version__ = version("neuroam")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.1.0"

__all__ = ["recall", "make_model", "PatternSet", "CueSet", "RecallResult", "Status", "Outcome",
           "patterns", "cues", "models", "implementations", "metrics", "learning", "results", "capacity",
           "errors", "__version__"]
