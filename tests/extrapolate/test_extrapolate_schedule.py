"""The per-head iso schedule of yarn_iso: the audit's roots go to their heads; a head whose audit failed (an
error, or no root at some node) takes the uniform schedule, and the record says which and why; the audit runs on
the model with YaRN's frequencies and attention factor 1, from the text's first T tokens, and the model is put
back afterwards; worker processes change no value."""

import math

import numpy as np
import pytest

from attnlimits.extrapolate import estimate_schedule, iso_nodes

T = 64


def _fake_audit(layers, heads, nodes):
    """An audit result with known roots: head (l, h) gets 1 + 0.01·(l + 1)·k at node k; (0, 1) fails outright and
    (1, 0) has no root at its third node."""
    out = []
    for li in range(layers):
        for h in range(heads):
            rows = [{"n": n, "r_iso": 1 + 0.01 * (li + 1) * (k + 1), "r_iso_error": 1e-4} for k, n in enumerate(nodes)]
            rec = {"layer": li, "head": h, "rows": rows, "sinks": [0], "max_weight_train": 0.5, "bin": [32, 64]}
            if (li, h) == (0, 1):
                rec = {"layer": li, "head": h, "error": "too few distances"}
            if (li, h) == (1, 0):
                rows[2] = {"n": nodes[2], "r_iso": math.nan, "r_iso_error": math.nan, "error": "no root for r in [1, 2]"}
            out.append(rec)
    return {"heads": out, "queries": 8, "tol": 1e-4, "seed": 0, "kept_quartiles": [0.4, 0.5, 0.6],
            "timings": {"total": 0.0}, "tokens": T}


def test_fallback_to_uniform(tiny_lm, monkeypatch):
    import attnlimits.extrapolate._schedule as sched

    seen = {}

    def fake(lm, rope, text_path, n_train, nodes, queries, tol, seed, workers, row_nodes, progress):
        seen.update(rope=rope, n_train=n_train, nodes=nodes, row_nodes=row_nodes)
        return _fake_audit(lm.layers, lm.heads, nodes)

    monkeypatch.setattr(sched, "_audit", fake)
    s = estimate_schedule(tiny_lm, "pydoc-topics", T)
    assert seen["rope"] == {"rope_theta": 10000.0, "rope_type": "yarn", "factor": 2.0,
                            "original_max_position_embeddings": T, "attention_factor": 1.0}
    assert seen["nodes"] == iso_nodes(T).tolist() and s.per_head.shape == (2, 4, 16) and seen["row_nodes"] == 5
    for li in range(2):
        for h in range(4):
            if (li, h) in ((0, 1), (1, 0)):
                assert s.source[li, h] == "uniform" and np.array_equal(s.per_head[li, h], s.uniform)
            else:
                assert s.source[li, h] == "audit"
                np.testing.assert_allclose(s.per_head[li, h], 1 + 0.01 * (li + 1) * np.arange(1, 17))
    rec = s.record
    assert rec["fallback_heads"] == 2 and rec["token_range"] == [0, T]
    reasons = {(h["layer"], h["head"]): h["reason"] for h in rec["heads"] if "reason" in h}
    assert reasons[(0, 1)] == "too few distances" and "no root at n = " in reasons[(1, 0)]


def test_uniform_only_runs_no_audit(tiny_lm, monkeypatch):
    import attnlimits.extrapolate._schedule as sched

    monkeypatch.setattr(sched, "_audit", lambda *a, **k: pytest.fail("no audit without yarn_iso"))
    s = estimate_schedule(tiny_lm, "pydoc-topics", T, per_head=False)
    assert np.all(s.source == "uniform") and "heads" not in s.record and np.all(np.diff(s.uniform) > 0)


@pytest.fixture(scope="module")
def small_schedule(small_lm):
    return estimate_schedule(small_lm, "pydoc-topics", T, points=2, queries=8)


def test_audit_on_the_yarn_model(small_lm, small_schedule):
    """The real audit on the YaRN (attention factor 1) model: a root per node, the model restored after."""
    from attnlimits.models import audit_checkpoint

    rec = small_schedule.record
    assert rec["model_variant"].startswith("YaRN ×2 frequencies, attention_factor 1")
    assert small_lm.model.config.rope_parameters == {"rope_type": "default", "rope_theta": 10000.0}
    done = [h for h in rec["heads"] if "r_iso" in h]
    for h in done:
        assert small_schedule.source[h["layer"], h["head"]] == "audit"
        np.testing.assert_array_equal(small_schedule.per_head[h["layer"], h["head"]], h["r_iso"])
    # the plain model's audit differs: the schedule was estimated on the modified one
    plain = audit_checkpoint(small_lm, "pydoc-topics", n_train=T, ns=rec["nodes"], max_tokens=T, queries=8)
    if done and "rows" in plain["heads"][0]:
        assert plain["heads"][0]["rows"][-1]["r_iso"] != done[0]["r_iso"][-1]


@pytest.mark.slow
def test_sixteen_nodes_from_five_exact_roots(small_lm):
    """The command's schedule: 16 nodes, exact roots at 5 of them per head (row_nodes), interpolated between and
    checked at a sixth to the audit's relative accuracy; in two forked workers, the same values as in one."""
    from attnlimits.schedules._audit import AUDIT_RTOL

    one = estimate_schedule(small_lm, "pydoc-topics", T, queries=8, workers=1)
    two = estimate_schedule(small_lm, "pydoc-topics", T, queries=8, workers=2)
    np.testing.assert_array_equal(two.per_head, one.per_head)
    assert one.record["row_nodes"] == 5 and len(one.record["nodes"]) == 16
    for h in one.record["heads"]:
        if "r_iso" in h:
            assert len(h["exact_at"]) == 5 and h["check"]["relative_deviation"] <= AUDIT_RTOL
