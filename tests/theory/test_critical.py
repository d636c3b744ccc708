"""The Poisson–Kingman limit (:ref:`theory-limit-laws`): the d = 3 closed form, convergence of the exact finite-n values,
and the sampler against the quadratures."""

import numpy as np
import pytest
from scipy import integrate, special

from attnlimits.laws import UniformSphere
from attnlimits.theory import PoissonKingman, critical_beta, expected_ipr, expected_max_weight, ipr_subcritical_limit


def _laplace_ipr_d3(lam):
    """E Σ W² for α = 1 from the closed form ∫(1 − e^{−u e^{−x}})dx = E1(u) + ln u + γ (:ref:`theory-limit-laws`)."""
    q = lambda s: (special.exp1(np.exp(s)) + s + np.euler_gamma) / lam
    k2 = lambda s: _k2(s, lam)
    hi = 60.0 * lam + 60.0
    return integrate.quad(lambda s: np.exp(-q(s)) * k2(s), -80, hi, epsabs=0, epsrel=1e-12, limit=1000, points=[0.0])[0]


def _k2(s, lam):
    # ∫_0^∞ e^{2(s−x) − e^{s−x}} dx / λ = (1 − (1 + e^s) e^{−e^s}) / λ  (γ(2, e^s)/λ)
    u = np.exp(s)
    return special.gammainc(2.0, u) / lam


@pytest.mark.parametrize("lam", [0.5, 1.0, 2.0, 4.0])
def test_d3_closed_form(lam):
    assert PoissonKingman(1.0, lam).ipr_limit() == pytest.approx(_laplace_ipr_d3(lam), rel=1e-6)


def test_laplace_exponent_closed_form_and_quadrature_agree():
    pk = PoissonKingman(1.0, 1.5)
    u = np.array([1e-3, 1.0, 1e4])
    closed = (special.exp1(u) + np.log(u) + np.euler_gamma) / 1.5
    np.testing.assert_allclose(pk.laplace_exponent(u), closed, rtol=1e-9)


@pytest.mark.parametrize("d", [3, 5])
@pytest.mark.parametrize("lam", [0.5, 1.0, 2.0, 4.0])
def test_exact_finite_n_converges_to_the_limit(d, lam):
    law = UniformSphere(d)
    limit = PoissonKingman(law.local_exponent, lam).ipr_limit()
    gaps = [abs(expected_ipr(law, n, lam * critical_beta(law, n)) - limit) for n in (10**2, 10**4, 10**8, 10**12)]
    assert all(b <= a * 1.0001 + 1e-9 for a, b in zip(gaps, gaps[1:])), gaps
    # corrections are O(1/β*_n) = O(n^{-1/α}): 1e-12 (d = 3) and 1e-6 (d = 5) at n = 1e12
    assert gaps[-1] < (1e-6 if d == 3 else 1e-4), gaps


@pytest.mark.parametrize("alpha, lam", [(1.0, 1.0), (0.5, 2.0), (2.0, 0.7)])
def test_sampler_matches_quadratures(alpha, lam):
    pk = PoissonKingman(alpha, lam)
    w = pk.sample(np.random.default_rng(11), 20000, m=400)
    ipr, w1 = (w * w).sum(axis=1), w[:, 0]
    se_ipr, se_w1 = ipr.std(ddof=1) / np.sqrt(ipr.size), w1.std(ddof=1) / np.sqrt(w1.size)
    assert abs(ipr.mean() - pk.ipr_limit()) < 5 * se_ipr
    assert abs(w1.mean() - pk.max_weight_limit()) < 5 * se_w1
    assert np.all(np.diff(w, axis=1) <= 0)


def test_limit_max_weight_between_ipr_and_one():
    for lam in (0.3, 1.0, 3.0):
        pk = PoissonKingman(2.0, lam)
        assert pk.ipr_limit() < pk.max_weight_limit() < 1.0
        assert pk.max_weight_limit() + pk.one_minus_max_weight_limit() == pytest.approx(1.0, abs=1e-9)


@pytest.mark.parametrize("alpha", [0.5, 1.0, 2.0])
def test_ipr_asymptote_at_small_lambda(alpha):
    """E[IPR] ≈ 2^{−α} λ^α / Γ(α+1) as λ → 0: the ratio tends to one as λ shrinks (down to the 1e−6
    relative accuracy of the quadrature)."""
    ratios = [PoissonKingman(alpha, lam).ipr_limit() / ipr_subcritical_limit(alpha, lam) for lam in (1e-2, 1e-4, 1e-6)]
    errs = [abs(r - 1) for r in ratios]
    assert errs[1] < errs[0] < 0.1 and errs[2] < max(errs[1], 1e-6), ratios


def test_large_lambda_collapses():
    small = PoissonKingman(1.0, 64.0).one_minus_max_weight_limit()
    assert 0 < small < PoissonKingman(1.0, 8.0).one_minus_max_weight_limit() < 0.5


def test_finite_n_max_weight_converges():
    law = UniformSphere(3)
    lim = PoissonKingman(1.0, 1.0).max_weight_limit()
    assert expected_max_weight(law, 10**12, critical_beta(law, 10**12)) == pytest.approx(lim, abs=1e-6)
