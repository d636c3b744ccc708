"""The simulation engine: key laws → distances → one streaming, stable reduction → summaries."""

from ._exact import STREAM_BLOCK, attend_exact
from ._montecarlo import METHODS, STATISTICS, SimulationResult, resolve_beta, simulate
from ._reduction import WEIGHT_STATISTICS, WeightReduction

__all__ = [
    "METHODS",
    "STATISTICS",
    "STREAM_BLOCK",
    "SimulationResult",
    "WEIGHT_STATISTICS",
    "WeightReduction",
    "attend_exact",
    "resolve_beta",
    "simulate",
]
