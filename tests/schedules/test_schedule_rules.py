"""Each practical multiplier equals the transformers function that implements it (:ref:`theory-extreme-value`)."""

import math

import numpy as np
import pytest

from attnlimits.schedules import RULES, llama4, longrope, multipliers, qwen_logn, ssmax, yarn

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")


def _llama_config(rope):
    from transformers import LlamaConfig

    return LlamaConfig(hidden_size=64, num_attention_heads=4, num_hidden_layers=1, intermediate_size=64, vocab_size=64,
                       max_position_embeddings=rope["original_max_position_embeddings"] * 8, rope_parameters=rope)


@pytest.mark.parametrize("factor", [1.0, 2.0, 4.0, 32.0])
def test_yarn_equals_transformers(factor):
    from transformers.modeling_rope_utils import _compute_yarn_parameters

    cfg = _llama_config({"rope_type": "yarn", "factor": factor, "original_max_position_embeddings": 4096, "rope_theta": 1e4})
    _, m = _compute_yarn_parameters(cfg)
    assert yarn(4096 * factor, 4096) == pytest.approx(m * m, rel=1e-12)  # q and k both scaled: logits × m²


def test_yarn_spec_value():
    assert yarn(4 * 4096, 4096) == pytest.approx(1.2965, abs=5e-5)


@pytest.mark.parametrize("factor", [2.0, 4.0, 16.0])
def test_longrope_equals_transformers(factor):
    from transformers.modeling_rope_utils import _compute_longrope_parameters

    cfg = _llama_config({"rope_type": "longrope", "factor": factor, "original_max_position_embeddings": 4096,
                         "rope_theta": 1e4, "long_factor": [1.0] * 8, "short_factor": [1.0] * 8})
    _, m = _compute_longrope_parameters(cfg)
    assert longrope(4096 * factor, 4096) == pytest.approx(m * m, rel=1e-12)


def test_llama4_equals_transformers_attention():
    """A tiny random Llama-4 text model with one NoPE layer and temperature tuning: the attention
    probabilities it returns equal softmax(scale·mult(n)·q·k) with our multiplier at each position."""
    from transformers import Llama4TextConfig, Llama4TextModel

    torch.manual_seed(0)
    floor_scale, attn_scale = 2, 0.25
    cfg = Llama4TextConfig(vocab_size=64, hidden_size=32, intermediate_size=32, intermediate_size_mlp=32,
                           num_hidden_layers=1, num_attention_heads=2, num_key_value_heads=2, head_dim=16,
                           no_rope_layers=[0], attn_temperature_tuning=True, floor_scale=floor_scale,
                           attn_scale=attn_scale, num_local_experts=1, moe_layers=[], use_qk_norm=False,
                           attention_chunk_size=1024, max_position_embeddings=64)
    cfg._attn_implementation = "eager"
    model = Llama4TextModel(cfg).eval()
    attn = model.layers[0].self_attn
    assert not attn.use_rope and attn.attn_temperature_tuning
    seen = {}
    hq = attn.q_proj.register_forward_hook(lambda m, i, o: seen.__setitem__("q", o.detach()))
    hk = attn.k_proj.register_forward_hook(lambda m, i, o: seen.__setitem__("k", o.detach()))
    ids = torch.randint(0, 64, (1, 12))
    with torch.no_grad():
        out = model(input_ids=ids, output_attentions=True)
    hq.remove()
    hk.remove()
    T = ids.shape[1]
    q = seen["q"].view(1, T, 2, 16).transpose(1, 2).double()
    k = seen["k"].view(1, T, 2, 16).transpose(1, 2).double()
    n = torch.arange(1, T + 1, dtype=torch.float64)  # a query at position p sees n = p + 1 keys
    mult = torch.as_tensor(llama4(n.numpy(), attn_scale=attn_scale, floor_scale=floor_scale))
    assert len(set(mult.tolist())) > 2  # the multiplier really varies over these positions
    logits = (q * mult[None, None, :, None]) @ k.transpose(-1, -2) * attn.scaling
    logits = logits.masked_fill(torch.triu(torch.ones(T, T, dtype=torch.bool), 1), float("-inf"))
    probs = torch.softmax(logits, dim=-1)
    np.testing.assert_allclose(out.attentions[0].double().numpy(), probs.numpy(), atol=2e-6)


def test_llama4_defaults():
    assert llama4(8191) == 1.0 and llama4(8192) == pytest.approx(1 + 0.1 * math.log(2))


def test_qwen_logn_formula():
    """Qwen v1 (use_logn_attn) multiplies q by max(1, ln n / ln L): its rule lives only in its model code."""
    L = 2048
    n = np.array([10, 2048, 4096, 32768])
    np.testing.assert_allclose(qwen_logn(n, L), [1.0, 1.0, math.log(4096) / math.log(L), math.log(32768) / math.log(L)])


def test_qwen_logn_published_list():
    """Qwen v1's modeling_qwen.py builds ``logn_list = [math.log(i, seq_length) if i > seq_length else 1 for i in
    range(1, 32768)]`` and multiplies the query at position p (0-based) by ``logn_list[p]``: n = p + 1 keys."""
    L = 64
    logn_list = [math.log(i, L) if i > L else 1 for i in range(1, 4096)]
    p = np.arange(4095)
    np.testing.assert_allclose(qwen_logn(p + 1, L), logn_list, rtol=1e-13)


def test_ssmax_relative_to_training():
    assert ssmax(4096, 4096) == 1.0 and ssmax(4096**2, 4096) == pytest.approx(2.0)


def test_multipliers_are_one_at_training_length():
    m = multipliers(np.array([4096.0]), 4096)
    assert set(m) == set(RULES)
    for name in ("yarn", "longrope", "qwen", "ssmax"):
        assert m[name][0] == pytest.approx(1.0)
