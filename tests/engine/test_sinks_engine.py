"""Fixed keys (attention sinks, :ref:`theory-sinks`) in the engine: invariants, m = 0 unchanged, refusals."""

import math
import warnings

import numpy as np
import pytest

from attnlimits._rng import as_seed_sequence
from attnlimits._validation import InputError
from attnlimits.engine import attend_exact, simulate
from attnlimits.laws import UniformSphere


@pytest.mark.parametrize("sinks", [[0.9], [1.3, -1.4], [0.2, 0.2, 0.95]])
def test_weights_nonnegative_and_sum_to_one(sinks):
    """With k ≥ n + m the top weights are all the weights: ≥ 0, summing to 1, the sinks' among them."""
    n = 40
    row = attend_exact(UniformSphere(8), n, 15.0, as_seed_sequence(3), k=n + len(sinks), output=False, sinks=sinks)
    w = row["top_weights"]
    assert w.size == n + len(sinks) and np.all(w >= 0.0)
    assert abs(w.sum() - 1.0) <= 1e-13
    per = [row[f"sink_weight_{j}"] for j in range(len(sinks))]
    assert abs(sum(per) - row["sink_weight"]) <= 1e-15
    for v in per:
        assert np.min(np.abs(w - v)) <= 1e-15
    assert row["max_weight"] == w[0] and abs(row["ipr"] - float(w @ w)) <= 1e-13


def test_no_sinks_is_bit_for_bit_unchanged():
    law = UniformSphere(5)
    a = simulate(law, 300, 12.0, samples=50, seed=7)
    b = simulate(law, 300, 12.0, samples=50, seed=7, sinks=())
    c = simulate(law, 300, 12.0, samples=50, seed=7, output=True)
    assert a.statistics == b.statistics == c.statistics and "tangent_sq" in a.statistics
    for stat in a.statistics:
        assert np.array_equal(a.values[stat], b.values[stat]) and np.array_equal(a.values[stat], c.values[stat])
    assert "sinks" not in a.to_dict()


def test_sinks_leave_the_random_keys_draws_alone():
    """The same seed draws the same random keys: the sink only rescales them by (1 − w_sink), pathwise."""
    law = UniformSphere(5)
    a = simulate(law, 300, 12.0, samples=40, seed=9, output=False)
    b = simulate(law, 300, 12.0, samples=40, seed=9, sinks=[0.4])
    assert np.array_equal(a.values["nearest_distance"], b.values["nearest_distance"])
    ws = b.values["sink_weight"]
    holds = ws >= b.values["max_weight"]
    np.testing.assert_allclose(b.values["max_weight"][~holds], (1 - ws[~holds]) * a.values["max_weight"][~holds],
                               rtol=1e-12)
    assert b.to_dict()["sinks"] == [0.4]


def test_huge_logits_never_overflow():
    """A sink at S = 50 with β = 1e4 (logit 5e5): the replicate is shifted by its own largest logit."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = simulate(UniformSphere(3), 100, 1e4, samples=5, seed=1, sinks=[50.0, -50.0])
    assert np.all(res.values["sink_weight_0"] == 1.0) and np.all(res.values["sink_weight_1"] == 0.0)
    assert np.all(res.values["max_weight"] == 1.0) and np.all(res.values["ipr"] == 1.0)
    assert np.all(np.isfinite(res.values["entropy"]))


def test_inner_counts_the_sinks_scores():
    """⟨q,O⟩ = Σ w⟨q,K⟩ over all keys: a sink that takes all the mass gives its own score."""
    res = simulate(UniformSphere(3), 50, 1e4, samples=3, seed=2, sinks=[3.0])
    assert np.allclose(res.values["inner"], 3.0, rtol=0, atol=1e-12)


def test_refusals_name_the_parameter():
    law = UniformSphere(3)
    with pytest.raises(InputError, match="sinks"):
        simulate(law, 100, 1.0, samples=2, sinks=[math.nan], output=False)
    with pytest.raises(InputError, match="output"):
        simulate(law, 100, 1.0, samples=2, sinks=[0.5], output=True)
    with pytest.raises(InputError, match="sinks"):
        simulate(law, 100, 1.0, samples=2, sinks=[0.5], method="orderstat")
    assert simulate(law, 100, 1.0, samples=2, seed=1, sinks=[0.5], method="auto").method == "exact"


def test_simulate_cli_with_sinks(cli_json, cli):
    out = cli_json("simulate", "--d", "8", "--n", "1000", "--beta", "20", "--sink", "0.9", "--sink", "1.1",
                   "--samples", "50", "--seed", "4")
    assert out["sinks"] == [0.9, 1.1] and "tangent_sq" not in out
    assert out["sink_weight"]["mean"] == pytest.approx(out["sink_weight_0"]["mean"] + out["sink_weight_1"]["mean"])
    proc = cli("simulate", "--d", "8", "--n", "100", "--beta", "2", "--sink", "nan")
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1 and "sink" in proc.stderr
    proc = cli("simulate", "--d", "8", "--n", "100", "--beta", "2", "--sink", "0.5", "--output")
    assert proc.returncode == 2 and "output" in proc.stderr
