"""The simulation engine: key laws → distances → one streaming, stable reduction → summaries."""

from ._backend import BACKENDS, DEVICES, DTYPES, reduce_distances, resolve_backend
from ._exact import STREAM_BLOCK, attend_exact
from ._montecarlo import AUTO_ORDERSTAT_MIN_N, METHODS, ORDERSTAT_DIAGNOSTICS, STATISTICS, SimulationResult, choose_method, resolve_beta, simulate
from ._nearest import MAX_NEAREST, TailToleranceWarning
from ._orderstat import attend_orderstat
from ._reduction import WEIGHT_STATISTICS, WeightReduction
from ._result import Estimate
from ._torch import attend_torch

__all__ = [
    "AUTO_ORDERSTAT_MIN_N",
    "BACKENDS",
    "DEVICES",
    "DTYPES",
    "Estimate",
    "MAX_NEAREST",
    "METHODS",
    "ORDERSTAT_DIAGNOSTICS",
    "STATISTICS",
    "STREAM_BLOCK",
    "SimulationResult",
    "TailToleranceWarning",
    "WEIGHT_STATISTICS",
    "WeightReduction",
    "attend_exact",
    "attend_orderstat",
    "attend_torch",
    "choose_method",
    "reduce_distances",
    "resolve_backend",
    "resolve_beta",
    "simulate",
]

