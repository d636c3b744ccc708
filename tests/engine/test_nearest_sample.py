"""The β_{1/2} estimators' nearest-keys samples: monotone max weights, orderstat = dense in law, exact
finite-n theory at β_lo and above, 1 − W_1 without cancellation, the block sampler's spacings."""

import math
import warnings

import numpy as np
import pytest

from attnlimits import UniformSphere
from attnlimits._rng import as_seed_sequence, generator
from attnlimits.engine._nearest import OrderSpacings, TailToleranceWarning
from attnlimits.engine._nearest_sample import nearest_block, nearest_sample, one_minus_max_weight
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


def test_one_minus_max_weight_matches_exact_value():
    law = UniformSphere(3)
    n, lam = 10**12, 10.0
    beta = lam * law.critical_beta(n)
    x = one_minus_max_weight(nearest_block(law, n, 20_000, 16, 5), beta)
    exact = 1.0 - expected_max_weight(law, n, beta)
    assert abs(x.mean() - exact) <= 4 * x.std(ddof=1) / math.sqrt(x.size)


@pytest.mark.parametrize("d", [3, 6])
def test_sample_max_weight_matches_exact_finite_n_theory(d):
    """The β_{1/2} estimators' orderstat samples (grown at β_lo by the engine's loop, far keys by its
    quadrature): the mean max weight at β_lo, where the far keys weigh most, and above equals the exact
    finite-n E W_1 within 4 SE."""
    law, n = UniformSphere(d), 10**12
    half = beta_half(law, n)
    with warnings.catch_warnings():
        warnings.simplefilter("error", TailToleranceWarning)  # the loop meets the tolerance here
        sample = nearest_sample(law, n, 400, 8, half / 3)  # the bracket of estimate_beta_half
    for beta in half * np.array([1 / 3, 1.0, 3.0]):
        w = sample.max_weights(float(beta))
        truth = expected_max_weight(law, n, float(beta))
        assert abs(w.mean() - truth) <= 4 * w.std(ddof=1) / math.sqrt(w.size), (beta, w.mean(), truth)


def test_block_spacings_equal_the_growing_spacings():
    """nearest_block's vectorised spacings are the same scaled exponentials as OrderSpacings (one sampler)."""
    law, n, m = UniformSphere(3), 10**9, 16
    block = nearest_block(law, n, 1, m, 7)
    spacings = OrderSpacings(generator(as_seed_sequence(7), 0), n)
    spacings.extend(m)
    dist = np.maximum.accumulate(law.distance_ppf_log(*spacings.logs(m)))
    np.testing.assert_array_equal(block.gaps[0], dist - dist[0])
