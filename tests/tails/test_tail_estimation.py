"""Tail estimation on laws with known answers (:ref:`theory-scales`, :ref:`theory-extreme-value`)."""

import numpy as np
import pytest
from scipy import integrate

from attnlimits._validation import InputError
from attnlimits.laws import EstimatedLaw, Subsphere, UniformSphere, VonMisesFisher
from attnlimits.tails import (distances_to_query, estimate_from_scores, fit_local_power, n_key,
                              fit_peaks_over_threshold, tail_class)

LAWS = [UniformSphere(3), UniformSphere(5), Subsphere(16, 4), VonMisesFisher(5, 2.0), VonMisesFisher(4, 1.0, 1.0)]


@pytest.mark.parametrize("law", LAWS, ids=lambda law: f"{law.spec}-d{law.d}")
def test_alpha_recovered_within_interval(law):
    rng = np.random.default_rng(11)
    fit = fit_local_power(law.draw(rng, 20000).distances)
    lo, hi = fit.alpha_ci
    assert lo <= law.local_exponent <= hi
    assert hi - lo < 0.6 * law.local_exponent  # the interval says something
    _, blo, bhi = fit.beta_star(1e6)
    assert blo <= law.critical_beta(1e6) <= bhi


def test_equal_near_the_query_same_answer():
    """Two laws whose D agree below 0.5 and differ above give the same estimate (only the law near 0 matters)."""
    rng = np.random.default_rng(3)
    d_a = UniformSphere(5).draw(rng, 20000).distances
    d_b = np.where(d_a <= 0.5, d_a, 0.5 + 1.5 * ((d_a - 0.5) / 1.5) ** 3)
    assert np.mean(d_a) - np.mean(d_b) > 0.1  # really different far away
    fa, fb = fit_local_power(d_a), fit_local_power(d_b)
    assert fa.threshold <= 0.5
    assert (fa.alpha, fa.c, fa.k) == (fb.alpha, fb.c, fb.k)
    assert fa.alpha_ci[0] <= 2.0 <= fa.alpha_ci[1]


def test_hill_is_exact_for_a_pure_power_law():
    """d = 3: D/2 is uniform, F(t) = t/2 exactly — α = 1, c = 1/2."""
    d = UniformSphere(3).draw(np.random.default_rng(0), 50000).distances
    fit = fit_local_power(d)
    assert fit.alpha_ci[0] <= 1.0 <= fit.alpha_ci[1]
    assert abs(np.log(fit.c / 0.5)) < 5 * np.sqrt(1.0 / fit.k + (np.log(fit.threshold) * fit.alpha_se) ** 2)


def test_distances_to_query_avoid_cancellation():
    q = np.array([1.0, 0.0, 0.0])
    k = np.array([[1.0, 1e-9, 0.0], [0.0, 1.0, 0.0]])
    d = distances_to_query(k, q)
    np.testing.assert_allclose(d, [0.5e-18, 1.0], rtol=1e-6)


def test_gaussian_scores_are_gumbel():
    est = estimate_from_scores(np.random.default_rng(1).standard_normal(20000), seed=1)
    assert est.tail_class == "gumbel"
    assert est.xi_ci[0] < 0 < est.xi_ci[1]
    assert est.alpha is None and est.alpha_ci is None


def test_student_t3_is_frechet():
    est = estimate_from_scores(np.random.default_rng(2).standard_t(3, 20000), seed=2)
    assert est.tail_class == "frechet"
    assert est.xi_ci[0] <= 1 / 3 <= est.xi_ci[1]
    values = [b.value for b in est.beta_star.values()]
    assert values[-1] < values[0]  # heavy tails: β* falls with n


def test_bounded_scores_are_weibull_with_alpha():
    """s = 1 − D with D ~ Beta(2, 5): bounded by 1 with local exponent α = 2 (ξ = −1/2)."""
    s = 1.0 - np.random.default_rng(4).beta(2.0, 5.0, 20000)
    est = estimate_from_scores(s, seed=4)
    assert est.tail_class == "weibull"
    assert est.alpha_ci[0] <= 2.0 <= est.alpha_ci[1]
    known = estimate_from_scores(s, endpoint=1.0)
    assert known.tail_class == "weibull" and known.alpha_ci[0] <= 2.0 <= known.alpha_ci[1]
    values = [b.value for b in known.beta_star.values()]
    assert all(b > a for a, b in zip(values, values[1:]))
    assert all(lo <= value <= hi for value, lo, hi in known.beta_star.values())


