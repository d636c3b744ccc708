"""The zonal scalar recursion for the output vector: the merge law, the tree, and agreement in law with the
vector path (numpy and torch CPU), plus the identities it must keep exactly."""

import numpy as np
import pytest
from scipy import stats

from attnlimits import KeyLaw, Subsphere, UniformSphere, VonMisesFisher, simulate
from attnlimits._rng import as_seed_sequence
from attnlimits.engine import _exact, attend_exact
from attnlimits.engine._zonal import merge_radii, tree_radius, zonal_u
from zonal_helpers import P_MIN, assert_same_law, vector_twin


def gaussian_cosines(rng, size, m):
    """The cosine between two independent uniform directions of R^m, from normalised Gaussian vectors."""
    x, y = rng.standard_normal((2, size, m))
    return np.einsum("ij,ij->i", x, y) / (np.linalg.norm(x, axis=1) * np.linalg.norm(y, axis=1))


# ---------------------------------------------------------------------------------------------------------
# One merge: u = 1 + c has the law of the cosine of two uniform directions.

@pytest.mark.parametrize("m", [2, 3, 5, 63, 511])
def test_u_is_one_plus_the_cosine_of_two_uniform_directions(m):
    rng = np.random.default_rng(m)
    u = zonal_u(rng, 40_000, m)
    assert np.all((u >= 0) & (u <= 2))
    assert stats.kstest(u / 2, stats.beta((m - 1) / 2, (m - 1) / 2).cdf).pvalue > P_MIN
    assert stats.ks_2samp(u - 1, gaussian_cosines(rng, 20_000, m)).pvalue > P_MIN


def test_u_in_one_dimension_is_a_fair_sign():
    u = zonal_u(np.random.default_rng(0), 40_000, 1)
    assert set(np.unique(u)) == {0.0, 2.0}
    assert abs(np.mean(u == 2.0) - 0.5) <= 4 * 0.5 / np.sqrt(u.size)


def test_merge_of_two_radii_in_three_dimensions_is_uniform_in_square():
    """m = 3: c is uniform on [−1, 1], so |X + Y|² is uniform on [(a − b)², (a + b)²] (Archimedes)."""
    a, b = 0.7, 0.3
    sq = merge_radii(np, np.full(30_000, a), np.full(30_000, b), zonal_u(np.random.default_rng(1), 30_000, 3)) ** 2
    lo, hi = (a - b) ** 2, (a + b) ** 2
    assert np.all((sq >= lo - 1e-15) & (sq <= hi + 1e-15))
    assert stats.kstest(sq, stats.uniform(lo, hi - lo).cdf).pvalue > P_MIN


def test_merge_is_the_vector_identity():
    """With u = 1 + ⟨X̂, Ŷ⟩ of actual vectors the merge is |X + Y| exactly (to rounding)."""
    rng = np.random.default_rng(2)
    x, y = rng.standard_normal((2, 1000, 7))
    rx, ry = np.linalg.norm(x, axis=1), np.linalg.norm(y, axis=1)
    u = 1 + np.einsum("ij,ij->i", x, y) / (rx * ry)
    np.testing.assert_allclose(merge_radii(np, rx, ry, u), np.linalg.norm(x + y, axis=1), rtol=1e-12)


# ---------------------------------------------------------------------------------------------------------
# The tree.

@pytest.mark.parametrize("m", [1, 3])
def test_tree_has_the_law_of_the_vector_sum(m):
    """|Σ a_i U_i| from the tree against the sum of actual uniform vectors, fixed leaves, KS."""
    rng = np.random.default_rng(10 + m)
    radii = rng.random(9)
    tree = [tree_radius(np, radii, zonal_u(rng, 8, m)) for _ in range(4000)]
    g = rng.standard_normal((4000, 9, m))
    vec = np.linalg.norm(np.einsum("i,rij->rj", radii, g / np.linalg.norm(g, axis=2, keepdims=True)), axis=1)
    assert stats.ks_2samp(tree, vec).pvalue > P_MIN


@pytest.mark.parametrize("m", [2, 8])
def test_tree_mean_square_is_the_sum_of_squares(m):
    """E|Σ a_i U_i|² = Σ a_i² (the cross terms have mean 0), within 4 SE."""
    rng = np.random.default_rng(20 + m)
    radii = rng.random(40)
    sq = np.array([tree_radius(np, radii, zonal_u(rng, 39, m)) ** 2 for _ in range(3000)])
    assert abs(sq.mean() - radii @ radii) <= 4 * sq.std(ddof=1) / np.sqrt(sq.size)


@pytest.mark.parametrize("count", [1, 2, 3, 7, 64])
def test_tree_uses_every_u_once_in_level_order(count):
    """With u = 2 (aligned directions) every merge adds radii, so the root is Σ a_i; u = 0 at merge j alone
    (opposite directions) shows which pair it joined: (0, 1) first, then (2, 3), … then the next level."""
    radii = np.arange(1.0, count + 1.0)
    assert tree_radius(np, radii, np.full(count - 1, 2.0)) == pytest.approx(radii.sum(), rel=1e-14)
    if count >= 4:
        u = np.full(count - 1, 2.0)
        u[1] = 0.0  # the second merge of the lowest level: leaves 2 and 3 → |3 − 4| = 1
        assert tree_radius(np, radii, u) == pytest.approx(radii.sum() - 7.0 + 1.0, rel=1e-14)


# ---------------------------------------------------------------------------------------------------------
# The engine: agreement in law with the vector path.

LAWS = [(UniformSphere(2), 400, 0.3), (UniformSphere(3), 400, 0.3), (UniformSphere(8), 300, 1.0),
        (UniformSphere(64), 200, 1.0), (UniformSphere(512), 100, 1.0), (Subsphere(16, 4), 300, 0.5),
        (VonMisesFisher(5, 4.0, 0.0), 300, 1.0)]


