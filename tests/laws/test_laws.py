"""Each key law draws distances from its exact law (KS tests at fixed seeds, cutoff p > 1e-4)."""

import numpy as np
import pytest
from scipy import stats

from attnlimits import Subsphere, UniformSphere, VonMisesFisher, parse_law
from attnlimits._validation import InputError
from attnlimits.theory import uniform_distance_cdf

P_MIN = 1e-4


@pytest.mark.parametrize("d", [2, 3, 4, 5, 64, 4096])
def test_uniform_distances_follow_the_exact_cdf(d):
    dist = UniformSphere(d).draw(np.random.default_rng(d), 100_000).distances
    assert stats.kstest(dist, lambda t: uniform_distance_cdf(t, d)).pvalue > P_MIN


@pytest.mark.parametrize("d", [3, 5, 8])
def test_uniform_distances_match_gaussian_keys(d):
    """Against the textbook construction: normalised Gaussian vectors."""
    rng = np.random.default_rng(100 + d)
    g = rng.standard_normal((50_000, d))
    ref = 1 - g[:, 0] / np.linalg.norm(g, axis=1)
    ours = UniformSphere(d).draw(rng, 50_000).distances
    assert stats.ks_2samp(ours, ref).pvalue > P_MIN


def test_uniform_small_distances_scale_as_c_t_alpha():
    """The lower tail: P(D ≤ t) ≈ c_d t^α; with d = 4 count draws below t = 1e-3 (mean 1e6·F(t))."""
    d, n, t = 4, 4_000_000, 1e-3
    law = UniformSphere(d)
    hits = np.count_nonzero(law.draw(np.random.default_rng(4), n).distances <= t)
    mean = n * float(uniform_distance_cdf(t, d))
    assert abs(hits - mean) < 5 * np.sqrt(mean)


def test_subsphere_has_the_law_of_its_own_dimension():
    law = Subsphere(10, 3)
    assert law.local_exponent == 1.0
    dist = law.draw(np.random.default_rng(0), 50_000).distances
    assert stats.kstest(dist, lambda t: uniform_distance_cdf(t, 3)).pvalue > P_MIN
    tang = law.tangents(law.draw(np.random.default_rng(1), 10), np.arange(10), np.random.default_rng(2))
    assert tang.shape == (10, 2)


@pytest.mark.parametrize("d,kappa,angle", [(3, 4.0, 0.0), (5, 20.0, 0.0), (4, 8.0, 0.9), (2, 3.0, 2.0), (16, 50.0, 0.3)])
def test_vmf_distances_match_scipy_vmf_keys(d, kappa, angle):
    """Against keys drawn by scipy.stats.vonmises_fisher and projected on the query."""
    rng = np.random.default_rng(7)
    q = np.zeros(d)
    q[0] = 1.0
    mu = np.zeros(d)
    mu[0], mu[1] = np.cos(angle), np.sin(angle)
    keys = stats.vonmises_fisher(mu, kappa).rvs(40_000, random_state=rng)
    ref = 1 - keys @ q
    law = VonMisesFisher(d, kappa, angle)
    draw = law.draw(rng, 40_000)
    assert stats.ks_2samp(draw.distances, ref).pvalue > P_MIN
    tang = law.tangents(draw, np.arange(2000), rng)
    norm_sq = (1 - draw.distances[:2000]) ** 2 + np.sum(tang**2, axis=1)
    np.testing.assert_allclose(norm_sq, 1.0, atol=1e-12)
    assert stats.ks_2samp(tang[:, 0], keys[:2000, 1]).pvalue > P_MIN


def test_vmf_cdf_and_constant():
    law = VonMisesFisher(3, 6.0)
    dist = law.draw(np.random.default_rng(3), 3000).distances
    assert stats.kstest(dist, law.distance_cdf).pvalue > P_MIN
    # density at the query for d = 3: κ e^κ / sinh κ (normalised surface measure)
    assert np.exp(law.log_density_at_query) == pytest.approx(6 * np.exp(6) / np.sinh(6), rel=1e-12)


@pytest.mark.parametrize("text,message", [("banana", "invalid law='banana'"), ("vmf:x", "invalid law"),
                                          ("subsphere:9", "subsphere dimension k"), ("vmf:-1", "kappa"),
                                          ("file:/no/such.npy", "not found")])
def test_bad_law_strings(text, message):
    with pytest.raises(InputError, match=message):
        parse_law(text, 5)


def test_zonal_capability_is_declared_where_it_holds():
    """uniform: m = d − 1; subsphere:k: m = k − 1; vMF centred on the query: m = d − 1; off-centre vMF and
    empirical keys: not zonal."""
    from attnlimits import Empirical

    assert UniformSphere(7).zonal_dimension == 6 and UniformSphere(2).zonal_dimension == 1
    assert Subsphere(10, 3).zonal_dimension == 2
    assert VonMisesFisher(5, 3.0).zonal_dimension == 4
    assert VonMisesFisher(5, 3.0, 0.4).zonal_dimension is None
    assert Empirical(np.random.default_rng(0).standard_normal((20, 4))).zonal_dimension is None


@pytest.mark.parametrize("law", [UniformSphere(6), Subsphere(10, 4), VonMisesFisher(5, 8.0)], ids=repr)
def test_zonal_laws_have_uniform_tangent_directions(law):
    """What the declaration promises: |P⊥K|² = D(2 − D), and a coordinate of P⊥K/|P⊥K| in the m-dimensional
    tangent space has the law of the cosine of two uniform directions of R^m, (1 + c)/2 ~ Beta((m−1)/2, (m−1)/2),
    whatever D (checked on the nearer and the farther half of the keys)."""
    m = law.zonal_dimension
    rng = np.random.default_rng(30)
    draw = law.draw(rng, 20_000)
    tang = law.tangents(draw, np.arange(20_000), rng)
    dist = draw.distances
    np.testing.assert_allclose(np.sum(tang**2, axis=1), dist * (2 - dist), rtol=1e-12, atol=1e-15)
    assert np.count_nonzero(np.any(tang != 0, axis=0)) == m  # the directions span m coordinates
    coord = tang[:, 0] / np.linalg.norm(tang, axis=1)
    cosine = stats.beta((m - 1) / 2, (m - 1) / 2)
    for half in (dist < np.median(dist), dist >= np.median(dist)):
        assert stats.kstest((1 + coord[half]) / 2, cosine.cdf).pvalue > P_MIN
