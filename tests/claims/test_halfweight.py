"""β_1/2 by common random numbers: the root, its SE, and agreement with the exact finite-n β_1/2."""

from __future__ import annotations

import math

import numpy as np

from attnlimits import UniformSphere
from attnlimits.claims import Context, estimate_beta_half, nearest_block, nearest_sample, one_minus_max_weight
from attnlimits.claims._exponent import CRITICAL_EXPONENT, exponent_case
from attnlimits.theory import beta_half, expected_max_weight


def test_max_weight_is_increasing_in_beta_for_every_replicate():
    law = UniformSphere(3)
    s = nearest_sample(law, 10**6, 20, 1, law.critical_beta(10**6) / 10)
    betas = law.critical_beta(10**6) * np.array([0.1, 0.3, 1.0, 3.0, 10.0])
    w = np.array([s.max_weights(b) for b in betas])
    assert np.all(np.diff(w, axis=0) >= 0)
    assert np.all((w > 0) & (w <= 1))


def test_orderstat_sample_matches_dense_sample_in_law():
    law = UniformSphere(4)
    n = 20_000
    beta = law.critical_beta(n)
    a = nearest_sample(law, n, 400, 2, beta / 4, method="orderstat").max_weights(beta)
    b = nearest_sample(law, n, 400, 3, beta / 4, method="dense").max_weights(beta)
    se = math.hypot(a.std() / 20, b.std() / 20)
    assert abs(a.mean() - b.mean()) <= 4 * se


def test_beta_half_matches_the_exact_finite_n_value_within_4_se():
    law = UniformSphere(3)
    for n in (10**4, 10**12):
        est, _ = estimate_beta_half(law, n, 300, [7, n], law.critical_beta(n))
        exact = beta_half(law, n)
        assert abs(math.log(est.beta / exact)) <= 4 * est.log_se, (n, est.beta, exact, est.log_se)


def test_one_minus_max_weight_matches_exact_value():
    law = UniformSphere(3)
    n, lam = 10**12, 10.0
    beta = lam * law.critical_beta(n)
    x = one_minus_max_weight(nearest_block(law, n, 20_000, 16, 5), beta)
    exact = 1.0 - expected_max_weight(law, n, beta)
    assert abs(x.mean() - exact) <= 4 * x.std(ddof=1) / math.sqrt(x.size)


def test_critical_exponent_rejects_the_wrong_exponent_one_over_d_minus_1():
    result = CRITICAL_EXPONENT.run(Context(quick=True, seed=0))
    assert [c.case for c in result.cases] == ["d=2", "d=3", "d=4", "d=6"]
    for c in result.cases:
        d = c.params["d"]
        right = exponent_case(d, c.measured, c.se, c.bias, c.params)
        wrong = exponent_case(d, c.measured, c.se, c.bias, c.params, predicted=1.0 / (d - 1))
        assert right.verdict == "pass", right.reasons
        assert wrong.verdict == "fail"


def test_grid_results_do_not_depend_on_worker_count(tmp_path):
    one = CRITICAL_EXPONENT.run(Context(quick=True, seed=3, workers=1, directory=tmp_path / "a"))
    two = CRITICAL_EXPONENT.run(Context(quick=True, seed=3, workers=2, directory=tmp_path / "b"))
    assert [c.measured for c in one.cases] == [c.measured for c in two.cases]
    assert (tmp_path / "a" / "store.sqlite").is_file()  # the grid's section of the run's one store
