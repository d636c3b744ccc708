"""Test helpers for the zonal scalar recursion: a law's vector-path twin, and the in-law comparison."""

import numpy as np
from scipy import stats

#: Cutoff of the two-sample KS tests (fixed seeds).
P_MIN = 1e-3


def vector_twin(law):
    """The same law with no zonal capability declared, so the engine rebuilds P⊥K (the vector path)."""
    cls = type(law)
    twin = object.__new__(type(f"Vector{cls.__name__}", (cls,), {"zonal_dimension": None}))
    twin.__dict__.update(law.__dict__)
    assert twin.zonal_dimension is None and law.zonal_dimension is not None
    return twin


def assert_same_law(a, b, stats_names=("tangent_sq", "output_gap_sq")):
    """Two SimulationResults agree in law: means within 4 combined SE and a two-sample KS test."""
    for stat in stats_names:
        se = np.hypot(getattr(a, stat).se, getattr(b, stat).se)
        assert abs(getattr(a, stat).mean - getattr(b, stat).mean) <= 4 * se, (stat, getattr(a, stat).mean, getattr(b, stat).mean, se)
        p = stats.ks_2samp(a.values[stat], b.values[stat]).pvalue
        assert p > P_MIN, (stat, p)
