"""The one nearest-keys engine: one cap for both users, the cap warning with its numbers, the growth loop, the
far-key quadrature (vectorised = scalar, against mpmath)."""

import re
import warnings

import numpy as np
import pytest

from attnlimits import UniformSphere, simulate
from attnlimits._rng import as_seed_sequence
from attnlimits.engine import _nearest, _nearest_sample, _orderstat
from attnlimits.engine._nearest import MAX_NEAREST, TailToleranceWarning, nearest_keys
from attnlimits.engine._nearest_sample import nearest_sample
from attnlimits.engine._orderstat import attend_orderstat
from attnlimits.engine._tail import tail_moments, tail_sums

_MESSAGE = re.compile(r"orderstat stopped at the cap of (\d+) nearest keys with tail_error_bound (\S+) > "
                      r"tail_tol (\S+) \((.*)\): raise tail_tol \(--tail-tol\) or use method='exact'")


def test_one_cap_serves_both_paths():
    assert _orderstat.MAX_NEAREST is _nearest.MAX_NEAREST == MAX_NEAREST == 1 << 14
    assert _nearest_sample.MAX_NEAREST is MAX_NEAREST
    law, n = UniformSphere(64), 10**12  # far past the pre-asymptotic range: every m is too few
    with pytest.warns(TailToleranceWarning):
        one = attend_orderstat(law, n, law.critical_beta(n), as_seed_sequence(0), output=False)
    assert one["nearest_count"] == MAX_NEAREST
    with pytest.warns(TailToleranceWarning):
        sample = nearest_sample(law, n, 2, 0, law.critical_beta(n))
    assert sample.gaps.shape == (2, MAX_NEAREST)


def test_cap_warning_carries_the_numbers():
    law, n = UniformSphere(64), 10**12
    beta = law.critical_beta(n)
    with pytest.warns(TailToleranceWarning) as record:
        s = attend_orderstat(law, n, beta, as_seed_sequence(1), output=False, tail_tol=1e-8)
    assert len(record) == 1 and issubclass(record[0].category, RuntimeWarning)
    cap, bound, tol, where = _MESSAGE.fullmatch(str(record[0].message)).groups()
    assert int(cap) == MAX_NEAREST and float(tol) == 1e-8
    assert float(bound) == pytest.approx(s["tail_error_bound"], rel=1e-2) and s["tail_error_bound"] > 1e-8
    assert where == f"n={n}, beta={beta:.6g}"


def test_nearest_sample_warns_once_with_the_count():
    law, n = UniformSphere(64), 10**12
    with pytest.warns(TailToleranceWarning) as record:
        nearest_sample(law, n, 3, 4, law.critical_beta(n))
    assert len(record) == 1
    cap, bound, tol, where = _MESSAGE.fullmatch(str(record[0].message)).groups()
    assert int(cap) == MAX_NEAREST and float(tol) == 1e-6 and float(bound) > 1e-6
    assert where.startswith("3 of 3 replicates, n=1000000000000")


def test_simulate_warns_once_per_run_with_the_count_and_the_largest_bound():
    """simulate gathers the replicates' cap warnings into one, with the count and the largest bound."""
    law, n = UniformSphere(64), 10**12
    with pytest.warns(TailToleranceWarning) as record:
        res = simulate(law, n, lam=1.0, samples=3, seed=4, method="orderstat", output=False)
    assert len(record) == 1 and record[0].filename == __file__
    cap, bound, tol, where = _MESSAGE.fullmatch(str(record[0].message)).groups()
    bounds = res.values["tail_error_bound"]
    assert int(cap) == MAX_NEAREST and float(tol) == 1e-6 and np.all(bounds > 1e-6)
    assert float(bound) == pytest.approx(bounds.max(), rel=1e-2)
    assert where == f"3 of 3 replicates, n={n}, beta={res.beta:.6g}"


def test_simulate_is_silent_when_no_replicate_reaches_the_cap():
    law, n = UniformSphere(3), 10**12
    with warnings.catch_warnings():
        warnings.simplefilter("error", TailToleranceWarning)
        res = simulate(law, n, lam=1.0, samples=3, seed=4, method="orderstat", output=False)
    assert np.all(res.values["tail_error_bound"] <= 1e-6)


