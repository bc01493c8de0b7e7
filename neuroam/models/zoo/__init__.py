"""Ready-made energy models, one module per family: Hopfield, polynomial and exponential
DenseAMs, LSE and LSR (declared in the ``neuroam.models`` entry-point group)."""

from .exponential import ExponentialDenseAM
from .hopfield import Hopfield
from .lse import LSE
from .lsr import LSR
from .polynomial import PolynomialDenseAM

__all__ = ["Hopfield", "PolynomialDenseAM", "ExponentialDenseAM", "LSE", "LSR"]
