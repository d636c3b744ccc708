"""Attention sinks measured in (synthetic) heads: planted sinks are found, their measured weight is the softmax
mass on them, S_q and β_q are as defined, and the bulk law leaves the sink keys out (:ref:`theory-sinks`)."""

import numpy as np
import pytest

from attnlimits.models._extract import KeyExtraction
from attnlimits.models._positions import binned_laws
from attnlimits.models._sinks import common_positions, detect_sinks, measured_sinks, sink_terms
from attnlimits.models._spans import key_weights, row_statistics, span_probabilities, visible_counts


def _planted(T=600, d=8, seed=0, second=40, window=None):
    """Gaussian q, k (uniform directions) with the first key made dominant (aligned with a common query
    direction, long) and a second planted sink at position ``second`` (weaker); two windows of T tokens."""
    rng = np.random.default_rng(seed)
    u = np.zeros(d)
    u[0] = 1.0
    q = rng.standard_normal((2 * T, d)) + 1.5 * u
    k = rng.standard_normal((2 * T, d))
    for start in (0, T):
        k[start] = 10.0 * u
        if second is not None:
            k[start + second] = 8.0 * u
    pos = np.tile(np.arange(T), 2)
    specs = None
    if window is not None:
        from attnlimits.models._decoder import LayerSpec

        specs = [LayerSpec(scale=0.5, softcap=None, sliding_window=window, layer_type="sliding_attention", rope={})]
    return KeyExtraction(queries=q[None, None].astype(np.float32), keys=k[None, None].astype(np.float32), scale=0.5,
                         window=np.repeat([0, 1], T), model="planted", position=pos, causal=True, specs=specs,
                         layers=[0], heads=[0], kv_heads=[0])


def _dense(ex):
    return {w: span_probabilities(ex, 0, 0, w) for w in np.unique(ex.window)}


