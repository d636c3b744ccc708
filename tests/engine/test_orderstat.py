"""The order-statistics sampler: agreement in law with the exact engine, exact finite-n theory at n up to
1e18, the tail bound checked by coupling with an exact sample, far-tail quantiles against mpmath, bad input."""

import math

import numpy as np
import pytest
from scipy import stats

from attnlimits import Empirical, Subsphere, UniformSphere, VonMisesFisher, simulate
from attnlimits._rng import as_seed_sequence
from attnlimits._validation import InputError
from attnlimits.engine import attend_orderstat, choose_method
from attnlimits.engine._nearest import far_keys

COMPARED = ("max_weight", "ipr", "defect", "tangent_sq")


def _agree(a, b, stats_to_compare=COMPARED):
    for stat in stats_to_compare:
        x, y = a.values[stat], b.values[stat]
        z = (x.mean() - y.mean()) / math.hypot(getattr(a, stat).se, getattr(b, stat).se)
        assert abs(z) < 4, f"{stat}: orderstat {x.mean():.6g} vs exact {y.mean():.6g} (z = {z:.2f})"
    for stat in ("max_weight", "ipr"):
        p = stats.ks_2samp(a.values[stat], b.values[stat]).pvalue
        assert p > 1e-3, f"{stat}: two-sample KS p = {p:.2g}"


GRID = [(n, lam, d) for n in (1000, 100_000) for lam in (0.1, 1.0, 10.0) for d in (2, 3, 8)]


@pytest.mark.parametrize("n,lam,d", GRID, ids=lambda v: f"{v:g}")
def test_agrees_with_exact_engine(n, lam, d):
    samples = 300 if n <= 1000 else 80
    law = UniformSphere(d)
    a = simulate(law, n, lam=lam, samples=samples, seed=101, method="orderstat")
    b = simulate(law, n, lam=lam, samples=samples, seed=202, method="exact")
    assert a.method == "orderstat" and b.method == "exact"
    _agree(a, b)


@pytest.mark.slow
@pytest.mark.parametrize("lam,d", [(lam, d) for lam in (0.1, 1.0, 10.0) for d in (2, 3, 8)])
def test_agrees_with_exact_engine_at_1e7(lam, d):
    law = UniformSphere(d)
    a = simulate(law, 10**7, lam=lam, samples=100, seed=303, method="orderstat")
    b = simulate(law, 10**7, lam=lam, samples=100, seed=404, method="exact", output=True)
    _agree(a, b)


@pytest.mark.parametrize("law", [Subsphere(6, 3), UniformSphere(5)], ids=repr)
def test_other_laws_agree_with_exact_engine(law):
    a = simulate(law, 3000, lam=1.0, samples=300, seed=5, method="orderstat")
    b = simulate(law, 3000, lam=1.0, samples=300, seed=6, method="exact")
    _agree(a, b)


@pytest.mark.parametrize("n", [10**8, 10**12, 10**18])
@pytest.mark.parametrize("d", [2, 3, 5])
def test_large_n_matches_exact_finite_n_theory(n, d):
    from attnlimits import theory

    law = UniformSphere(d)
    res = simulate(law, n, lam=1.0, samples=400, seed=7, method="orderstat", output=False)
    for stat in res.values:
        assert np.all(np.isfinite(res.values[stat])), stat
    beta = res.beta
    for stat, truth in (("ipr", theory.expected_ipr(law, n, beta)), ("defect", theory.expected_defect(law, n, beta)),
                        ("max_weight", theory.expected_max_weight(law, n, beta))):
        z = (getattr(res, stat).mean - truth) / getattr(res, stat).se
        assert abs(z) < 4, f"{stat}: {getattr(res, stat).mean:.6g} vs exact {truth:.6g} (z = {z:.2f})"


