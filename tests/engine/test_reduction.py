"""The streaming reduction equals a direct dense computation, and stays exact at the extremes."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from attnlimits import UniformSphere
from attnlimits._rng import as_seed_sequence
from attnlimits.engine import WeightReduction, attend_exact


def dense_statistics(dist: np.ndarray, beta: float, k: int) -> dict:
    """Direct softmax of −βD over all keys at once (the reference)."""
    logits = -beta * (dist - dist.min())
    w = np.exp(logits)
    w /= w.sum()
    pos = w[w > 0]
    order = np.sort(w)[::-1][:k]
    return {
        "max_weight": w.max(),
        "ipr": np.sum(w * w),
        "entropy": -np.sum(pos * np.log(pos)),
        "nearest_distance": dist.min(),
        "inner": 1.0 - np.sum(w * dist),
        "defect": beta * np.sum(w * dist),
        "top_weights": order,
    }


def assert_close(a, b):
    np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)


@settings(max_examples=60, deadline=None)
@given(d=st.sampled_from([2, 3, 5, 64, 4096]), n=st.integers(1, 3000), log_beta=st.floats(-3, 6),
       chunk=st.integers(1, 700), seed=st.integers(0, 2**32 - 1))
def test_streaming_equals_dense(d, n, log_beta, chunk, seed):
    beta = 10.0**log_beta
    rng = np.random.default_rng(seed)
    dist = UniformSphere(d).draw(rng, n).distances
    red = WeightReduction(beta, k=7)
    for start in range(0, n, chunk):
        red.update(dist[start:start + chunk])
    got, want = red.finish(), dense_statistics(dist, beta, 7)
    for key in want.keys() - {"inner"}:
        assert_close(got[key], want[key])
    # ⟨q,O⟩ = 1 − Σ w D is ill-conditioned where it is near 0 (both sides lose digits in the subtraction):
    # its accuracy is checked on the scale of 1 here, and relatively through `defect` = β Σ w D above.
    np.testing.assert_allclose(got["inner"], want["inner"], rtol=0, atol=1e-14)
    assert_close(got["effective_support"], np.exp(want["entropy"]))


def test_zero_beta_is_uniform_average():
    dist = np.random.default_rng(1).random(1000) * 2
    red = WeightReduction(0.0, k=3)
    for part in np.array_split(dist, 7):
        red.update(part)
    s = red.finish()
    assert s["max_weight"] == pytest.approx(1e-3, rel=1e-14)
    assert s["ipr"] == pytest.approx(1e-3, rel=1e-14)
    assert s["entropy"] == pytest.approx(np.log(1000), rel=1e-14)
    assert s["inner"] == pytest.approx(1 - dist.mean(), rel=1e-13)
    assert s["defect"] == 0.0


@pytest.mark.parametrize("d", [2, 3, 64, 4096])
def test_huge_beta_selects_the_nearest_key(d):
    seed = as_seed_sequence(3)
    s = attend_exact(UniformSphere(d), 20000, 1e30, seed, k=3)
    assert s["max_weight"] == 1.0
    assert s["ipr"] == 1.0 and s["entropy"] == 0.0
    np.testing.assert_array_equal(s["top_weights"], [1.0, 0.0, 0.0])
    assert 1.0 - s["inner"] == pytest.approx(s["nearest_distance"], rel=1e-15)
    assert s["output_gap_sq"] == 0.0


def test_tiny_distances_keep_their_precision():
    """At n = 1e12-like scales the nearest keys sit at D ~ 1e-12: weights must see the exact gaps."""
    dist = np.array([1e-12, 2e-12, 1.0])
    red = WeightReduction(1e12, k=2)
    red.update(dist)
    s = red.finish()
    assert s["max_weight"] == pytest.approx(1 / (1 + np.exp(-1.0)), rel=1e-14)
    assert s["defect"] == pytest.approx(1e12 * (1e-12 + 2e-12 * np.exp(-1.0)) / (1 + np.exp(-1.0)), rel=1e-12)
