"""The simulation engine: key laws → distances → one streaming, stable reduction → summaries."""

from ._backend import BACKENDS, DEVICES, DTYPES, reduce_distances, resolve_backend
from ._exact import STREAM_BLOCK, attend_exact
from ._montecarlo import (AUTO_ORDERSTAT_MIN_N, METHODS, ORDERSTAT_DIAGNOSTICS, STATISTICS, SimulationResult, choose_method,
                          method_choice, resolve_beta, simulate)
from ._nearest import MAX_NEAREST, TailToleranceWarning
from ._orderstat import attend_orderstat
from ._reduction import WEIGHT_STATISTICS, WeightReduction
from ._result import Estimate
from ._torch import attend_torch

# What users call. The tuning constants and helpers imported above (STREAM_BLOCK, MAX_NEAREST, METHODS, DTYPES,
# choose_method, resolve_beta, ...) stay importable from here but are not the API.
__all__ = [
    "Estimate",
    "STATISTICS",
    "SimulationResult",
    "TailToleranceWarning",
    "attend_exact",
    "attend_orderstat",
    "attend_torch",
    "method_choice",
    "reduce_distances",
    "simulate",
]
