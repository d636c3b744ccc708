"""Theory: pure functions of (d, n, β, law) — scales, exact finite-n values and limit laws (SPEC §2–§4)."""

# Lazy (PEP 562): the submodules, and scipy with them, load on first use of a name, so importing the key laws
# or the CLI stays light. To export a name, add it to its module's tuple here and to __all__.
from importlib import import_module

_SOURCES = {
    "_critical": ("PoissonKingman", "ipr_limit", "max_weight_limit"),
    "_effective": ("EffectiveScale", "beta_half_eff", "effective_exponent", "max_weight_eff"),
    "_exact": (
        "expected_defect", "expected_inner", "expected_ipr", "expected_max_weight",
        "expected_one_minus_max_weight_exact", "expected_power_sum", "expected_tangent_sq", "law_mean_distance",
    ),
    "_predict": ("PREDICT_KEYS", "predict"),
    "_scales": ("beta_half", "critical_beta", "lam_of", "n_effective", "pre_asymptotic", "regime"),
    "_special": (
        "log_critical_beta", "log_mgf", "log_uniform_constant", "mean_resultant", "uniform_alpha",
        "uniform_distance_cdf", "uniform_distance_logpdf", "uniform_distance_sf",
    ),
    "_subcritical": (
        "harmonic_growth", "heat_drift", "ipr_asymptote", "lln_inner", "radial_variance", "tangent_variance",
    ),
    "_supercritical": ("expected_nearest_distance", "expected_one_minus_max_weight", "nearest_distance_sf"),
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
