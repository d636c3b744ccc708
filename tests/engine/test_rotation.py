"""Rotation invariance of the engine: its statistics depend on the keys only through their distances to the
query and the geometry of the output, so rotating keys and query together changes nothing but rounding."""

import numpy as np
import pytest
from scipy import stats

from attnlimits import Empirical, simulate
from attnlimits._rng import as_seed_sequence
from attnlimits.engine import attend_exact

D, ROWS = 6, 400
STATS = ("max_weight", "ipr", "entropy", "effective_support", "nearest_distance", "inner", "defect", "tangent_sq",
         "output_gap_sq")


def _setting():
    rng = np.random.default_rng(11)
    keys = rng.standard_normal((ROWS, D)) + 2.0 * np.eye(D)[0]  # not isotropic: the rotation matters for the keys
    query = rng.standard_normal(D)
    rotation = stats.special_ortho_group.rvs(D, random_state=12)
    return keys, query, rotation


@pytest.mark.parametrize("beta", [0.5, 20.0, 400.0])
def test_rotating_keys_and_query_keeps_every_statistic(beta):
    """Same seed, keys and query rotated by one R: every statistic agrees to rounding (the distances are
    computed from rotated coordinates, so they differ in the last bits; the tolerance is a few ulps of each
    distance times β and the number of terms summed)."""
    keys, query, rotation = _setting()
    law, turned = Empirical(keys, query), Empirical(keys @ rotation.T, rotation @ query)
    np.testing.assert_allclose(turned.row_distances, law.row_distances, rtol=1e-13, atol=1e-15)
    n, seed = 5000, as_seed_sequence(5)
    a, b = attend_exact(law, n, beta, seed), attend_exact(turned, n, beta, seed)
    tol = 64 * np.finfo(float).eps * (1.0 + beta * 2.0) * np.log2(n)
    for stat in STATS:
        assert b[stat] == pytest.approx(a[stat], rel=tol, abs=tol), stat
    np.testing.assert_allclose(b["top_weights"], a["top_weights"], rtol=tol, atol=tol)


def test_tangents_rotate_with_the_keys():
    """The rebuilt tangent components rotate with R: P⊥K' = R P⊥K, so the output O' = Σ w_i K'_i = R O."""
    keys, query, rotation = _setting()
    law, turned = Empirical(keys, query), Empirical(keys @ rotation.T, rotation @ query)
    rng = np.random.default_rng(3)
    draw = law.draw(rng, 50)
    index = np.arange(50)
    np.testing.assert_allclose(turned.tangents(draw, index, rng), law.tangents(draw, index, rng) @ rotation.T,
                               atol=1e-14)


def test_rotating_the_keys_alone_changes_the_statistics():
    """The control: rotating the keys but not the query moves the distances, and the statistics with them."""
    keys, query, rotation = _setting()
    a = simulate(Empirical(keys, query), 2000, beta=20.0, samples=3, seed=2)
    b = simulate(Empirical(keys @ rotation.T, query), 2000, beta=20.0, samples=3, seed=2)
    assert not np.allclose(a.values["max_weight"], b.values["max_weight"], rtol=1e-6)


def test_simulate_is_rotation_invariant():
    keys, query, rotation = _setting()
    a = simulate(Empirical(keys, query), 3000, beta=50.0, samples=4, seed=8)
    b = simulate(Empirical(keys @ rotation.T, rotation @ query), 3000, beta=50.0, samples=4, seed=8)
    tol = 64 * np.finfo(float).eps * (1.0 + 50.0 * 2.0) * np.log2(3000)
    for stat in STATS:
        np.testing.assert_allclose(b.values[stat], a.values[stat], rtol=tol, atol=tol, err_msg=stat)
