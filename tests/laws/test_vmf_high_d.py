"""The distance law of vMF keys centred on the query at head dimensions up to 4096 (issue 12), against
independent mpmath evaluations, and the exact theory built on it."""

import math

import mpmath as mp
import numpy as np
import pytest

from attnlimits import VonMisesFisher
from attnlimits.theory import expected_max_weight

LOG_P = np.array([-1000.0, -700.0, -100.0, -20.0, -3.0, math.log(0.5)])


def _mp_log_cdf(d, kappa, t):
    """log F(t) by tanh-sinh in x = log s on breakpoints around the mode of s·f(s), normalised by the exact
    constant C = e^{κ}/(2^{2α−1} B(α, α) M(κ)), M(κ) = Γ(d/2)(2/κ)^ν I_ν(κ) (mpmath's Bessel function)."""
    with mp.workdps(25):
        a = mp.mpf(d - 1) / 2
        k = mp.mpf(kappa)
        nu = mp.mpf(d) / 2 - 1
        log_m = mp.loggamma(mp.mpf(d) / 2) + nu * mp.log(2 / k) + mp.log(mp.besseli(nu, k)) - k
        log_c = -log_m - (2 * a - 1) * mp.log(2) - mp.log(mp.beta(a, a))

        def g(x):
            s = mp.exp(x)
            return mp.exp(a * x - k * s + (a - 1) * mp.log(2 - s))

        slope = lambda x: a - k * mp.exp(x) - (a - 1) * mp.exp(x) / (2 - mp.exp(x))  # noqa: E731
        lo, hi = mp.mpf(-800), mp.mpf(0)
        for _ in range(200):  # the mode of s·f(s) in x = log s (the slope decreases in x)
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if slope(mid) > 0 else (lo, mid)
        width = 1 / mp.sqrt(k * mp.exp(lo) + 2 * (a - 1) * mp.exp(lo) / (2 - mp.exp(lo)) ** 2 + 1)
        x1 = mp.log(mp.mpf(float(t)))
        near = [x1 - j / (2 * a) for j in range(80, 0, -1)]  # e^{αx} below x1: scale 1/α
        pts = sorted(set([p for p in (lo + j * width for j in range(-60, 61)) if p < x1] + near))
        return float(log_c + mp.log(mp.quad(g, [-mp.inf] + pts + [x1])))


@pytest.mark.parametrize("d", [64, 1024, 4096])
def test_kappa_zero_is_the_uniform_beta_law(d):
    """κ = 0: F(t) = I_{t/2}(α, α) exactly (mpmath's regularised incomplete beta), on both sides."""
    law = VonMisesFisher(d, 0.0)
    a = (d - 1) / 2.0
    t = law.distance_ppf_log(LOG_P, np.log1p(-np.exp(LOG_P)))
    log_f, log_s = law._table().log_cdf_sf(t, 2.0 - t)
    with mp.workdps(30):
        ref = np.array([float(mp.log(mp.betainc(a, a, 0, mp.mpf(float(x)) / 2, regularized=True))) for x in t])
    np.testing.assert_allclose(log_f, ref, rtol=0, atol=1e-11)
    # upper side, given t̄ = 2 − t exactly: S(2 − t) = F(t) by symmetry
    np.testing.assert_allclose(law._table().log_cdf_sf(2.0 - t, t)[1], ref, rtol=0, atol=1e-11)


@pytest.mark.parametrize("d,kappa", [(64, 10.0), (4096, 1e3), (4096, 1e8),
                                     pytest.param(1024, 10.0, marks=pytest.mark.slow),
                                     pytest.param(1024, 1e3, marks=pytest.mark.slow),
                                     pytest.param(64, 1e8, marks=pytest.mark.slow)])
def test_log_cdf_matches_mpmath(d, kappa):
    """log F at quantiles from 1e−300 (and e^{−1000}) to the median: relative error of F ≤ 1e−10."""
    law = VonMisesFisher(d, kappa)
    lp = LOG_P[[0, 2, 4]]
    t = law.distance_ppf_log(lp, np.log1p(-np.exp(lp)))
    log_f = law._table().log_cdf_sf(t)[0]
    ref = np.array([_mp_log_cdf(d, kappa, x) for x in t])
    np.testing.assert_allclose(log_f, ref, rtol=0, atol=1e-10)


@pytest.mark.parametrize("d", [2, 3, 5, 64, 1024, 4096])
@pytest.mark.parametrize("kappa", [0.0, 10.0, 1e3, 1e8])
def test_monotone_normalised_and_inverted(d, kappa):
    """F increases; the quadrature total matches the analytic constant; F^{-1} inverts F on both sides."""
    law = VonMisesFisher(d, kappa)
    q = law._table()
    assert abs(q.log_total) < 1e-10
    lp = LOG_P[LOG_P >= -600.0 * (d - 1) / 2]  # F ≈ c t^α: quantiles of normal float64 size
    t = law.distance_ppf_log(lp, np.log1p(-np.exp(lp)))
    np.testing.assert_allclose(q.log_cdf_sf(t)[0], lp, rtol=1e-11, atol=1e-12)
    lq = lp[lp >= -700.0]  # upper side from log(1 − p) itself, down to 1 − p = e^{−700}
    tu = law.distance_ppf_log(np.log1p(-np.exp(lq)), lq)
    keep = tu < 2.0
    tu, lq = tu[keep], lq[keep]
    log_s = q.log_cdf_sf(tu)[1]
    # the rounding of D itself (one ulp, 4.4e−16 near D = 2) moves log S by f/S·ulp: the conditioning
    cond = np.exp(law.distance_logpdf(tu) - log_s) * 2.0 * np.spacing(tu)
    assert np.all(np.abs(log_s - lq) <= 1e-11 * np.abs(lq) + cond)
    grid = np.sort(np.concatenate([t, tu, np.linspace(1e-6, 2.0 - 1e-6, 200)]))
    log_f, log_s = q.log_cdf_sf(grid)
    assert np.all(np.diff(log_f) >= 0) and np.all(np.diff(log_s) <= 0)


@pytest.mark.parametrize("d", [1024, 4096])
def test_exact_theory_for_vmf_at_high_d(d):
    """E W_1 of n = 1e6 vMF(100) keys: finite, in [1/n, 1], non-decreasing in β (the box of issue 12)."""
    n = 10**6
    law = VonMisesFisher(d, 100.0)
    betas = [0.0, 1.0, 10.0, 100.0, 300.0, 1e3, 1e4, 1e6, 1e30]
    w = np.array([float(expected_max_weight(law, n, b)) for b in betas])
    assert np.all(np.isfinite(w))
    assert np.all((w >= 1.0 / n * (1 - 1e-9)) & (w <= 1.0 + 1e-12))
    assert np.all(np.diff(w) >= -1e-12)
    assert w[0] == pytest.approx(1.0 / n, rel=1e-9) and w[-1] == pytest.approx(1.0, abs=1e-9)
