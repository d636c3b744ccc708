"""The Poisson–Kingman law at every α in (0, 2047.5] and λ in [1e−6, 1e6] (:ref:`theory-limit-laws`), against a direct Monte
Carlo of W_k ∝ exp(−λ Γ_k^{1/α}) and its Poisson–Dirichlet limit as α → ∞ with λ/α = θ fixed (:ref:`theory-effective-exponent`)."""

import math

import numpy as np
import pytest
from scipy import integrate, special

from attnlimits.theory import PoissonKingman, ipr_limit, max_weight_limit
from attnlimits.theory._critical import dirichlet_ipr, dirichlet_max_weight, log_gamma_q


def _monte_carlo(alpha, lam, seed, size=20_000, m=400):
    """Direct draws of the first m points η_k = λΓ_k^{1/α}; the rest by the tail integral of the remaining mass,
    ∫_{η_m}^∞ e^{−x} dΛ(x), written out here with scipy's incomplete gamma in logs via mpmath-free asymptotics
    (PoissonKingman.sample does the same; this copy is independent of it)."""
    rng = np.random.default_rng(seed)
    gam = np.cumsum(rng.standard_exponential((size, m)), axis=1)
    log_eta = math.log(lam) + np.log(gam) / alpha
    eta = np.exp(log_eta)
    e = np.exp(-(eta - eta[:, :1]))
    # tail mass relative to e^{−η_1}: ∫_{η_m}^∞ e^{−(x−η_1)} α λ^{−α} x^{α−1} dx, by Gauss–Laguerre in y = x − η_m
    y, wy = special.roots_genlaguerre(60, 0.0)
    x = eta[:, -1:] + y[None, :]
    log_f = math.log(alpha) - alpha * math.log(lam) + (alpha - 1) * np.log(x) - (eta[:, -1:] - eta[:, :1])
    tail = np.exp(np.minimum(special.logsumexp(log_f, b=wy[None, :], axis=1), 700.0))
    w = e / (e.sum(axis=1) + tail)[:, None]
    return w[:, 0], (w * w).sum(axis=1)


@pytest.mark.parametrize("alpha, lam", [(63.5, 30.0), (200.0, 500.0), (2047.5, 2500.0), (0.5, 2.0)])
def test_quadrature_matches_direct_monte_carlo(alpha, lam):
    w1, ipr = _monte_carlo(alpha, lam, seed=int(alpha * 10 + lam))
    pk = PoissonKingman(alpha, lam)
    for draws, value in ((w1, pk.max_weight_limit()), (ipr, pk.ipr_limit())):
        se = draws.std(ddof=1) / math.sqrt(draws.size)
        assert abs(draws.mean() - value) < 4 * se + 1e-12, (draws.mean(), value, se)


def test_sampler_tail_in_logs_matches_the_monte_carlo_copy():
    w = PoissonKingman(2047.5, 2500.0).sample(np.random.default_rng(3), 4000, m=400)
    w1, _ = _monte_carlo(2047.5, 2500.0, seed=3, size=4000)
    np.testing.assert_allclose(w[:, 0], w1, rtol=1e-6)


def test_log_gamma_q_continues_past_underflow():
    x = np.array([3000.0, 5000.0, 20000.0])
    got = log_gamma_q(2047.5, x)
    # Γ(a, x) ~ x^{a−1} e^{−x} / (1 − (a−1)/x) to first order for x ≫ a
    approx = -x + (2046.5) * np.log(x) - np.log1p(-2046.5 / x) - special.gammaln(2047.5)
    np.testing.assert_allclose(got[1:], approx[1:], rtol=1e-4)
    assert np.all(np.isfinite(got))


@pytest.mark.parametrize("alpha, lams", [(63.5, [1e-3, 1e-2, 0.1, 30.0, 100.0, 1e4]), (200.0, [1e-3, 150.0, 1e4])])
def test_in_range_and_monotone_in_lambda(alpha, lams):
    """The failures the issue lists (nan at (63.5, 1e−3), not monotone, an exception at (200, 1e−3)) are gone."""
    w1 = [max_weight_limit(alpha, lam) for lam in lams]
    ipr = [ipr_limit(alpha, lam) for lam in lams]
    for seq in (w1, ipr):
        assert all(0.0 <= v <= 1.0 for v in seq), seq
        assert all(b >= a for a, b in zip(seq, seq[1:])), seq
    assert w1[-1] > 0.95 and ipr[-1] > 0.9  # λ = 1e4 ≫ α: nearly one point takes the mass