@pytest.mark.parametrize("law,n,lam", LAWS, ids=[repr(x[0]) for x in LAWS])
def test_scalar_recursion_agrees_in_law_with_the_vector_path(law, n, lam):
    samples = 500 if law.d >= 512 else 1000
    a = simulate(law, n, lam=lam, samples=samples, seed=1)
    b = simulate(vector_twin(law), n, lam=lam, samples=samples, seed=2)
    assert_same_law(a, b)


def test_cache_kept_keys_and_redraw_give_identical_results(monkeypatch):
    """Pass 2 from the cached blocks, from pass 1's kept near keys, or from blocks drawn again: same keys,
    same tree, same streams — bit-identical."""
    law = UniformSphere(3)
    n = 3 * _exact.STREAM_BLOCK + 77
    seed = as_seed_sequence(4)
    for lam in (0.05, 1.0):
        beta = lam * law.critical_beta(n)
        cached = attend_exact(law, n, beta, seed)
        monkeypatch.setattr(_exact, "_CACHE_KEYS", 0)
        kept = attend_exact(law, n, beta, seed)
        monkeypatch.setattr(_exact, "_NEAR_KEYS", 0)
        redrawn = attend_exact(law, n, beta, seed)
        monkeypatch.undo()
        for key in ("tangent_sq", "output_gap_sq"):
            assert cached[key] == kept[key] == redrawn[key], key


@pytest.mark.parametrize("chunk", [1000, 65536, 10**6])
def test_chunk_size_does_not_change_the_output(chunk):
    law, seed = UniformSphere(64), as_seed_sequence(5)
    ref = attend_exact(law, 150_000, 60.0, seed)
    got = attend_exact(law, 150_000, 60.0, seed, chunk_size=chunk)
    for key in ("tangent_sq", "output_gap_sq"):
        assert got[key] == pytest.approx(ref[key], rel=1e-12), key


@pytest.mark.parametrize("law", [UniformSphere(2), UniformSphere(64), Subsphere(9, 2)], ids=repr)
def test_one_key_weighs(law):
    """β so large that only the nearest key weighs: O = K_(1), so |P⊥O|² = D_(1)(2 − D_(1)) and the gap is 0."""
    s = attend_exact(law, 5000, 1e30, as_seed_sequence(6))
    assert s["max_weight"] == 1.0
    d1 = s["nearest_distance"]
    assert s["tangent_sq"] == pytest.approx(d1 * (2 - d1), rel=1e-14)
    assert s["output_gap_sq"] == 0.0


def test_uniform_weights_give_the_exact_mean():
    """β = 0: w_i = 1/n, so E|P⊥O|² = E[D(2 − D)]/n = (1 − E(1 − D)²)/n = (1 − 1/d)/n for uniform keys."""
    d, n = 6, 50
    res = simulate(UniformSphere(d), n, beta=0.0, samples=2000, seed=7)
    assert abs(res.tangent_sq.mean - (1 - 1 / d) / n) <= 4 * res.tangent_sq.se


class ZonalOnly(KeyLaw):
    """Uniform distances, zonal by declaration, and no way to rebuild P⊥K: the engine must pick the scalar
    recursion from the capability alone."""

    def __init__(self, d):
        self.d, self.spec, self._law = d, "zonal-only", UniformSphere(d)
        self.zonal_dimension = d - 1

    def draw(self, rng, size):
        return self._law.draw(rng, size)

    def tangents(self, draw, index, rng):
        raise AssertionError("the vector path was used for a zonal law")


def test_the_capability_chooses_the_path():
    law = ZonalOnly(5)
    s = attend_exact(law, 3000, 20.0, as_seed_sequence(8))
    ref = attend_exact(UniformSphere(5), 3000, 20.0, as_seed_sequence(8))
    for key in ref:  # the same distances, dimension and streams as uniform keys
        np.testing.assert_array_equal(s[key], ref[key], err_msg=key)


# ---------------------------------------------------------------------------------------------------------
# torch CPU: the device version of the same recursion.

@pytest.mark.parametrize("law,n,lam", LAWS[:-1], ids=[repr(x[0]) for x in LAWS[:-1]])
def test_torch_scalar_recursion_agrees_in_law_with_the_vector_path(law, n, lam):
    torch = pytest.importorskip("torch")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        samples = 300
        a = simulate(law, n, lam=lam, samples=samples, seed=11, backend="torch")
        b = simulate(vector_twin(law), n, lam=lam, samples=samples, seed=12, backend="torch")
    finally:
        torch.set_num_threads(threads)
    assert_same_law(a, b)


@pytest.mark.slow
@pytest.mark.parametrize("d,lam", [(3, 0.1), (8, 1.0)])
def test_agreement_in_law_across_stream_blocks(d, lam):
    """Two full stream blocks and a partial one: the block trees and the cross-block merges together."""
    law, n = UniformSphere(d), 2 * _exact.STREAM_BLOCK + 5
    a = simulate(law, n, lam=lam, samples=300, seed=13)
    b = simulate(vector_twin(law), n, lam=lam, samples=300, seed=14)
    assert_same_law(a, b)


@pytest.mark.slow
def test_uniform_weights_give_the_exact_mean_across_blocks():
    """β = 0 over three stream blocks: E|P⊥O|² = (1 − 1/d)/n exactly (every key a leaf, every merge used)."""
    d, n = 6, 2 * _exact.STREAM_BLOCK + 5
    res = simulate(UniformSphere(d), n, beta=0.0, samples=400, seed=15)
    assert abs(res.tangent_sq.mean - (1 - 1 / d) / n) <= 4 * res.tangent_sq.se