@pytest.mark.parametrize("kw", [{"n": 10**18, "d": 3}, {"n": 100, "d": 64}, {"n": 10**8, "d": 5, "tail_tol": 0.1}])
def test_no_warning_within_the_tolerance_or_without_far_keys(kw):
    """Converged (d = 3), no far keys (m = n = 100), or at the cap with the bound below a loose tolerance."""
    law, n = UniformSphere(kw["d"]), kw["n"]
    tol = kw.get("tail_tol", 1e-6)
    with warnings.catch_warnings():
        warnings.simplefilter("error", TailToleranceWarning)
        s = attend_orderstat(law, n, law.critical_beta(n), as_seed_sequence(2), output=False, tail_tol=tol,
                             max_nearest=64 if "tail_tol" in kw else MAX_NEAREST)
    assert s["tail_error_bound"] <= tol


def test_loop_meets_the_tolerance_at_beta_lo():
    law, n = UniformSphere(3), 10**12
    beta = law.critical_beta(n) / 3
    near = nearest_keys(law, n, beta, np.random.default_rng(5))
    assert near.m < MAX_NEAREST and near.t_hi <= 1e-6 * near.near_sum
    assert np.all(np.diff(near.dist) >= 0) and near.far == n - near.m


def test_vectorised_far_sums_equal_the_scalar_quadrature():
    law = UniformSphere(5)
    rng = np.random.default_rng(6)
    t = np.array([1e-9, 1e-3, 0.3, 1.2, 1.99])
    d1 = t * rng.uniform(0, 1, t.size)
    log_sf = np.log(law.distance_sf(t))
    for beta in (0.0, 0.7, 30.0, 1e9):
        f0, f1 = tail_sums(law, beta, t, d1, log_sf)
        for i in range(t.size):
            mom = tail_moments(law, beta, float(t[i]), float(d1[i]), float(log_sf[i]))
            assert f0[i] == pytest.approx(mom.mean[0], rel=1e-13, abs=1e-300)
            assert f1[i] == pytest.approx(mom.mean[2], rel=1e-13, abs=1e-300)


@pytest.mark.parametrize("d", [2, 3, 8])
@pytest.mark.parametrize("beta", [0.3, 2.0, 20.0])
def test_far_sums_against_mpmath(d, beta):
    """E[e^{−β(D − D_(1))} | D > t] to 1e−12 where e^{−x} has not decayed by D = 2 (the Gauss–Laguerre rule it
    replaced was off by 2–15% at β = 0.3, 2)."""
    import mpmath

    mpmath.mp.dps = 30
    law, t, d1 = UniformSphere(d), 0.5, 0.25
    lo = 2 * mpmath.asin(mpmath.sqrt(mpmath.mpf(t) / 2))
    dens = lambda th: mpmath.sin(th) ** (d - 2)  # noqa: E731
    num = mpmath.quad(lambda th: dens(th) * mpmath.exp(-beta * (2 * mpmath.sin(th / 2) ** 2 - d1)), [lo, mpmath.pi])
    exact = float(num / mpmath.quad(dens, [lo, mpmath.pi]))
    got = tail_sums(law, beta, np.array([t]), np.array([d1]), np.log(law.distance_sf(np.array([t]))))[0][0]
    assert got == pytest.approx(exact, rel=1e-12)


def test_far_sums_skip_only_rows_that_weigh_exactly_zero():
    """tail_sums leaves out the quadrature of rows with β(D_(m) − D_(1)) > 745.2: those sums are exactly 0.0, and
    every other row equals its own quadrature alone."""
    from attnlimits.engine._tail import tail_sums

    law = UniformSphere(3)
    beta = 1e5
    dmin = np.array([1e-3, 1e-3, 1e-3])
    t = np.array([1e-3 + 1e-4, 1e-3 + 1e-2, 1e-3 + 5e-3])  # β(t − D_(1)) = 10, 1000, 500
    log_sf = np.log1p(-t / 2.0)  # d = 3: F(t) = t/2
    s0, s1 = tail_sums(law, beta, t, dmin, log_sf)
    assert s0[1] == 0.0 and s1[1] == 0.0
    for i in (0, 2):
        a0, a1 = tail_sums(law, beta, t[i:i + 1], dmin[i:i + 1], log_sf[i:i + 1])
        assert (s0[i], s1[i]) == (a0[0], a1[0]) and s0[i] > 0.0