def test_key_weights_are_the_dense_softmax():
    ex = _planted(T=300)
    dense = _dense(ex)
    rows = np.arange(len(ex.window))
    st = row_statistics(ex, 0, 0, rows=rows, key_positions=[0, 40, 299], block=5000)
    w = key_weights(ex, 0, 0, rows, [0, 40, 299], st["log_normalizer"])
    ref = np.concatenate([dense[win][:, [0, 40, 299]] for win in (0, 1)])
    np.testing.assert_allclose(w, ref, rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(st["key_weight"], ref, rtol=1e-12, atol=1e-300)
    p = np.concatenate([dense[0], dense[1]])
    np.testing.assert_allclose(st["ipr"], (p ** 2).sum(axis=1), rtol=1e-12)
    assert np.all(w[:40, 1] == 0.0)  # not yet visible: weight 0


def test_position_weights_sum_the_later_queries():
    ex = _planted(T=300)
    dense = _dense(ex)
    st = row_statistics(ex, 0, 0, lag=64, block=3000)
    ref_w, ref_c = np.zeros(300), np.zeros(300, dtype=int)
    for win in (0, 1):
        p = dense[win]
        lagged = np.arange(300)[:, None] - np.arange(300)[None, :] >= 64
        ref_w += np.where(lagged, p, 0.0).sum(axis=0)
        ref_c += lagged.sum(axis=0)
    np.testing.assert_allclose(st["position_weight"], ref_w, rtol=1e-12, atol=1e-300)
    np.testing.assert_array_equal(st["position_count"], ref_c)


def test_planted_sinks_are_found_and_weighed():
    """Both planted sinks are found (and nothing else); the measured sink weight is the mean softmax mass on
    them over the bin's queries, from the dense matrix computed independently."""
    ex = _planted()
    dense = _dense(ex)
    bins = binned_laws(ex, 0, 0, first=128, exact=False)
    vis = visible_counts(ex, 0)
    for b in bins:
        rows = np.flatnonzero((vis >= b["n_lo"]) & (vis < b["n_hi"]))
        assert b["sinks"] == [0, 40]
        mass = np.array([dense[ex.window[r]][ex.position[r], [0, 40]].sum() for r in rows])
        assert b["measured_sink_weight"] == pytest.approx(mass.mean(), rel=1e-12)
        assert b["measured_sink_weight_se"] == pytest.approx(mass.std(ddof=1) / np.sqrt(rows.size), rel=1e-9)
        assert b["measured_sink_weight"] > 0.5 and b["sink_argmax_fraction"] > 0.5
        assert len(b["sink_score_quartiles"]) == 2 and b["sink_queries"] == min(rows.size, 256)


def test_no_false_sinks_without_planting():
    rng = np.random.default_rng(1)
    T = 500
    ex = KeyExtraction(queries=rng.standard_normal((1, 1, T, 8)).astype(np.float32),
                       keys=rng.standard_normal((1, 1, T, 8)).astype(np.float32), scale=0.3, window=np.zeros(T, dtype=int),
                       model="iid", position=np.arange(T), causal=True)
    st = row_statistics(ex, 0, 0, rows=np.arange(256, T), lag=64)
    assert detect_sinks(st["position_weight"], st["position_count"], *common_positions(ex, 0, np.arange(256, T))) == [0]


def test_sinks_outside_a_sliding_window_are_not_sinks():
    """Past the window, no query sees the first token: that bin has no sink; before it, the first token is
    one."""
    ex = _planted(T=400, window=100, second=None)
    assert common_positions(ex, 0, np.array([150, 160])) == (61, 150)
    bins = binned_laws(ex, 0, 0, first=16, exact=False)
    assert [b["n_lo"] for b in bins] == [16, 32, 64]
    assert bins[0]["sinks"] == [0] and bins[1]["sinks"] == [0]
    assert bins[2]["sinks"] == [] and bins[2]["measured_sink_weight"] == 0.0  # [64, 128) holds the queries past W


def test_scores_and_betas_are_as_defined():
    """β_q·S_q = scale·q·k_sink exactly, with β_q = |q|·median|k_bulk|·scale over the query's visible keys
    without the sinks."""
    ex = _planted()
    rows = np.array([200, 350, 599, 700, 1199])
    t = sink_terms(ex, 0, 0, rows, [0, 40])
    q = ex.queries[0, 0].astype(np.float64)
    k = ex.keys[0, 0].astype(np.float64)
    starts = np.where(rows >= 600, 600, 0)
    for i, r in enumerate(rows):
        for j, p in enumerate((0, 40)):
            assert t["logit"][i, j] == pytest.approx(0.5 * q[r] @ k[starts[i] + p], rel=1e-12)
        bulk = [x for x in range(starts[i], r + 1) if x - starts[i] not in (0, 40)]
        med = np.median(np.linalg.norm(k[bulk], axis=1))
        assert t["beta"][i] == pytest.approx(np.linalg.norm(q[r]) * med * 0.5, rel=1e-12)
        assert t["score"][i, 0] == pytest.approx(q[r] @ k[starts[i]] / (np.linalg.norm(q[r]) * med), rel=1e-12)


def test_measured_sinks_without_sinks():
    ex = _planted(T=300)
    rows = np.arange(100, 300)
    st = row_statistics(ex, 0, 0, rows=rows)
    out = measured_sinks(ex, 0, 0, rows, st, [])
    assert out["sinks"] == [] and out["measured_sink_weight"] == 0.0 and out["sink_argmax_fraction"] == 0.0


def test_bulk_law_leaves_the_sink_keys_out():
    """The bulk law is fitted to the pooled distances less those of the sink keys: the pooled queries each
    lose exactly their two sinks; the planted sinks, nearer than every bulk key, would otherwise set its
    smallest distances."""
    ex = _planted()
    bins = binned_laws(ex, 0, 0, first=256, exact=False, keep_law=True)
    for b in bins:
        if not b["estimated"]:
            continue
        assert b["bulk_law"].fit.m == b["law"].fit.m - 2 * b["pooled_queries"]
        assert b["bulk_law"].fit.threshold > b["law"].fit.threshold  # the sinks were the nearest keys


def test_sink_aware_prediction_recovers_a_planted_model():
    """Keys from the model of :ref:`theory-sinks` itself: a uniform bulk of unit keys, one fixed key 1.2·u, queries of
    norm β = 20 (scale 1) leaning towards u, so each query has its own S_q = 1.2·cos(q, u). The sink-aware
    prediction (exact conditional values averaged over the sampled queries, law estimated from the bulk)
    matches the measured mean max weight and sink weight within 4 combined SE; the i.i.d. prediction, which
    has no sink, misses by far more."""
    rng = np.random.default_rng(5)
    d, T, W, beta = 8, 1024, 2, 20.0
    u = np.zeros(d)
    u[0] = 1.0
    Q, K = [], []
    for _ in range(W):
        q = 2.0 * u + rng.standard_normal((T, d))
        Q.append(beta * q / np.linalg.norm(q, axis=1, keepdims=True))
        k = rng.standard_normal((T, d))
        k /= np.linalg.norm(k, axis=1, keepdims=True)
        k[0] = 1.2 * u  # score 1.2 cos(q, u): above every bulk key for the queries near u
        K.append(k)
    ex = KeyExtraction(queries=np.concatenate(Q)[None, None].astype(np.float32),
                       keys=np.concatenate(K)[None, None].astype(np.float32), scale=1.0,
                       window=np.repeat(np.arange(W), T), model="model", position=np.tile(np.arange(T), W), causal=True)
    b = binned_laws(ex, 0, 0, first=512, queries_per_bin=64, exact=True)[0]
    assert b["n_lo"] == 512 and b["sinks"] == [0] and b["sink_queries"] == 256
    assert b["sink_beta_quartiles"][1] == pytest.approx(beta, rel=1e-5)  # unit bulk keys: median|k_bulk| = 1
    for meas, pred in (("measured_max_weight", "predicted_max_weight_sink"),
                       ("measured_sink_weight", "predicted_sink_weight")):
        se = np.hypot(b[meas + "_se"], b[pred + "_se"])
        assert abs(b[pred] - b[meas]) < 4 * se, (meas, b[meas], b[pred], se)
    assert abs(b["predicted_max_weight"] - b["measured_max_weight"]) > 10 * b["measured_max_weight_se"]
