"""Theory: pure functions of (d, n, β, law) — scales, exact finite-n values and limit laws (SPEC §2–§4)."""

from ._special import (
    log_critical_beta,
    log_mgf,
    log_uniform_constant,
    mean_resultant,
    uniform_alpha,
    uniform_distance_cdf,
    uniform_distance_logpdf,
    uniform_distance_sf,
)

__all__ = [
    "log_critical_beta",
    "log_mgf",
    "log_uniform_constant",
    "mean_resultant",
    "uniform_alpha",
    "uniform_distance_cdf",
    "uniform_distance_logpdf",
    "uniform_distance_sf",
]
