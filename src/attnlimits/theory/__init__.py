"""Theory: pure functions of (d, n, β, law) — scales, exact finite-n values and limit laws (SPEC §2–§4)."""

from ._critical import PoissonKingman, ipr_limit, max_weight_limit
from ._effective import EffectiveScale, beta_half_eff, effective_exponent, max_weight_eff
from ._exact import (
    expected_defect,
    expected_inner,
    expected_ipr,
    expected_max_weight,
    expected_one_minus_max_weight_exact,
    expected_power_sum,
    expected_tangent_sq,
    law_mean_distance,
)
from ._predict import PREDICT_KEYS, predict
from ._scales import beta_half, critical_beta, lam_of, n_effective, pre_asymptotic, regime
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
from ._subcritical import harmonic_growth, heat_drift, ipr_asymptote, lln_inner, radial_variance, tangent_variance
from ._supercritical import expected_nearest_distance, expected_one_minus_max_weight, nearest_distance_sf

__all__ = [
    "EffectiveScale",
    "beta_half_eff",
    "effective_exponent",
    "max_weight_eff",
    "PREDICT_KEYS",
    "PoissonKingman",
    "beta_half",
    "critical_beta",
    "expected_defect",
    "expected_inner",
    "expected_ipr",
    "expected_max_weight",
    "expected_nearest_distance",
    "expected_one_minus_max_weight",
    "expected_one_minus_max_weight_exact",
    "expected_power_sum",
    "expected_tangent_sq",
    "harmonic_growth",
    "heat_drift",
    "ipr_asymptote",
    "ipr_limit",
    "lam_of",
    "law_mean_distance",
    "lln_inner",
    "log_critical_beta",
    "log_mgf",
    "log_uniform_constant",
    "max_weight_limit",
    "mean_resultant",
    "n_effective",
    "nearest_distance_sf",
    "pre_asymptotic",
    "predict",
    "radial_variance",
    "regime",
    "tangent_variance",
    "uniform_alpha",
    "uniform_distance_cdf",
    "uniform_distance_logpdf",
    "uniform_distance_sf",
]
