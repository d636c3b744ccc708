"""Theory against the exact engine (Monte Carlo, fixed seeds, 5 standard errors): the finite-n identities of
:ref:`theory-exact-identities` in the sub-, critical and supercritical settings, the subcritical CLT and the supercritical collapse."""

import numpy as np
import pytest
from scipy import stats

from attnlimits import UniformSphere, simulate
from attnlimits.theory import (
    expected_inner,
    expected_ipr,
    expected_max_weight,
    expected_one_minus_max_weight,
    expected_tangent_sq,
    inner_limit,
    radial_variance_limit,
    tangent_variance_limit,
)

# (d, n, β): E max w ≈ 0.01–0.05 (sub), ≈ 0.5 (critical), ≥ 0.95 (super)
SETTINGS = [
    (2, 1000, 40.0), (2, 1000, 4e4), (2, 1000, 4e6),
    (3, 1000, 4.0), (3, 1000, 400.0), (3, 1000, 1.2e4),
    (5, 1000, 3.0), (5, 1000, 57.5), (5, 1000, 1700.0),
    (16, 1000, 3.0), (16, 1000, 27.0), (16, 1000, 800.0),
]


@pytest.mark.parametrize("d, n, beta", SETTINGS)
def test_monte_carlo_matches_exact_identities(d, n, beta):
    law = UniformSphere(d)
    res = simulate(law, n, beta, samples=1500, seed=20260 + d, output=True)
    checks = {
        "ipr": expected_ipr(law, n, beta),
        "max_weight": expected_max_weight(law, n, beta),
        "inner": expected_inner(law, n, beta),
        "tangent_sq": expected_tangent_sq(law, n, beta),
    }
    for stat, truth in checks.items():
        mean, se = getattr(res, stat).mean, getattr(res, stat).se
        assert abs(mean - truth) <= 5 * se + 1e-12, (stat, mean, se, truth)


def test_settings_cover_all_three_regimes():
    from attnlimits.theory import regime

    names = [regime(UniformSphere(d), n, b) for d, n, b in SETTINGS]
    assert names.count("subcritical") >= 4 and names.count("critical") >= 4 and names.count("supercritical") >= 4, names


def test_subcritical_clt_d4():
    """d = 4, n = 2e4, β = 30: mean ⟨q,O⟩ → A_4(β), var ⟨q,O⟩ → σ∥², |P⊥O|²/σ⊥² ~ χ²_{d−1}, and Gaussian
    standardised radial outputs (:ref:`theory-limit-laws`)."""
    d, n, beta, samples = 4, 20000, 30.0, 600
    law = UniformSphere(d)
    res = simulate(law, n, beta, samples=samples, seed=4242, output=True)
    inner, tsq = res.values["inner"], res.values["tangent_sq"]
    a, s_par, s_perp = inner_limit(d, beta), radial_variance_limit(d, n, beta), tangent_variance_limit(d, n, beta)
    se = inner.std(ddof=1) / np.sqrt(samples)
    assert abs(inner.mean() - a) <= 5 * se
    # the exact finite-n mean carries the O(1/n) ratio-estimator bias (−9e−5 here, ≈ 1 SE): check it too
    assert abs(inner.mean() - expected_inner(law, n, beta)) <= 5 * se
    # variance ratios: SE of a Gaussian sample variance ratio is sqrt(2/(S−1))
    ratio_par = inner.var(ddof=1) / s_par
    assert abs(ratio_par - 1) <= 5 * np.sqrt(2 / (samples - 1)), ratio_par
    ratio_perp = tsq.mean() / ((d - 1) * s_perp)
    assert abs(ratio_perp - 1) <= 5 * tsq.std(ddof=1) / tsq.mean() / np.sqrt(samples), ratio_perp
    # normality of the standardised radial output, and χ²_3 law of |P⊥O|²/σ⊥²
    z = (inner - a) / np.sqrt(s_par)
    assert stats.kstest(z, "norm").pvalue > 1e-3
    assert stats.kstest(tsq / s_perp, stats.chi2(d - 1).cdf).pvalue > 1e-3


def test_supercritical_collapse_onto_the_nearest_key():
    """As λ grows: W_1 → 1 with E[1 − W_1] as the exact identity predicts, and |O − K_(1)| → 0."""
    law, n = UniformSphere(3), 10000
    gaps, prev = [], None
    for lam in (4.0, 16.0, 64.0):
        res = simulate(law, n, lam=lam, samples=1500, seed=77, output=True)
        om = 1.0 - res.values["max_weight"]
        truth = expected_one_minus_max_weight(law, n, res.beta)
        assert abs(om.mean() - truth) <= 5 * om.std(ddof=1) / np.sqrt(om.size), (lam, om.mean(), truth)
        gaps.append(res.output_gap_sq.mean)
        if prev is not None:
            assert truth < prev
        prev = truth
    assert gaps[0] > gaps[1] > gaps[2]