@pytest.mark.slow
@pytest.mark.parametrize("alpha", [0.5, 1.0, 7.5, 31.5, 127.5, 511.5, 2047.5])
def test_grid_in_range_and_monotone(alpha):
    lams = np.geomspace(1e-6, 1e6, 25)
    pks = [PoissonKingman(alpha, lam) for lam in lams]
    w1 = [pk.max_weight_limit() for pk in pks]
    om = [pk.one_minus_max_weight_limit() for pk in pks]
    ipr = [pk.ipr_limit() for pk in pks]
    for seq in (w1, ipr):
        assert all(0.0 <= v <= 1.0 for v in seq), seq
        assert all(b >= a * (1 - 1e-9) for a, b in zip(seq, seq[1:])), seq
    assert all(b <= a * (1 + 1e-9) for a, b in zip(om, om[1:])), om
    assert all(ipr_v <= w1_v * (1 + 1e-9) for ipr_v, w1_v in zip(ipr, w1))  # Σ W² ≤ W_1 Σ W = W_1


def _pd_max_weight(theta):
    """E of the largest PD(a, 0) weight, a = 1/θ: ∫ e^{−z}/(z^a γ(1−a, z) + e^{−z}) dz (Palm formula, scipy)."""
    a = 1.0 / theta
    f = lambda z: math.exp(-z) / (z**a * special.gammainc(1 - a, z) * special.gamma(1 - a) + math.exp(-z))  # noqa: E731
    return integrate.quad(f, 0, np.inf, epsabs=0, epsrel=1e-12, limit=500)[0]


@pytest.mark.parametrize("theta", [1.5, 3.0, 10.0])
def test_poisson_dirichlet_limit(theta):
    assert dirichlet_max_weight(theta) == pytest.approx(_pd_max_weight(theta), rel=1e-9)
    assert dirichlet_ipr(theta) == pytest.approx(1.0 - 1.0 / theta, rel=1e-15)
    gaps_w = [abs(max_weight_limit(a, theta * a) - dirichlet_max_weight(theta)) for a in (20.0, 200.0, 2000.0)]
    gaps_i = [abs(ipr_limit(a, theta * a) - dirichlet_ipr(theta)) for a in (20.0, 200.0, 2000.0)]
    for gaps in (gaps_w, gaps_i):  # continuous convergence at rate 1/α
        assert gaps[2] < gaps[1] < gaps[0], gaps
        assert 5.0 < gaps[1] / gaps[2] < 20.0, gaps
        assert gaps[2] < 2e-3


@pytest.mark.parametrize("theta", [0.5, 1.0])
def test_weights_vanish_for_theta_at_most_one(theta):
    w1 = [max_weight_limit(a, theta * a) for a in (10.0, 100.0, 1000.0)]
    assert w1[2] < w1[1] < w1[0] and dirichlet_max_weight(theta) == 0.0 and dirichlet_ipr(theta) == 0.0
    if theta < 1.0:
        assert w1[2] < 1e-50


@pytest.mark.parametrize("lam", [1e-3, 1.5, 300.0])
def test_laplace_exponent_in_log_mass_coordinates(lam):
    """Q(s) of the log-mass quadrature at s = log u − λ is −log E e^{−uT}; for α = 1 that is (E1(u) + ln u + γ)/λ
    (u ≥ 1e−2: below, the closed form itself cancels in float64)."""
    from attnlimits.theory._pk_quadrature import LogMassMap, PoissonQuadrature

    quad = PoissonQuadrature(LogMassMap(1.0, lam), powers=())
    for u in (1e-2, 1.0, 1e4):
        closed = (special.exp1(u) + math.log(u) + np.euler_gamma) / lam
        assert quad.inner(math.log(u) - lam, want_max=False)["Q"] == pytest.approx(closed, rel=1e-9)