def test_tail_class_rule():
    assert tail_class(-0.3, -0.1) == "weibull"
    assert tail_class(-0.1, 0.1) == "gumbel"
    assert tail_class(0.1, 0.4) == "frechet"


@pytest.mark.slow  # two full bootstraps: ~11 s
def test_bootstrap_is_reproducible():
    s = np.random.default_rng(5).standard_normal(5000)
    a, b = fit_peaks_over_threshold(s, seed=7), fit_peaks_over_threshold(s, seed=7)
    assert a.xi_ci == b.xi_ci


def test_estimated_law_is_a_distribution():
    d = UniformSphere(5).draw(np.random.default_rng(6), 20000).distances
    law = EstimatedLaw(fit_local_power(d), d, 5)
    t0 = law._t[0]
    below = law.distance_cdf(t0 * (1 - 1e-12))
    assert abs(below - law.distance_cdf(t0)) < 1e-9  # continuous at the threshold
    grid = np.linspace(0, 2, 501)
    assert np.all(np.diff(law.distance_cdf(grid)) >= 0) and law.distance_cdf(2.0) == 1.0
    total = integrate.quad(lambda x: np.exp(law.distance_logpdf(x)), 0, t0, limit=200)[0]
    mids = 0.5 * (law._t[1:] + law._t[:-1])  # the body's density is constant between knots
    total += float(np.sum(np.exp(law.distance_logpdf(mids)) * np.diff(law._t)))
    assert abs(total - 1.0) < 1e-3
    # the body is the data's: the empirical CDF at its quartiles
    for p in (0.25, 0.5, 0.75):
        assert abs(law.distance_cdf(np.quantile(d, p)) - p) < 0.01
    draws = law.draw(np.random.default_rng(0), 20000).distances
    assert abs(np.mean(draws <= np.quantile(d, 0.5)) - 0.5) < 5 * 0.5 / np.sqrt(20000)


@pytest.mark.parametrize("bad", [[np.nan] * 500, [-1.0] + [0.5] * 500, [0.3] * 50])
def test_bad_distances_one_line(bad):
    with pytest.raises(InputError) as err:
        fit_local_power(np.array(bad))
    assert "\n" not in str(err.value)


def test_scores_above_endpoint_refused():
    with pytest.raises(InputError, match="endpoint"):
        estimate_from_scores(np.linspace(0, 2, 1000), endpoint=1.0)


@pytest.mark.slow
@pytest.mark.parametrize("law", [UniformSphere(3), UniformSphere(5), UniformSphere(8), Subsphere(16, 4), VonMisesFisher(5, 2.0)],
                         ids=lambda law: f"{law.spec}-d{law.d}")
def test_interval_coverage(law):
    """95% intervals for α cover the truth in ≥ 90% of 100 independent samples of 20000 keys."""
    rng = np.random.default_rng(2024)
    hits = 0
    for _ in range(100):
        fit = fit_local_power(law.draw(rng, 20000).distances)
        hits += fit.alpha_ci[0] <= law.local_exponent <= fit.alpha_ci[1]
    assert hits >= 90


def test_beta_star_keys_are_exact():
    assert [n_key(n) for n in (1000, 10**9, 2048, 131072, 512)] == ["1e3", "1e9", "2048", "131072", "512"]
    d = UniformSphere(3).draw(np.random.default_rng(0), 5000).distances
    est = estimate_from_scores(1.0 - d, endpoint=1.0)
    assert list(est.beta_star) == [10**e for e in range(3, 10)]
    assert list(est.to_dict()["beta_star"]) == ["1e3", "1e4", "1e5", "1e6", "1e7", "1e8", "1e9"]


def test_beta_star_is_keyed_by_n_with_records():
    d = UniformSphere(3).draw(np.random.default_rng(0), 5000).distances
    est = estimate_from_scores(1.0 - d, endpoint=1.0, ns=[4096, 10**6])
    b = est.beta_star[10**6]
    assert b.lo <= b.value <= b.hi and tuple(b) == (b.value, b.lo, b.hi)
    assert est.to_dict()["beta_star"] == {"4096": est.beta_star[4096]._asdict(), "1e6": b._asdict()}
    assert b[0] == b.value
    with pytest.raises(KeyError):
        est.beta_star["1e6"]  # keyed by the int n; strings are the JSON form only
