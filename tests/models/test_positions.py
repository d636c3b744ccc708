"""Position-aware key laws: log-spaced bins of the visible count, pooled distances, intervals (:ref:`theory-effective-exponent`, :ref:`theory-extreme-value`)."""

import numpy as np
import pytest

from attnlimits.models._extract import KeyExtraction
from attnlimits.models._positions import _tail_effective, binned_laws, position_edges
from attnlimits.models._spans import row_statistics


def _uniform_causal(d=8, T=4096, seed=0):
    rng = np.random.default_rng(seed)
    q = rng.standard_normal((1, 1, T, d)).astype(np.float32)
    k = rng.standard_normal((1, 1, T, d)).astype(np.float32)
    return KeyExtraction(queries=q, keys=k, scale=1.0, window=np.zeros(T, dtype=int), model="uniform",
                         position=np.arange(T), causal=True)


def test_edges_double():
    assert position_edges(100, first=16) == [16, 32, 64, 128]


def test_uniform_keys_recover_the_local_exponent():
    """Gaussian keys have uniform directions: every bin's pooled law has α = (d − 1)/2 = 3.5 and c = c_8 (:ref:`theory-model`),
    inside their 95 % intervals, and β is |q|·median|k| (scale 1)."""
    from attnlimits.theory import log_uniform_constant

    c8 = float(np.exp(log_uniform_constant(8)))
    ex = _uniform_causal()
    bins = binned_laws(ex, 0, 0, first=256, exact=False)
    est = [b for b in bins if b["estimated"]]
    assert [b["n_lo"] for b in est] == [256, 512, 1024, 2048]
    for b in est:
        lo, hi = b["alpha_ci"]
        assert lo < 3.5 < hi
        assert b["beta_ci"][0] <= b["beta"] <= b["beta_ci"][1]
        assert b["alpha_eff_ci"][0] < b["alpha_eff"] < b["alpha_eff_ci"][1]
        assert b["c_ci"][0] < b["c"] < b["c_ci"][1] and b["c_ci"][0] < c8 < b["c_ci"][1]
    assert sum(b["queries"] for b in bins) == 4096 - 255  # every query with n ≥ 256 in exactly one bin


def test_min_count_is_enforced():
    ex = _uniform_causal(T=600)
    bins = binned_laws(ex, 0, 0, first=64, min_distances=10**9, exact=False)
    assert bins and not any(b["estimated"] for b in bins)
    assert all(b["distances"] > 0 and b["pooled_queries"] >= 1 for b in bins)


def test_measured_statistics_are_bin_means_of_the_rows():
    ex = _uniform_causal(T=700)
    st = row_statistics(ex, 0, 0)
    for b in binned_laws(ex, 0, 0, first=64, exact=False):
        rows = (ex.position + 1 >= b["n_lo"]) & (ex.position + 1 < b["n_hi"])
        assert b["measured_max_weight"] == pytest.approx(st["max_weight"][rows].mean(), rel=1e-12)
        assert b["measured_entropy"] == pytest.approx(st["entropy"][rows].mean(), rel=1e-12)


def test_tail_effective_matches_effective_exponent():
    """The closure used for the intervals gives the same α_n and t_n as theory.effective_exponent on the
    estimated law, at the fitted parameters."""
    from attnlimits.tails import fit_local_power
    from attnlimits.tails._endpoint import distances_to_query
    from attnlimits.laws import EstimatedLaw
    from attnlimits.theory import effective_exponent

    ex = _uniform_causal(T=3000)
    D = np.concatenate([distances_to_query(ex.keys[0, 0, :r + 1], ex.queries[0, 0, r]) for r in range(2000, 3000, 40)])
    fit = fit_local_power(D)
    law = EstimatedLaw(fit, D, 8)
    e = effective_exponent(law, 2500)
    a, log_t = _tail_effective(fit, 2500, fit.alpha, fit.z, np.log(fit.k / fit.m))
    assert a == pytest.approx(e.alpha_eff, rel=1e-6)
    assert np.exp(log_t) == pytest.approx(e.t_n, rel=1e-9)


def test_estimated_law_quantile_inverts_its_cdf():
    """EstimatedLaw.distance_ppf_log (needed by the exact theory's count grid): F(F^{-1}(p)) = p to 1e-12
    relative, from p = 1e-300 in the fitted tail to the body."""
    from attnlimits.tails import fit_local_power
    from attnlimits.laws import EstimatedLaw

    rng = np.random.default_rng(0)
    x = rng.standard_normal((20000, 8))
    d = 1.0 - x[:, 0] / np.linalg.norm(x, axis=1)
    law = EstimatedLaw(fit_local_power(d), d, 8)
    p = np.array([1e-300, 1e-100, 1e-20, 1e-5, 1e-3, 0.1, 0.5, 0.9, 0.999999])
    t = law.distance_ppf_log(np.log(p), np.log1p(-p))
    np.testing.assert_allclose(law.distance_cdf(t), p, rtol=1e-12)
    assert np.all(np.diff(t) > 0)


def test_exact_theory_on_an_estimated_law_with_a_short_support():
    """The count grid takes an estimated law whose support ends below D = 2 (panels past it carry nothing) and
    whose histogram body jumps (panel ends at its knots): the exact E[max weight] matches a Monte Carlo of the
    law's own sampler within 4 SE."""
    from attnlimits.tails import fit_local_power
    from attnlimits.laws import EstimatedLaw
    from attnlimits.theory import expected_max_weight

    rng = np.random.default_rng(3)
    d = np.concatenate([rng.beta(3.0, 6.0, 900) * 1.6, rng.uniform(0.9, 1.2, 300)])  # support < 1.6, lumpy body
    law = EstimatedLaw(fit_local_power(d), d, 16)
    n, beta = 256, 12.0
    exact = expected_max_weight(law, n, beta)
    D = law.draw(np.random.default_rng(4), (4000, n)).distances
    z = -beta * (D - D.min(axis=1, keepdims=True))
    w = np.exp(z)
    m = w.max(axis=1) / w.sum(axis=1)
    assert abs(exact - m.mean()) < 4 * m.std(ddof=1) / np.sqrt(m.size)
