"""The simulation engine: key laws → distances → one streaming, stable reduction → summaries."""

from ._exact import STREAM_BLOCK, attend_exact
from ._montecarlo import AUTO_ORDERSTAT_MIN_N, METHODS, ORDERSTAT_DIAGNOSTICS, STATISTICS, SimulationResult, choose_method, resolve_beta, simulate
from ._orderstat import MAX_NEAREST, attend_orderstat
from ._reduction import WEIGHT_STATISTICS, WeightReduction

__all__ = [
    "AUTO_ORDERSTAT_MIN_N",
    "MAX_NEAREST",
    "METHODS",
    "ORDERSTAT_DIAGNOSTICS",
    "STATISTICS",
    "STREAM_BLOCK",
    "SimulationResult",
    "WEIGHT_STATISTICS",
    "WeightReduction",
    "attend_exact",
    "attend_orderstat",
    "choose_method",
    "resolve_beta",
    "simulate",
]
