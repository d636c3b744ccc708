"""The effective exponent of :ref:`theory-effective-exponent`: exact values where F is known in closed form, every smooth law, and the
refusal of a law known only by samples."""

import math

import numpy as np
import pytest
from scipy import special

from attnlimits._validation import InputError
from attnlimits.laws import Empirical, UniformSphere
from attnlimits.laws import EstimatedLaw
from attnlimits.tails import fit_local_power
from attnlimits.theory import effective_exponent


@pytest.mark.parametrize("n", [2, 1000, 10**12])
def test_d3_is_an_exact_power_law(n):
    e = effective_exponent(UniformSphere(3), n)  # F(t) = t/2
    assert e.t_n == pytest.approx(2.0 / n, rel=1e-13)
    assert e.alpha_eff == pytest.approx(1.0, rel=1e-12)
    assert e.critical_beta_eff == pytest.approx(n / 2.0, rel=1e-13)
    assert abs(e.curvature) < 1e-8


@pytest.mark.parametrize("d, n", [(16, 10**3), (64, 10**6), (1024, 10**9)])
def test_uniform_quantile_and_exponent_from_the_beta_law(d, n):
    """D/2 ~ Beta(a, a), a = (d−1)/2: F(t_n) = 1/n, and α_n = t f/F from the Beta density (scipy, in logs)."""
    e = effective_exponent(UniformSphere(d), n)
    a = (d - 1) / 2.0
    x = e.t_n / 2.0
    assert special.betainc(a, a, x) == pytest.approx(1.0 / n, rel=1e-9)
    log_pdf = (a - 1) * (math.log(x) + math.log1p(-x)) - special.betaln(a, a)
    assert e.alpha_eff == pytest.approx(math.exp(math.log(x) + log_pdf + math.log(n)), rel=1e-9)
    assert e.alpha_eff < a  # the density falls away from the query: log F is concave in log t
    assert e.curvature < 0


def test_exponent_tends_to_the_local_one():
    law = UniformSphere(16)
    alphas = [effective_exponent(law, n).alpha_eff for n in (10**3, 10**6, 10**12, 10**18)]
    assert all(b > a for a, b in zip(alphas, alphas[1:])) and 7.4 < alphas[-1] < 7.5


def test_spec_table_alpha_n():
    """:ref:`theory-effective-exponent`: α_n at n = 1e6 for d = 16, 64, 128, 256 is 7.2, 23.1, 37.9, 59.8."""
    got = [effective_exponent(UniformSphere(d), 10**6).alpha_eff for d in (16, 64, 128, 256)]
    np.testing.assert_allclose(got, [7.2, 23.1, 37.9, 59.8], atol=0.05)


def test_estimated_law_has_an_exponent():
    d = UniformSphere(5).draw(np.random.default_rng(6), 20000).distances
    law = EstimatedLaw(fit_local_power(d), d, 5)
    e = effective_exponent(law, 10**6)
    assert law.distance_cdf(e.t_n) == pytest.approx(1e-6, rel=1e-9)
    # deep in the fitted tail (t_n ≪ threshold) the exponent is the fitted one, up to the fitted curvature z·t/t_k
    assert abs(e.alpha_eff - law.local_exponent) <= 2 * abs(law.fit.z) * e.t_n / law.fit.threshold + 1e-9


def test_sample_law_has_no_exponent():
    keys = np.random.default_rng(0).standard_normal((100, 4))
    with pytest.raises(InputError, match="law"):
        effective_exponent(Empirical(keys), 1000)


def test_n_is_validated():
    with pytest.raises(InputError, match="n"):
        effective_exponent(UniformSphere(3), 1)


@pytest.mark.parametrize("d, n", [(16, 10**4), (1024, 10**6)])
def test_curvature_matches_the_beta_density(d, n):
    """κ_n = dα/d log t = α_n (1 + t (log f)'(t) − α_n), (log f)' = (a − 1)(1/t − 1/(2 − t)) for D/2 ~ Beta(a, a)."""
    e = effective_exponent(UniformSphere(d), n)
    a, t = (d - 1) / 2.0, e.t_n
    closed = e.alpha_eff * (1.0 + t * (a - 1.0) * (1.0 / t - 1.0 / (2.0 - t)) - e.alpha_eff)
    assert e.curvature == pytest.approx(closed, rel=1e-6)


@pytest.mark.parametrize("alpha, kappa, lam", [(6.308, -33.5, 5.08), (51.06, -2560.0, 50.17), (23.1, -10.5, 33.1)])
def test_curved_law_is_a_consistent_quadrature(alpha, kappa, lam):
    """E W_1 + E[1 − W_1] = 1 and E Σ W = 1, also where the curvature map's C¹ point lies among the nearest points."""
    from attnlimits.theory._pk_quadrature import LogMassMap, PoissonQuadrature

    r = PoissonQuadrature(LogMassMap(alpha, lam, kappa), powers=(2.0,)).integrate()
    assert r["max"] + r["one_minus_max"] == pytest.approx(1.0, abs=1e-9)
    assert r["norm"] == pytest.approx(1.0, abs=1e-9)
    assert 0 < r["power"][2.0] < r["max"] < 1
