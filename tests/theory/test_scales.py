"""Scales and regimes (:ref:`theory-scales`), including the pre-asymptotic d = 64 example, and the subcritical formulas."""

import math

import numpy as np
import pytest

from attnlimits.laws import Subsphere, UniformSphere, VonMisesFisher
from attnlimits.theory import (
    beta_half,
    critical_beta,
    expected_max_weight,
    expected_tangent_sq,
    harmonic_growth,
    heat_drift,
    inner_limit,
    n_effective,
    pre_asymptotic,
    radial_variance_limit,
    regime,
    tangent_variance_limit,
)


def test_critical_beta_closed_forms():
    assert critical_beta(UniformSphere(3), 10**6) == pytest.approx(0.5e6, rel=1e-12)
    assert critical_beta(UniformSphere(5), 10**6) == pytest.approx((0.75e6) ** 0.5, rel=1e-12)
    assert critical_beta(Subsphere(64, 3), 10**6) == pytest.approx(0.5e6, rel=1e-12)
    # vMF centred on the query: c multiplied by the density at q, e^{κ}/M(κ) (d = 3: M = sinh κ/κ)
    k = 2.0
    assert critical_beta(VonMisesFisher(3, k), 1000) == pytest.approx(0.5 * 1000 * math.exp(k) * k / math.sinh(k), rel=1e-10)
    assert math.isfinite(critical_beta(UniformSphere(4096), 10**18))  # c_d overflows past d ≈ 2049


def test_d64_pre_asymptotic_numbers_of_the_spec():
    """:ref:`theory-scales`: d = 64, n = 1e6: β*_n ≈ 2.8 but β_{1/2} ≈ 75 (E max w 0.43 at β = 68, 0.62 at β = 100).
    Exact values: β_{1/2} = 73.58, E max w = 0.4585 at 68 and 0.6356 at 100 (see test_slow for the Monte
    Carlo check)."""
    law, n = UniformSphere(64), 10**6
    assert critical_beta(law, n) == pytest.approx(2.82, abs=0.01)
    bh = beta_half(law, n)
    assert 70 < bh < 80
    assert expected_max_weight(law, n, bh) == pytest.approx(0.5, abs=1e-9)
    assert 0.40 < expected_max_weight(law, n, 68.0) < 0.5 < expected_max_weight(law, n, 100.0) < 0.7
    assert pre_asymptotic(law, n) and not pre_asymptotic(UniformSphere(3), n)
    assert n_effective(law, n, critical_beta(law, n)) < 0.5


def test_n_effective_tracks_lambda_power():
    law, n = UniformSphere(5), 10**12
    for lam in (0.5, 1.0, 2.0):
        assert n_effective(law, n, lam * critical_beta(law, n)) == pytest.approx(lam ** -2.0, rel=1e-4)


def test_regime_names():
    law, n = UniformSphere(3), 1000
    assert regime(law, n, 1.0) == "subcritical"
    assert regime(law, n, critical_beta(law, n)) == "critical"
    assert regime(law, n, 1e6) == "supercritical"


def test_beta_half_small_n():
    assert beta_half(UniformSphere(3), 2) == 0.0
    assert beta_half(UniformSphere(3), 1) is None  # no β_1/2 exists for one key


def test_lln_inner_expansion():
    for d in (3, 16):
        b = 1e4
        # A_d(β) = 1 − (d−1)/(2β) + (d−1)(d−3)/(8β²) + O(β^{−3})
        assert inner_limit(d, b) == pytest.approx(1 - (d - 1) / (2 * b) + (d - 1) * (d - 3) / (8 * b * b), abs=1e-10)
    assert inner_limit(3, 2.0) == pytest.approx(1 / math.tanh(2.0) - 0.5, rel=1e-12)  # Langevin function


def test_variances_against_float_formula_and_exact_tangent():
    d, n, beta = 4, 20000, 30.0
    # radial bracket in float64 at moderate β (no cancellation yet) agrees with the mpmath one
    from attnlimits.theory import mean_resultant

    a, a2 = mean_resultant(d, beta), mean_resultant(d, 2 * beta)
    bracket = 1 - (d - 1) * a2 / (2 * beta) - 2 * a * a2 + a * a
    from attnlimits.theory import log_mgf

    ratio = math.exp(log_mgf(d, 2 * beta) - 2 * log_mgf(d, beta))
    assert radial_variance_limit(d, n, beta) == pytest.approx(ratio * bracket / n, rel=1e-8)
    # E|P⊥O|² exact at finite n vs the CLT's (d−1)σ⊥²: the relative gap is a 1/n correction
    gaps = [abs(expected_tangent_sq(UniformSphere(d), m, beta) / ((d - 1) * tangent_variance_limit(d, m, beta)) - 1)
            for m in (n, 100 * n)]
    assert gaps[0] < 1e-2 and gaps[1] < gaps[0] / 30, gaps
    # large β: the radial variance is positive and ~ (d−1)/(2β²)·M(2β)/(M(β)² n) (no float64 noise)
    big = radial_variance_limit(d, n, 1e8)
    assert big > 0 and math.isfinite(big)


def test_heat_drift_and_growth():
    x = np.array([0.0, 0.0, 1.0])
    grad = np.array([1.0, 2.0, 5.0])
    np.testing.assert_allclose(heat_drift(x, grad, 10.0), [0.1, 0.2, 0.0])
    assert harmonic_growth(2, 3, 10, 100.0) == pytest.approx(math.exp(0.6))
    assert harmonic_growth(2, 3, 10, 100.0, exact_steps=True) == pytest.approx(1.06 ** 10)
