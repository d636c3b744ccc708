"""``high-d-crossover``: the measured β_1/2 against the exact finite-n value, the effective-exponent prediction
and the asymptotic law; the (a)/(b)/(c) verdicts; the nested dense sampler and the Newton root it feeds."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import optimize

from attnlimits import UniformSphere
from attnlimits._rng import as_seed_sequence, generator
from attnlimits.claims._halfweight import BracketMiss, HalfWeightEstimate, beta_half_crn, nearest_sample
from attnlimits.claims.paper.high_d_crossover import _measure, _theory, crossover_cases
from attnlimits.engine._nearest_sample import nested_dense_samples


def _est(beta, log_se, n=1000):
    return HalfWeightEstimate(n, beta, beta * log_se, log_se, 1000, "dense", 0.45, 0.0, 0.0)


def test_nested_dense_rows_give_the_max_weight_of_the_first_n_keys():
    law, ns, seed, beta = UniformSphere(16), [50, 3000], 4, 12.0
    samples = nested_dense_samples(law, ns, 5, seed, [beta / 3, beta / 3])
    root = as_seed_sequence(seed)
    for j, n in enumerate(ns):
        direct = []
        for r in range(5):
            dist = law.draw(generator(root, r), max(ns)).distances[:n]
            direct.append(1.0 / np.exp(-beta * (dist - dist.min())).sum())
            assert samples[j].gaps[r, 0] == 0.0 and samples[j].d1[r] == dist.min()
        np.testing.assert_allclose(samples[j].max_weights(beta), direct, rtol=1e-5)  # float32 gaps


def test_newton_root_is_the_root_of_the_sample_mean():
    law, n = UniformSphere(64), 2000
    sample = nested_dense_samples(law, [n], 200, 9, [15.0])[0]
    est = beta_half_crn(sample, 150.0)
    g = lambda lb: sample.max_weights(math.exp(lb)).mean() - 0.5  # noqa: E731
    root = optimize.brentq(g, math.log(15.0), math.log(150.0), xtol=1e-12)
    assert abs(math.log(est.beta) - root) < 1e-6
    h = 1e-3  # the delta-method slope is dḡ/dlog β at the root
    assert est.slope == pytest.approx((g(root + h) - g(root - h)) / (2 * h), rel=1e-4)


def test_analytic_slope_includes_the_far_keys():
    law, n = UniformSphere(3), 10**9
    sample = nearest_sample(law, n, 50, 2, law.critical_beta(n) / 3)
    assert sample.far_count is not None
    beta, h = law.critical_beta(n), 1e-5
    _, dw = sample.max_weights_and_slopes(beta)
    fd = (sample.max_weights(beta * math.exp(h)) - sample.max_weights(beta * math.exp(-h))) / (2 * h)
    np.testing.assert_allclose(dw, fd, rtol=1e-5, atol=1e-12)


def test_a_bracket_that_misses_says_which_side():
    sample = nested_dense_samples(UniformSphere(16), [1000], 100, 1, [40.0])[0]
    with pytest.raises(BracketMiss) as low:
        beta_half_crn(sample, 120.0)
    assert low.value.side == "low"
    sample = nested_dense_samples(UniformSphere(16), [1000], 100, 1, [2.0])[0]
    with pytest.raises(BracketMiss) as high:
        beta_half_crn(sample, 6.0)
    assert high.value.side == "high"


def test_measured_beta_half_matches_exact_and_misses_the_asymptotic_law_at_d16():
    law, ns = UniformSphere(16), [100, 3000]
    theory = [_theory(law, n) for n in ns]
    ests = _measure(law, ns, 400, 11, [t["exact"] for t in theory])
    for n, est, th in zip(ns, ests, theory):
        cases = {c.case[:3]: c for c in crossover_cases(16, n, est, th, {})}
        assert set(cases) == {"(a)", "(b)", "(c)"}
        for c in cases.values():
            assert c.verdict == "pass", (c.case, c.reasons)
        assert cases["(c)"].bias == pytest.approx(abs(th["effective"] - th["exact"]))


def test_verdicts_reject_the_wrong_side():
    th = {"exact": 40.0, "effective": 42.0, "asymptotic": 100.0, "alpha_eff": 20.0}
    good = {c.case[:3]: c for c in crossover_cases(64, 1000, _est(40.2, 0.01), th, {})}
    assert all(c.verdict == "pass" for c in good.values())
    # a measurement at the asymptotic value: (a) must fail (no miss), (b) and (c) must fail
    at_asym = {c.case[:3]: c for c in crossover_cases(64, 1000, _est(100.0, 0.01), th, {})}
    assert all(c.verdict == "fail" for c in at_asym.values())
    # (c)'s allowance is 4 SE plus |effective − exact| = 2: 43.5 (1.5 from 42) passes, 46 (4 > 1.84 + 2) fails
    assert crossover_cases(64, 1000, _est(40.0 + 3.5, 0.01), th, {})[2].verdict == "pass"
    assert crossover_cases(64, 1000, _est(46.0, 0.01), th, {})[2].verdict == "fail"
    # (a) only at d = 16 and 64
    assert [c.case[:3] for c in crossover_cases(128, 1000, _est(40.2, 0.01), th, {})] == ["(b)", "(c)"]


def test_theory_values_are_computed_once_per_arguments(monkeypatch):
    from attnlimits import theory
    from attnlimits.claims import _theory
    from attnlimits.laws import KeyLaw

    calls = []
    monkeypatch.setattr(theory, "critical_beta", lambda law, n: calls.append((law.d, n)) or float(n))
    monkeypatch.setattr(_theory, "_CACHE", {})  # the stand-in's values stay out of the run's cache
    assert _theory.theory_value("critical_beta", UniformSphere(5), 7) == _theory.theory_value("critical_beta",
                                                                                           UniformSphere(5), 7)
    assert _theory.theory_value("critical_beta", UniformSphere(6), 7) == 7.0
    assert calls == [(5, 7), (6, 7)]

    class DataLaw(UniformSphere):  # a law known by its data: KeyLaw's cache_key, the object itself
        cache_key = KeyLaw.cache_key

    a, b = DataLaw(5), DataLaw(5)
    _theory.theory_value("critical_beta", a, 7), _theory.theory_value("critical_beta", b, 7)
    _theory.theory_value("critical_beta", a, 7)
    assert calls[2:] == [(5, 7), (5, 7)]
