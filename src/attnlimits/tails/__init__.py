"""Tails: the local law of scores near their maximum, estimated from data (:ref:`theory-extreme-value`).

Known endpoint (unit-normalised keys, D = 1 − ⟨q̂,k̂⟩ ≥ 0): α and c of F(t) ~ c·t^α by maximum likelihood on
the smallest distances, with a threshold-stability check and an exact 95% interval. Unknown endpoint (raw
scores): a generalized Pareto fit above a threshold for ξ with a bootstrap interval and the effective tail
class. Either way β*_n is predicted for n = 1e3 … 1e9 with intervals.
"""

from ._endpoint import LocalPowerFit, distances_to_query, fit_local_power, hill_alpha
from ._estimate import N_GRID, POOLED_QUERIES, BetaStar, TailEstimate, estimate_from_keys, estimate_from_scores, model_beta, n_key
from ._pot import PeaksOverThreshold, fit_peaks_over_threshold, tail_class

# What users call; N_GRID, POOLED_QUERIES and n_key stay importable from here.
__all__ = [
    "BetaStar",
    "LocalPowerFit",
    "PeaksOverThreshold",
    "TailEstimate",
    "distances_to_query",
    "estimate_from_keys",
    "estimate_from_scores",
    "fit_local_power",
    "fit_peaks_over_threshold",
    "hill_alpha",
    "model_beta",
    "tail_class",
]
