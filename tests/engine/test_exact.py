"""The exact engine: invariants, chunk-size and worker independence, extremes."""

import numpy as np
import pytest

from attnlimits import Empirical, Subsphere, UniformSphere, VonMisesFisher, simulate
from attnlimits._rng import as_seed_sequence
from attnlimits import InputError
from attnlimits.engine import STREAM_BLOCK, attend_exact
from attnlimits.engine._montecarlo import THREAD_MIN_N
from zonal_helpers import vector_twin


def dense_output(law, n, beta, seed):
    """O = Σ w_i K_i from the rebuilt keys of the same streams (K = (1 − D) q + P⊥K)."""
    from attnlimits._rng import generator

    draws, tangents = [], []
    for b, start in enumerate(range(0, n, STREAM_BLOCK)):
        draw = law.draw(generator(seed, 0, b), min(STREAM_BLOCK, n - start))
        draws.append(draw.distances)
        tangents.append(law.tangents(draw, np.arange(draw.distances.size), generator(seed, 1, b)))
    dist, tang = np.concatenate(draws), np.concatenate(tangents)
    w = np.exp(-beta * (dist - dist.min()))
    w /= w.sum()
    keys = np.column_stack([1.0 - dist, tang])
    assert np.allclose(np.linalg.norm(keys, axis=1), 1.0, atol=1e-12)
    out = w @ keys
    nearest = keys[np.argmin(dist)]
    return out, nearest


@pytest.mark.parametrize("law", [vector_twin(UniformSphere(2)), vector_twin(UniformSphere(3)),
                                 vector_twin(UniformSphere(16)), vector_twin(Subsphere(6, 3)),
                                 VonMisesFisher(4, 5.0, 0.7), VonMisesFisher(2, 3.0, 1.0)], ids=repr)
def test_output_matches_dense_keys(law):
    """The vector path (laws that declare no zonal capability) equals O rebuilt from the same streams."""
    seed = as_seed_sequence(11)
    n, beta = 70000, 30.0  # two stream blocks, with and without weights that underflow
    s = attend_exact(law, n, beta, seed)
    out, nearest = dense_output(law, n, beta, seed)
    assert s["inner"] == pytest.approx(out[0], rel=1e-12)
    assert s["tangent_sq"] == pytest.approx(out[1:] @ out[1:], rel=1e-10)
    assert s["output_gap_sq"] == pytest.approx(np.sum((out - nearest) ** 2), rel=1e-9)


def test_single_key():
    s = attend_exact(UniformSphere(5), 1, 7.0, as_seed_sequence(0))
    assert s["max_weight"] == 1.0 and s["ipr"] == 1.0 and s["entropy"] == 0.0
    assert s["output_gap_sq"] == 0.0
    assert s["tangent_sq"] == pytest.approx(s["nearest_distance"] * (2 - s["nearest_distance"]), rel=1e-12)


@pytest.mark.parametrize("chunk", [1000, 4096, 65536, 10**6])
def test_chunk_size_does_not_change_results(chunk):
    law, seed = UniformSphere(3), as_seed_sequence(5)
    ref = attend_exact(law, 200_000, 3e3, seed)
    got = attend_exact(law, 200_000, 3e3, seed, chunk_size=chunk)
    for key in ref:
        np.testing.assert_allclose(got[key], ref[key], rtol=1e-12, atol=1e-15)


def test_workers_give_identical_results():
    law = UniformSphere(4)
    a = simulate(law, 5000, lam=1.0, samples=40, seed=9, workers=1)
    b = simulate(law, 5000, lam=1.0, samples=40, seed=9, workers=2)
    assert a.to_dict() == b.to_dict()


def test_threads_give_identical_results():
    """Replicates side by side in threads (the default from THREAD_MIN_N keys on) give the same numbers, bit for
    bit, as one at a time and as worker processes: each replicate has its own streams and slot."""
    law = UniformSphere(8)
    n = THREAD_MIN_N
    one = simulate(law, n, beta=30.0, samples=6, seed=5, threads=1)
    for other in (simulate(law, n, beta=30.0, samples=6, seed=5, threads=3), simulate(law, n, beta=30.0, samples=6, seed=5),
                  simulate(law, n, beta=30.0, samples=6, seed=5, workers=2)):
        assert other.to_dict() == one.to_dict()
        for stat in one.values:
            assert np.array_equal(other.values[stat], one.values[stat]), stat


def test_threads_out_of_range_is_refused():
    with pytest.raises(InputError, match="threads"):
        simulate(UniformSphere(3), 10, beta=1.0, samples=2, threads=0)


def test_weights_are_a_probability_vector():
    res = simulate(UniformSphere(3), 3000, lam=1.0, samples=50, seed=2, k=3000)
    top = res.top_weights
    assert np.all(top >= 0)
    np.testing.assert_allclose(top.sum(axis=1), 1.0, rtol=1e-12)
    np.testing.assert_allclose(top[:, 0], res.values["max_weight"], rtol=1e-15)
    np.testing.assert_allclose((top**2).sum(axis=1), res.values["ipr"], rtol=1e-12)


def test_empirical_law_matches_its_rows():
    keys = np.random.default_rng(0).standard_normal((50, 6))
    law = Empirical(keys)
    unit = keys / np.linalg.norm(keys, axis=1, keepdims=True)
    np.testing.assert_allclose(law.row_distances, 1 - unit @ law.query, atol=1e-15)
    s = simulate(law, 10, beta=1e30, samples=3, seed=1)
    assert np.all(s.values["max_weight"] == 1.0)


def test_large_n_stays_finite():
    s = attend_exact(UniformSphere(3), 30_000_000, 1e6, as_seed_sequence(1), output=False)
    assert all(np.all(np.isfinite(v)) for v in s.values())
    assert 0 < s["nearest_distance"] < 1e-5


@pytest.mark.slow
def test_billion_keys_stay_finite():
    s = attend_exact(UniformSphere(3), 10**9, 1e8, as_seed_sequence(1), output=False)
    assert all(np.all(np.isfinite(v)) for v in s.values())