@pytest.mark.parametrize("n", [10**12, 10**18])
def test_large_n_is_finite_and_resolved(n):
    for law in (UniformSphere(2), UniformSphere(3), UniformSphere(8), UniformSphere(64), Subsphere(16, 3),
                VonMisesFisher(4, 10.0)):
        d = law.local_exponent * 2 + 1
        res = simulate(law, n, lam=1.0, samples=20, seed=8, method="orderstat")
        for stat, v in res.values.items():
            assert np.all(np.isfinite(v)), (d, stat)
        assert np.all(res.values["nearest_distance"] > 0)
        assert np.all((res.values["max_weight"] > 0) & (res.values["max_weight"] <= 1))
        assert np.all(res.values["ipr"] <= res.values["max_weight"] * (1 + 1e-12))
        if d <= 3:  # past the pre-asymptotic range the tail share reaches the tolerance
            assert np.all(res.values["tail_error_bound"] <= 1e-6)


@pytest.mark.parametrize("d,lam", [(3, 1.0), (2, 0.3), (8, 2.0)])
def test_tail_bound_by_coupling(d, lam):
    """One exact sample of n distances, sorted: keep its m smallest, and compare the surrogate's tail sums
    (conditional mean and covariance, Bernstein bound) with the sample's actual tail sums."""
    law, n = UniformSphere(d), 200_000
    beta = lam * law.critical_beta(n)
    rng = np.random.default_rng(12)
    zs = []
    for rep in range(30):
        dist = np.sort(law.draw(rng, n).distances)
        for m in (16, 64, 256):
            near = dist[:m]
            e_all = np.exp(-beta * (dist - dist[0]))
            s_top, t_actual = e_all[:m].sum(), e_all[m:].sum()
            mom, t_hi = far_keys(law, n, beta, near, float(np.log(law.distance_sf(near[-1]))))
            assert t_actual <= t_hi
            far = n - m
            mean, sd = far * mom.mean[0], math.sqrt(far * mom.covariance[0, 0])
            if m == 16:  # one standardised tail sum per independent replicate
                zs.append((t_actual - mean) / sd)
            # A surrogate draw (mean + Gaussian, clipped at 0): every near weight moves by at most the bound.
            t_sur = max(mean + sd * rng.standard_normal(), 0.0)
            worst = max(t_hi, t_sur)
            bound = worst / (s_top + worst)
            w_act = e_all[:m] / (s_top + t_actual)
            w_sur = e_all[:m] / (s_top + t_sur)
            assert np.max(np.abs(w_act - w_sur)) <= bound
            assert t_actual / (s_top + t_actual) <= bound
            # the tail's Σ e² and Σ e·(D − D_(1)): within 8 SD of their conditional means (the absolute
            # 1e−15 allows for moments that underflow, next to near sums Σ e² ≥ 1 and Σ e ≥ 1)
            r = dist[m:] - dist[0]
            for idx, actual in ((1, (e_all[m:] ** 2).sum()), (2, (e_all[m:] * r).sum())):
                sd_i = math.sqrt(max(far * mom.covariance[idx, idx], 0.0))
                assert abs(actual - far * mom.mean[idx]) <= 8 * sd_i + 1e-15
    zs = np.array(zs)
    # the standardised actual tail sums: mean 0 and spread 1
    assert abs(zs.mean()) < 4 * zs.std(ddof=1) / math.sqrt(zs.size)
    assert 0.6 < zs.std(ddof=1) < 1.5


def test_tail_moments_at_beta_zero_are_exact():
    law = UniformSphere(4)
    near = np.sort(law.draw(np.random.default_rng(0), 100).distances)[:10]
    mom, t_hi = far_keys(law, 1000, 0.0, near, float(np.log(law.distance_sf(near[-1]))))
    assert mom.mean[0] == pytest.approx(1.0, rel=1e-12) and mom.mean[1] == pytest.approx(1.0, rel=1e-12)
    assert abs(mom.covariance[0, 0]) < 1e-12
    res = simulate(law, 1000, beta=0.0, samples=5, seed=1, method="orderstat")
    np.testing.assert_allclose(res.values["max_weight"], 1e-3, rtol=1e-10)


