"""Theory: pure functions of (d, n, β, law) — scales, exact finite-n values and limit laws (:ref:`theory-scales` to :ref:`theory-exact-identities`).

One naming rule: ``expected_*`` is exact at finite n (:ref:`theory-exact-identities`), ``*_limit`` is the limit n → ∞ (:ref:`theory-limit-laws`) and
``*_eff`` the effective-exponent prediction (:ref:`theory-effective-exponent`).
"""

# Lazy (PEP 562): the submodules, and scipy with them, load on first use of a name, so importing the key laws
# or the CLI stays light. To export a name, add it to its module's tuple here (and, if users call it, to
# __all__). The internal helpers of _special and _exact stay importable but are not in __all__.
from importlib import import_module

_SOURCES = {
    "_critical": ("PoissonKingman", "ipr_limit", "max_weight_limit"),
    "_effective": ("EffectiveScale", "beta_half_eff", "effective_exponent", "max_weight_eff"),
    "_exact": (
        "expected_defect", "expected_inner", "expected_ipr", "expected_max_weight",
        "expected_one_minus_max_weight", "expected_power_sum", "expected_tangent_sq", "law_mean_distance",
    ),
    "_exact_many": ("expected_max_weights",),
    "_predict": ("PREDICT_KEYS", "predict"),
    "_sinks": ("expected_sink_weight", "sink_expectations"),
    "_scales": ("beta_half", "critical_beta", "lam_of", "n_effective", "pre_asymptotic", "regime"),
    "_special": (
        "log_critical_beta", "log_mgf", "log_uniform_constant", "mean_resultant", "uniform_alpha",
        "uniform_distance_cdf", "uniform_distance_logpdf", "uniform_distance_sf",
    ),
    "_subcritical": (
        "harmonic_growth", "heat_drift", "inner_limit", "ipr_subcritical_limit", "radial_variance_limit",
        "tangent_variance_limit",
    ),
    "_supercritical": ("nearest_distance_limit", "nearest_distance_sf", "one_minus_max_weight_limit"),
}
_MODULE_OF = {name: module for module, names in _SOURCES.items() for name in names}

def __getattr__(name: str):
    if name not in _MODULE_OF:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f".{_MODULE_OF[name]}", __name__), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))


__all__ = [
    "EffectiveScale",
    "PREDICT_KEYS",
    "PoissonKingman",
    "beta_half",
    "beta_half_eff",
    "critical_beta",
    "effective_exponent",
    "expected_defect",
    "expected_inner",
    "expected_ipr",
    "expected_max_weight",
    "expected_max_weights",
    "expected_one_minus_max_weight",
    "expected_power_sum",
    "expected_sink_weight",
    "expected_tangent_sq",
    "harmonic_growth",
    "heat_drift",
    "inner_limit",
    "ipr_limit",
    "ipr_subcritical_limit",
    "lam_of",
    "max_weight_eff",
    "max_weight_limit",
    "n_effective",
    "nearest_distance_limit",
    "nearest_distance_sf",
    "one_minus_max_weight_limit",
    "pre_asymptotic",
    "predict",
    "radial_variance_limit",
    "regime",
    "sink_expectations",
    "tangent_variance_limit",
]
