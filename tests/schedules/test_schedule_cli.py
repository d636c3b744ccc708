"""`attnlimits schedule` with keys from a file: the default β_train is the model's own β; bad combinations of
options are one line and exit code 2 (run in this process)."""

import json

import numpy as np
import pytest


@pytest.fixture
def run():
    """attnlimits ARGS in this process: (exit code, stdout, stderr)."""
    from cli.fuzz_helpers import run_in_process

    return lambda *args: run_in_process(args)


def test_keys_file_defaults_to_the_model_beta(run, tmp_path):
    from attnlimits.tails import estimate_from_keys

    rng = np.random.default_rng(1)
    q, k = rng.standard_normal((64, 8)), rng.standard_normal((20000, 8))
    np.savez(tmp_path / "k.npz", queries=q, keys=k, scale=np.float64(0.5))
    code, out, err = run("schedule", "--keys", tmp_path / "k.npz", "--n-train", "20000", "--n", "200000", "--json")
    assert code == 0, err
    table = json.loads(out)
    est = estimate_from_keys(q, k, pooled=True, scale=0.5, regimes=False)
    assert table["beta_train"] == pytest.approx(est.model_beta, rel=1e-12)
    assert table["beta_train_source"].startswith("model")
    row = table["rows"][0]
    assert row["rules"]["iso"]["max_weight"] == pytest.approx(table["max_weight_train"], abs=1e-6)


@pytest.mark.parametrize("args, word", [
    (["--d", "8", "--model", "minilm", "--layer", "0", "--head", "0"], "one of"),
    (["--d", "8", "--layer", "0"], "--model"),
    (["--model", "minilm", "--layer", "0"], "--head"),
])
def test_bad_option_combinations(run, args, word):
    code, _, err = run("schedule", "--n-train", "512", "--n", "2048", *args, "--json")
    assert code == 2 and err.count("\n") == 1 and word in err
