"""attnlimits: the scaling limits of long-context softmax attention, executable.

One query attends to n random keys on the sphere S^{d−1} at inverse temperature β. The package simulates
this exactly at any n, computes every prediction of the theory (arXiv 2605.08505; see SPEC.md) and
estimates the critical scale of real attention scores. Importing it loads numpy and scipy only.
"""

from ._setting import Setting
from ._validation import InputError
from .engine import STATISTICS, SimulationResult, WeightReduction, attend_exact, simulate
from .laws import Empirical, KeyLaw, Subsphere, UniformSphere, VonMisesFisher, load_key_file, parse_law

__version__ = "0.1.0"

# What users call; STATISTICS, WeightReduction and attend_exact stay importable from here (attnlimits.engine has them).

__all__ = [
    "Empirical",
    "InputError",
    "KeyLaw",
    "Setting",
    "SimulationResult",
    "Subsphere",
    "UniformSphere",
    "VonMisesFisher",
    "__version__",
    "load_key_file",
    "parse_law",
    "reproduce",
    "simulate",
]


def __getattr__(name):
    """``attnlimits.reproduce`` loads the reproduce run (claims, store, report) on first use only, so that
    ``import attnlimits`` stays numpy and scipy."""
    if name == "reproduce":
        from ._reproduce import reproduce

        return reproduce
    raise AttributeError(f"module 'attnlimits' has no attribute {name!r}")
