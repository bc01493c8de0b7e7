"""Ready-made energy models."""

from .exponential import ExponentialDenseAM
from .hopfield import Hopfield
from .lse import LSE
from .lsr import LSR
from .polynomial import PolynomialDenseAM

__all__ = ["Hopfield", "PolynomialDenseAM", "ExponentialDenseAM", "LSE", "LSR"]
