"""The simulation engine: key laws → distances → one streaming, stable reduction → summaries."""

from ._backend import BACKENDS, DEVICES, DTYPES, reduce_distances, resolve_backend
from ._exact import STREAM_BLOCK, attend_exact
from ._montecarlo import METHODS, STATISTICS, SimulationResult, resolve_beta, simulate
from ._reduction import WEIGHT_STATISTICS, WeightReduction
from ._torch import attend_torch

__all__ = [
    "BACKENDS",
    "DEVICES",
    "DTYPES",
    "METHODS",
    "STATISTICS",
    "STREAM_BLOCK",
    "SimulationResult",
    "WEIGHT_STATISTICS",
    "WeightReduction",
    "attend_exact",
    "attend_torch",
    "reduce_distances",
    "resolve_backend",
    "resolve_beta",
    "simulate",
]

