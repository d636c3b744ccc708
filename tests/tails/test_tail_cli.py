"""`attnlimits tail`, `schedule`, `keys`: JSON keys as specified, bad input → one line, exit 2."""

import numpy as np
import pytest

KEYS = {"tail_class", "xi", "xi_ci", "alpha", "alpha_ci", "c", "beta_star", "model_beta", "regime_at"}
NS = ["1e3", "1e4", "1e5", "1e6", "1e7", "1e8", "1e9"]


def test_tail_scores_gaussian(tmp_path, cli_json):
    np.save(tmp_path / "s.npy", np.random.default_rng(1).standard_normal(20000))
    out = cli_json("tail", "--scores", tmp_path / "s.npy", "--seed", "1")
    assert KEYS <= set(out)
    assert out["tail_class"] == "gumbel" and out["alpha"] is None and out["alpha_ci"] is None
    assert list(out["beta_star"]) == NS
    assert all(set(v) == {"value", "lo", "hi"} for v in out["beta_star"].values())
    assert out["model_beta"] is None and out["regime_at"] is None


def test_tail_scores_with_endpoint(tmp_path, cli_json):
    np.save(tmp_path / "s.npy", 1.0 - np.random.default_rng(2).beta(2.0, 3.0, 20000))
    out = cli_json("tail", "--scores", tmp_path / "s.npy", "--endpoint", "1")
    assert out["tail_class"] == "weibull" and out["alpha_ci"][0] <= 2.0 <= out["alpha_ci"][1]


def test_tail_keys_pooled_has_model_beta_and_regimes(tmp_path, cli_json):
    rng = np.random.default_rng(3)
    keys = rng.standard_normal((3000, 6)).astype(np.float32)
    queries = rng.standard_normal((40, 6)).astype(np.float32)
    np.savez(tmp_path / "k.npz", keys=keys, queries=queries, scale=np.float64(6**-0.5))
    out = cli_json("tail", "--keys", tmp_path / "k.npz", "--pooled")
    assert KEYS <= set(out)
    assert out["model_beta"] > 0 and list(out["regime_at"]) == NS
    assert set(out["regime_at"].values()) <= {"subcritical", "critical", "supercritical"}
    # Gaussian keys have uniform directions: α = (d − 1)/2 = 2.5
    assert out["alpha_ci"][0] <= 2.5 <= out["alpha_ci"][1]


@pytest.mark.parametrize("make, args, word", [
    (lambda p: np.save(p / "s.npy", np.array([1.0, np.nan] * 300)), ["--scores", "s.npy"], "NaN"),
    (lambda p: np.save(p / "s.npy", np.ones((30, 30))), ["--scores", "s.npy"], "1-D"),
    (lambda p: None, ["--scores", "missing.npy"], "not found"),
    (lambda p: None, [], "exactly one"),
    (lambda p: np.savez(p / "k.npz", keys=np.ones((5, 3))), ["--keys", "k.npz"], "queries"),
    (lambda p: np.savez(p / "k.npz", keys=np.ones((50, 3)), queries=np.ones((5, 4))), ["--keys", "k.npz"], "queries"),
])
def test_tail_bad_input(tmp_path, cli, make, args, word):
    make(tmp_path)
    proc = cli("tail", *args, "--json", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and word in proc.stderr


def test_schedule_json(cli_json):
    out = cli_json("schedule", "--n-train", "4096", "--n", "4096,16384,1e5", "--d", "8")
    assert [r["n"] for r in out["rows"]] == [4096, 16384, 100000]
    row = out["rows"][1]
    assert {"yarn", "longrope", "qwen", "llama4", "ssmax", "iso", "none"} <= set(row["rules"])
    assert row["rules"]["yarn"]["multiplier"] == pytest.approx((0.1 * np.log(4) + 1) ** 2)
    assert out["rows"][0]["rules"]["iso"]["beta"] == pytest.approx(out["beta_train"])


@pytest.mark.parametrize("args, word", [
    (["--n-train", "4096", "--n", "abc"], "n"),
    (["--n-train", "4096", "--n", "8192", "--d", "1"], "d"),
    (["--n-train", "4096", "--n", "8192", "--d", "8", "--keys", "x.npz"], "one of"),
])
def test_schedule_bad_input(cli, args, word):
    proc = cli("schedule", *args, "--json")
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and word in proc.stderr
