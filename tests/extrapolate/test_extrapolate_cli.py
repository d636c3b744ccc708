"""``attnlimits extrapolate``: bad input ends in one line and exit 2 (before any work where it can); --json has the
promised shape (every choice frozen and hashed before the first loss; paired differences from yarn; the check);
the screen fits 80 columns; --plot writes a figure. On tiny random decoders: machinery only."""

import hashlib
import json

import numpy as np
import pytest

T = 64


@pytest.fixture
def run():
    from cli.fuzz_helpers import run_in_process

    return lambda *args: run_in_process(args)


def _one_error(code, err, word):
    lines = [ln for ln in err.strip().splitlines() if not ln.startswith(("warning: ", "note: "))]
    return code == 2 and len(lines) == 1 and lines[0].startswith("error: ") and word in lines[0]


@pytest.mark.parametrize("args, word", [
    (["--recipes", "yarn,foo"], "unknown recipe 'foo'"),
    (["--recipes", ""], "recipes"),
    (["--train-length", "32"], "train-length"),
    (["--train-length", "1e6"], "the text gives"),
    (["--windows", "0"], "windows"),
    (["--queries", "40"], "queries"),
    (["--device", "tpu"], "device"),
    (["--text", "/nonexistent/file.txt"], "text"),
])
def test_bad_input(run, tiny_lm_dir, args, word):
    base = {"--train-length": str(T)}
    argv = ["extrapolate", "--model", tiny_lm_dir]
    for k, v in base.items():
        if k not in args:
            argv += [k, v]
    code, out, err = run(*argv, *args)
    assert _one_error(code, err, word), (code, err)
    assert out == ""


def test_unknown_recipe_before_the_model_loads(run):
    code, _, err = run("extrapolate", "--model", "/nonexistent/model", "--train-length", "64", "--recipes", "bogus")
    assert _one_error(code, err, "recipes")


def test_cuda_without_a_device(run, tiny_lm_dir):
    import torch

    if torch.cuda.is_available():
        pytest.skip("a CUDA device is present")
    code, _, err = run("extrapolate", "--model", tiny_lm_dir, "--train-length", "64", "--device", "cuda")
    assert _one_error(code, err, "no CUDA device")


def test_models_the_recipes_do_not_fit(run, tmp_path):
    from _tiny_lm import save_tiny_lm

    code, _, err = run("extrapolate", "--model", "minilm", "--train-length", "64")
    assert _one_error(code, err, "causal decoder")
    scaled = save_tiny_lm(tmp_path / "yarn", rope_parameters={"rope_type": "linear", "rope_theta": 10000.0,
                                                              "factor": 2.0})
    code, _, err = run("extrapolate", "--model", scaled, "--train-length", "64")
    assert _one_error(code, err, "already scaled")


@pytest.fixture(scope="module")
def cli_json(tiny_lm_dir):
    from cli.fuzz_helpers import run_in_process

    code, out, err = run_in_process(["extrapolate", "--model", tiny_lm_dir, "--train-length", T, "--windows", 2,
                                     "--recipes", "none,yarn_qwen,linear", "--queries", 4, "--json"])
    assert code == 0, err
    return json.loads(out)


def test_json_shape(cli_json):
    r = cli_json
    assert r["n_train"] == T and r["window_tokens"] == 2 * T and r["windows_run"] == 2 and r["reference"] == "yarn"
    assert list(r["recipes"]) == ["none", "linear", "yarn", "yarn_qwen"]  # RECIPES order, yarn added
    assert any("yarn added" in n for n in r["notes"])
    fr = r["frozen"]
    assert fr["token_ranges"]["windows"] == [[T, 3 * T], [3 * T, 5 * T]] and fr["token_ranges"]["schedule"] is None
    assert fr["recipes"]["yarn"]["rope_parameters"]["rope_type"] == "yarn" and fr["recipes"]["none"]["rope_parameters"] is None
    assert fr["max_weight"]["queries"] == 4 and len(fr["max_weight"]["rows"]) == 2
    assert r["frozen_sha256"] == hashlib.sha256(json.dumps(fr, sort_keys=True, separators=(",", ":"),
                                                           ensure_ascii=True).encode()).hexdigest()
    for name, rec in r["recipes"].items():
        for part, tokens in (("loss_long", 2 * (T - 1)), ("loss_short", 2 * T)):
            e = rec[part]
            assert e["tokens"] == tokens and e["blocks"] == 2 and np.isfinite(e["mean"])
            assert (e["diff"] is None) == (name == "yarn")
        mw = rec["max_weight"]
        assert len(mw["heads"]) == 8 and mw["rows"] == [8, 8]
        assert all(0 < h["short"] <= 1 and 0 < h["long"] <= 1 for h in mw["heads"])
    assert r["recipes"]["yarn_qwen"]["multiplier"]["2T"] == pytest.approx(np.log(2 * T) / np.log(T))
    assert r["check_passed"] and set(r["check"]) == set(r["recipes"])
    assert all(c["max_abs_error"] <= 1e-5 for c in r["check"].values())
    w0 = r["windows"][0]
    assert w0["tokens"] == [T, 3 * T] and set(w0["loss_long"]) == set(r["recipes"])
    assert r["text"]["name"] == "pydoc-topics" and any(line.startswith("text: ") for line in r["provenance"])
    assert r["timings"]["peak_rss_mb"] > 0


def test_screen_fits_80_columns_and_plot(run, tiny_lm_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    code, out, err = run("extrapolate", "--model", tiny_lm_dir, "--train-length", T, "--recipes", "none,yarn_llama4",
                         "--queries", 4, "--plot", tmp_path / "x.png")
    assert code == 0, err
    assert "exactness check passed" in out and "NoPE" in out and "paired against yarn" in out
    tables = [ln for ln in out.splitlines() if any(c in ln for c in "┃│┏┡└━")]
    assert tables and max(len(ln) for ln in tables) <= 80
    assert (tmp_path / "x.png").stat().st_size > 0


def test_every_recipe_end_to_end(small_lm):
    """All eight recipes, yarn_iso's schedule from a real audit (2 nodes here to keep it quick; the command uses
    16): JSON-ready, frozen with the schedule, the check passing for each recipe."""
    from attnlimits._json import to_jsonable
    from attnlimits.extrapolate import RECIPES, run_extrapolation

    r = to_jsonable(run_extrapolation(small_lm, T, windows=2, queries=4, schedule_queries=8, points=2))
    json.dumps(r, allow_nan=False)
    assert list(r["recipes"]) == list(RECIPES) and r["check_passed"]
    sched = r["frozen"]["schedule"]
    assert sched["token_range"] == [0, T] and len(sched["nodes"]) == 2 and len(sched["heads"]) == 2
    assert r["frozen"]["token_ranges"]["schedule"] == [0, T]
    assert r["frozen"]["token_ranges"]["windows"][0][0] >= T  # disjoint from the schedule's tokens
    assert r["recipes"]["yarn_iso"]["multiplier"]["T"] == 1.0
    assert r["recipes"]["yarn"]["multiplier"]["T"] == pytest.approx((0.1 * np.log(2) + 1) ** 2)