def test_invariants_and_small_n():
    law = UniformSphere(3)
    one = attend_orderstat(law, 1, 5.0, as_seed_sequence(0))
    assert one["max_weight"] == 1.0 and one["ipr"] == 1.0 and one["entropy"] == 0.0 and one["tail_error_bound"] == 0.0
    assert one["output_gap_sq"] == 0.0
    res = simulate(law, 4, beta=2.0, samples=10, seed=2, method="orderstat", k=10)
    assert res.top_weights.shape == (10, 10) and np.all(res.top_weights[:, 4:] == 0)
    np.testing.assert_allclose(res.top_weights.sum(axis=1), 1.0, rtol=1e-12)
    s = attend_orderstat(law, 10**9, 3e8, as_seed_sequence(3))
    assert s["top_weights"][0] == s["max_weight"] and np.all(np.diff(s["top_weights"]) <= 0)
    assert s["top_weights"].sum() <= 1 + 1e-12


def test_workers_and_reruns_give_identical_results():
    law = UniformSphere(5)
    a = simulate(law, 10**10, lam=1.0, samples=40, seed=9, method="orderstat", workers=1)
    b = simulate(law, 10**10, lam=1.0, samples=40, seed=9, method="orderstat", workers=2)
    for stat in a.values:
        np.testing.assert_array_equal(a.values[stat], b.values[stat])


def test_auto_picks_by_n_and_law():
    law = UniformSphere(3)
    assert simulate(law, 10**9, lam=1.0, samples=2, seed=1, method="auto").method == "orderstat"
    assert simulate(law, 100, lam=1.0, samples=2, seed=1, method="auto").method == "exact"
    assert choose_method(law, 10**9, "auto", backend="torch") == "exact"
    keys = np.random.default_rng(0).standard_normal((50, 3))
    assert simulate(Empirical(keys), 10**6, beta=1.0, samples=1, seed=1, method="auto", output=False).method == "exact"


@pytest.mark.parametrize("law", [Empirical(np.eye(3) + 0.1), VonMisesFisher(3, 2.0, 0.5)], ids=repr)
def test_law_without_cdf_is_an_input_error(law):
    with pytest.raises(InputError, match="orderstat.*known distance CDF"):
        simulate(law, 1000, beta=1.0, samples=2, method="orderstat")
    with pytest.raises(InputError, match="known distance CDF"):
        attend_orderstat(law, 1000, 1.0, as_seed_sequence(0))


@pytest.mark.parametrize("kw", [{"tail_tol": 0.0}, {"tail_tol": 1.0}, {"tail_tol": float("nan")},
                                {"method": "fast"}])
def test_bad_input(kw):
    with pytest.raises(InputError):
        simulate(UniformSphere(3), 1000, beta=1.0, samples=2, **kw)


def _mp_ppf(a, log_p):
    import mpmath

    mpmath.mp.dps = 50
    a = mpmath.mpf(a)
    lp = mpmath.mpf(log_p)
    g = lambda ly: mpmath.log(mpmath.betainc(a, a, 0, mpmath.exp(ly), regularized=True)) - lp  # noqa: E731
    return 2 * mpmath.exp(mpmath.findroot(g, (lp + mpmath.log(a * mpmath.beta(a, a))) / a))


@pytest.mark.parametrize("d", [2, 4, 5, 8, 64])
def test_distance_ppf_against_mpmath(d):
    law = UniformSphere(d)
    a = law.local_exponent
    log_p = np.log([1e-300, 1e-200, 1e-100, 1e-36, 1e-18, 1e-6, 1e-2, 0.3])
    got = law.distance_ppf(np.exp(log_p))
    for lp, x in zip(log_p, got):
        exact = _mp_ppf(a, lp)
        if exact < 1e-300:  # not a normal float64 (d = 2 below p ≈ 1e−150)
            continue
        # x is conditioned in log p with factor 1/α: allow that many ulps of |log p|
        tol = 4e-15 * max(1.0, abs(lp) / a)
        assert abs(x / float(exact) - 1) <= tol, (lp, x, float(exact))
    # the upper side from log(1 − p), without cancellation
    q = np.array([1e-12, 1e-30])
    upper = law.distance_ppf_log(np.log1p(-q), np.log(q))
    for qq, x in zip(q, upper):
        assert 2 - x == pytest.approx(float(_mp_ppf(a, math.log(qq))), rel=1e-9)


def _mp_vmf_cdf(d, kappa, theta):
    import mpmath

    mpmath.mp.dps = 40
    dens = lambda t: mpmath.exp(-2 * kappa * mpmath.sin(t / 2) ** 2) * mpmath.sin(t) ** (d - 2)  # noqa: E731
    # scaled to [0, 1] (tanh-sinh on a tiny raw interval loses digits); the normaliser on 60 panels
    part = theta * mpmath.quad(lambda u: dens(theta * u), [0, 1], method="gauss-legendre")
    return part / mpmath.quad(dens, mpmath.linspace(0, mpmath.pi, 60))


@pytest.mark.parametrize("d,kappa", [(2, 3.0), (3, 5.0), (8, 50.0)])
def test_vmf_distance_ppf_against_mpmath(d, kappa):
    import mpmath

    law = VonMisesFisher(d, kappa, 0.0)
    p = np.array([1e-300, 1e-40, 1e-12, 1e-3, 0.3, 0.8])
    t = law.distance_ppf(p)
    for pp, tt in zip(p, t):
        if tt < 1e-290:
            continue
        theta = 2 * mpmath.asin(mpmath.sqrt(mpmath.mpf(tt) / 2))
        assert float(_mp_vmf_cdf(d, kappa, theta)) / pp == pytest.approx(1.0, rel=1e-12 * d)


def test_vmf_agrees_with_exact_engine():
    law = VonMisesFisher(3, 5.0, 0.0)
    a = simulate(law, 5000, lam=1.0, samples=300, seed=11, method="orderstat")
    b = simulate(law, 5000, lam=1.0, samples=300, seed=12, method="exact")
    _agree(a, b)


def _poisson_kingman_d3():
    """E[IPR] and E[Σ W_k η_k] of the critical limit (:ref:`theory-limit-laws`) for α = 1, λ = 1, where
    E e^{−uT} = exp(−Ein(u)), Ein(u) = γ + log u + E1(u)."""
    from scipy import integrate, special

    def laplace(u):
        return np.exp(-(np.euler_gamma + np.log(u) + special.exp1(u)))

    def ipr(u):
        return laplace(u) * (-np.expm1(-u) - u * np.exp(-u)) / u

    def defect(u):
        inner = integrate.quad(lambda x: x * np.exp(-x - u * np.exp(-x)), 0.0, 80.0 + np.log1p(u), limit=200)[0]
        return laplace(u) * inner

    cuts = [0.0, 1.0, 10.0, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8]
    pieces = list(zip(cuts[:-1], cuts[1:]))
    return (sum(integrate.quad(ipr, a, b, limit=200)[0] for a, b in pieces + [(1e8, np.inf)]),
            sum(integrate.quad(defect, a, b, limit=200)[0] for a, b in pieces))


def test_n_1e18_matches_the_poisson_kingman_limit():
    """At n = 1e18, d = 3, λ = 1 the finite-n corrections are O(1/n): the critical limit law is the truth."""
    ipr, defect = _poisson_kingman_d3()
    res = simulate(UniformSphere(3), 10**18, lam=1.0, samples=4000, seed=21, method="orderstat", output=False)
    for stat, truth in (("ipr", ipr), ("defect", defect)):
        z = (getattr(res, stat).mean - truth) / getattr(res, stat).se
        assert abs(z) < 4, f"{stat}: {getattr(res, stat).mean:.6g} vs Poisson–Kingman {truth:.6g} (z = {z:.2f})"
