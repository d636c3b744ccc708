"""The multiplier a checkpoint's own config applies to its logits equals what transformers' code applies (:ref:`theory-extreme-value`).

Each mechanism is checked against the transformers function that implements it (``ROPE_INIT_FUNCTIONS``,
``get_llama_4_attn_scale``, ``yarn_apply_mscale`` through the attention module's ``scaling``) and, where a tiny
random model can run it, against the multiplier measured from the model's own eager attention: per query row,
the slope of log p against the un-multiplied logit scale·⟨q, k⟩ (exact for a softmax: log p_j = m·x_j − log Z).
"""

import json
import math
import sys
from pathlib import Path

import numpy as np
import pytest

from attnlimits import InputError
from attnlimits.schedules import (RECIPES, ConfigMultiplier, config_multiplier, llama4_train_floor, ministral3,
                                  qwen_logn, yarn)

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "models"))
from _tiny_decoders import save_tiny  # noqa: E402

NS = np.array([1, 2, 63, 64, 65, 256, 10_000])


def _llama_config(rope, max_positions=4096, **kw):
    from transformers import LlamaConfig

    return LlamaConfig(hidden_size=64, num_attention_heads=4, num_hidden_layers=1, intermediate_size=64,
                       vocab_size=64, max_position_embeddings=max_positions, rope_parameters=dict(rope), **kw)


def _factor(rope_type, config, **kw):
    from transformers.modeling_rope_utils import ROPE_INIT_FUNCTIONS

    return float(ROPE_INIT_FUNCTIONS[rope_type](config, None, **kw)[1])


def _measured_multiplier(probs, raw, visible):
    """Per (head, row) slope of log p on the raw logit over the visible keys (rows with ≥ 2 keys), and the largest
    residual of that straight line."""
    heads, T, _ = probs.shape
    slopes = np.full((heads, T), np.nan)
    worst = 0.0
    for h in range(heads):
        for p in range(T):
            vis = visible[p]
            if vis.sum() < 2:
                continue
            x, y = raw[h, p, vis], np.log(probs[h, p, vis])
            xc = x - x.mean()
            slopes[h, p] = float(xc @ (y - y.mean()) / (xc @ xc))
            worst = max(worst, float(np.abs(y - y.mean() - slopes[h, p] * xc).max()))
    return slopes, worst


def _causal(T, window=None):
    p, j = np.arange(T)[:, None], np.arange(T)[None, :]
    vis = j <= p
    return vis & (j > p - window) if window else vis


# -- frequency-only RoPE types: ×1 ------------------------------------------------------------------------------

FREQUENCY_ONLY = {
    "linear": {"rope_type": "linear", "rope_theta": 1e4, "factor": 4.0},
    "dynamic": {"rope_type": "dynamic", "rope_theta": 1e4, "factor": 4.0},
    "llama3": {"rope_type": "llama3", "rope_theta": 1e4, "factor": 8.0, "low_freq_factor": 1.0,
               "high_freq_factor": 4.0, "original_max_position_embeddings": 512},
    "proportional": {"rope_type": "proportional", "rope_theta": 1e4, "factor": 2.0, "partial_rotary_factor": 0.5},
}


@pytest.mark.parametrize("rope_type", sorted(FREQUENCY_ONLY))
def test_frequency_only_types_leave_the_logits(rope_type):
    cfg = _llama_config(FREQUENCY_ONLY[rope_type])
    assert _factor(rope_type, cfg) == 1.0
    if rope_type == "dynamic":  # recomputed past T: still factor 1
        assert _factor(rope_type, cfg, seq_len=4 * 4096) == 1.0
    r = config_multiplier(cfg, NS)
    assert np.all(r.multiplier == 1.0) and r.rule == "none" and r.static and not r.in_rotary
    assert "frequencies only" in r.description and rope_type in r.description


def test_default_rope_and_no_rope_parameters():
    from transformers.models.llama.modeling_llama import LlamaRotaryEmbedding

    cfg = _llama_config({"rope_type": "default", "rope_theta": 1e4})
    assert LlamaRotaryEmbedding(cfg).attention_scaling == 1.0
    r = config_multiplier(cfg, NS)
    assert np.all(r.multiplier == 1.0) and r.n_train == 4096 and r.n_train_source == "max_position_embeddings"
    bare = config_multiplier({"max_position_embeddings": 2048}, NS)
    assert np.all(bare.multiplier == 1.0) and bare.rope_type == "default" and bare.n_train == 2048


# -- YaRN ------------------------------------------------------------------------------------------------------

YARN_CASES = [
    {"factor": 2.0},
    {"factor": 4.0},
    {"factor": 32.0},
    {"factor": 40.0, "mscale": 1.0, "mscale_all_dim": 1.0},  # DeepSeek-V3 / Ministral 3: the ratio is 1
    {"factor": 16.0, "mscale": 1.0, "mscale_all_dim": 0.5},
    {"factor": 4.0, "attention_factor": 1.3},
]


@pytest.mark.parametrize("extra", YARN_CASES, ids=lambda e: ",".join(f"{k}={v}" for k, v in e.items()))
def test_yarn_equals_transformers_attention_factor_squared(extra):
    rope = {"rope_type": "yarn", "rope_theta": 1e4, "original_max_position_embeddings": 512, **extra}
    cfg = _llama_config(rope, max_positions=int(512 * extra["factor"]))
    m = _factor("yarn", cfg)
    r = config_multiplier(cfg, NS)
    np.testing.assert_allclose(r.multiplier, m * m, rtol=1e-14)  # on cos and sin: q and k, so m²
    assert r.static and r.n_train == 512 and r.n_train_source == "rope_parameters.original_max_position_embeddings"
    assert r.in_rotary == (m != 1.0) and r.uniform
    if m != 1.0:
        assert r.rule == "yarn" and "STATIC" in r.description and "n ≤ T = 512" in r.description
        assert r.multiplier[0] == r.multiplier[-1]  # applied at n = 1 as at n = 10 000: the short-input complaint


def test_yarn_static_factor_against_the_dynamic_recipe():
    """The config's YaRN is the recipe's m² frozen at s = factor: equal at n = factor·T only."""
    cfg = _llama_config({"rope_type": "yarn", "rope_theta": 1e4, "factor": 4.0,
                         "original_max_position_embeddings": 1024})
    ns = np.array([100, 1024, 4096])
    r = config_multiplier(cfg, ns)
    recipe = yarn(ns, 1024)
    assert r.multiplier[2] == pytest.approx(recipe[2], rel=1e-14)
    assert recipe[0] == recipe[1] == 1.0 and r.multiplier[0] == pytest.approx(1.2965, abs=5e-5)


def test_yarn_partial_rotary_is_not_uniform():
    rope = {"rope_type": "yarn", "rope_theta": 1e4, "factor": 4.0, "original_max_position_embeddings": 512,
            "partial_rotary_factor": 0.5}
    cfg = _llama_config(rope, max_positions=2048)
    m = _factor("yarn", cfg)
    r = config_multiplier(cfg, NS)
    assert r.rotary_fraction == 0.5 and not r.uniform
    np.testing.assert_allclose(r.multiplier, m * m, rtol=1e-14)
    assert np.all(r.pass_multiplier == 1.0) and "rotated 0.5" in r.description


def test_legacy_dict_equals_config_object():
    """config.json with the old ``rope_scaling`` (``type``, ``rope_theta`` beside it) reads as the loaded config."""
    cfg = _llama_config({"rope_type": "yarn", "rope_theta": 1e4, "factor": 8.0,
                         "original_max_position_embeddings": 512}, max_positions=4096)
    raw = {"max_position_embeddings": 4096, "rope_theta": 1e4,
           "rope_scaling": {"type": "yarn", "factor": 8.0, "original_max_position_embeddings": 512}}
    a, b = config_multiplier(cfg, NS), config_multiplier(raw, NS)
    np.testing.assert_array_equal(a.multiplier, b.multiplier)
    assert a.n_train == b.n_train == 512


def test_nested_rope_by_layer_type():
    """Gemma 3: RoPE per layer type; YaRN on the full-attention layers only."""
    from transformers import Gemma3TextConfig

    rope = {"full_attention": {"rope_type": "yarn", "rope_theta": 1e6, "factor": 8.0,
                               "original_max_position_embeddings": 256},
            "sliding_attention": {"rope_type": "default", "rope_theta": 1e4}}
    cfg = Gemma3TextConfig(hidden_size=32, intermediate_size=32, num_hidden_layers=2, num_attention_heads=2,
                           num_key_value_heads=1, head_dim=16, vocab_size=64, max_position_embeddings=2048,
                           layer_types=["sliding_attention", "full_attention"], rope_parameters=rope)
    m = _factor("yarn", cfg, layer_type="full_attention")
    assert m != 1.0
    full = config_multiplier(cfg, NS, layer_type="full_attention")
    np.testing.assert_allclose(full.multiplier, m * m, rtol=1e-14)
    np.testing.assert_array_equal(config_multiplier(cfg, NS, layer=1).multiplier, full.multiplier)
    assert np.all(config_multiplier(cfg, NS, layer=0).multiplier == 1.0)
    with pytest.raises(InputError, match="layer_type"):
        config_multiplier(cfg, NS)


# -- LongRoPE --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("extra, max_positions", [({"factor": 4.0}, 2048), ({}, 8192), ({}, 512),
                                                  ({"attention_factor": 1.1}, 2048)])
def test_longrope_equals_transformers_for_short_and_long(extra, max_positions):
    rope = {"rope_type": "longrope", "rope_theta": 1e4, "original_max_position_embeddings": 512,
            "short_factor": [1.0] * 8, "long_factor": [4.0] * 8, **extra}
    cfg = _llama_config(rope, max_positions=max_positions)
    m_short, m_long = _factor("longrope", cfg, seq_len=100), _factor("longrope", cfg, seq_len=4000)
    assert m_short == m_long  # the short/long choice by length changes the frequencies, never the factor
    r = config_multiplier(cfg, NS)
    np.testing.assert_allclose(r.multiplier, m_short**2, rtol=1e-14)
    assert r.static and (r.rule == "longrope") == (m_short != 1.0)


def test_phi3_top_level_original_length():
    from transformers import Phi3Config

    rope = {"rope_type": "longrope", "rope_theta": 1e4, "short_factor": [1.0] * 8, "long_factor": [4.0] * 8}
    cfg = Phi3Config(hidden_size=64, num_attention_heads=4, num_hidden_layers=1, intermediate_size=64,
                     vocab_size=64, max_position_embeddings=131072, original_max_position_embeddings=4096,
                     rope_parameters=rope)
    m = _factor("longrope", cfg)
    r = config_multiplier(cfg, NS)
    np.testing.assert_allclose(r.multiplier, m * m, rtol=1e-14)
    assert r.n_train == 4096 and m == pytest.approx(math.sqrt(1 + math.log(32) / math.log(4096)))


# -- MLA: yarn_apply_mscale folds mscale_all_dim into the softmax scale ------------------------------------------

@pytest.mark.parametrize("mscale, mscale_all_dim", [(1.0, 1.0), (1.0, 0.5)])
def test_deepseek_v3_softmax_scale(mscale, mscale_all_dim):
    from transformers import DeepseekV3Config
    from transformers.models.deepseek_v3.modeling_deepseek_v3 import DeepseekV3Attention

    rope = {"rope_type": "yarn", "rope_theta": 1e4, "factor": 40.0, "original_max_position_embeddings": 64,
            "mscale": mscale, "mscale_all_dim": mscale_all_dim, "beta_fast": 32.0, "beta_slow": 1.0}
    cfg = DeepseekV3Config(hidden_size=64, intermediate_size=64, moe_intermediate_size=32, num_hidden_layers=1,
                           num_attention_heads=2, num_key_value_heads=2, q_lora_rank=None, kv_lora_rank=16,
                           qk_rope_head_dim=8, qk_nope_head_dim=24, v_head_dim=16, vocab_size=64,
                           n_routed_experts=2, num_experts_per_tok=1, first_k_dense_replace=1,
                           max_position_embeddings=2560, rope_parameters=rope)
    scale_factor = DeepseekV3Attention(cfg, layer_idx=0).scaling / (32 ** -0.5)
    m = _factor("yarn", cfg)
    r = config_multiplier(cfg, NS)
    assert r.rotary_fraction == 0.25 and "mscale_all_dim" in r.rule
    np.testing.assert_allclose(r.pass_multiplier, scale_factor, rtol=1e-14)
    np.testing.assert_allclose(r.multiplier, scale_factor * m * m, rtol=1e-14)
    assert r.uniform == (m == 1.0)


def test_mistral4_softmax_scale_and_llama_4_scaling_beta():
    """Mistral 4 (MLA): its YaRN attention factor is 1 (mscale = mscale_all_dim), its attention folds
    get_mscale(128, 1)² into the softmax scale, and scales q by llama_4_scaling_beta's factor on every layer."""
    from transformers import Mistral4Config
    from transformers.models.mistral4.modeling_mistral4 import Mistral4Attention

    cfg = Mistral4Config(hidden_size=64, intermediate_size=64, moe_intermediate_size=32, num_hidden_layers=1,
                         num_attention_heads=2, num_key_value_heads=2, q_lora_rank=None, kv_lora_rank=16,
                         qk_rope_head_dim=8, qk_nope_head_dim=24, v_head_dim=16, vocab_size=64)
    scale_factor = Mistral4Attention(cfg, layer_idx=0).scaling / (32 ** -0.5)
    assert scale_factor > 1.5 and _factor("yarn", cfg) == 1.0
    L = cfg.rope_parameters["original_max_position_embeddings"]
    ns = np.array([1, L, L + 1, 10 * L])
    r = config_multiplier(cfg, ns)
    assert r.rule == "mscale_all_dim+llama4_scaling_beta" and r.uniform and not r.static and not r.in_rotary
    np.testing.assert_allclose(r.multiplier, scale_factor * ministral3(ns, L, beta=0.1), rtol=1e-14)


# -- Llama 4 temperature tuning, measured from a tiny Llama 4 ---------------------------------------------------

def _tiny_llama4(no_rope_layers, floor_scale, attn_scale):
    from transformers import Llama4TextConfig, Llama4TextModel

    torch.manual_seed(0)
    cfg = Llama4TextConfig(vocab_size=64, hidden_size=32, intermediate_size=32, intermediate_size_mlp=32,
                           num_hidden_layers=len(no_rope_layers), num_attention_heads=2, num_key_value_heads=2,
                           head_dim=16, no_rope_layers=list(no_rope_layers), attn_temperature_tuning=True,
                           floor_scale=floor_scale, attn_scale=attn_scale, num_local_experts=1, moe_layers=[],
                           use_qk_norm=False, attention_chunk_size=1024, max_position_embeddings=64,
                           initializer_range=0.5)
    cfg._attn_implementation = "eager"
    return Llama4TextModel(cfg).eval()


def _llama4_measured(model, T=20):
    """Per layer: the multiplier each query row's softmax applies on scale·⟨q, k⟩, q and k after RoPE (if any)."""
    from transformers.models.llama4.modeling_llama4 import apply_rotary_emb

    seen, hooks = {}, []
    for i, layer in enumerate(model.layers):
        attn = layer.self_attn
        hooks.append(attn.q_proj.register_forward_hook(lambda m, a, o, i=i: seen.__setitem__(("q", i), o.detach())))
        hooks.append(attn.k_proj.register_forward_hook(lambda m, a, o, i=i: seen.__setitem__(("k", i), o.detach())))
        hooks.append(attn.register_forward_pre_hook(
            lambda m, a, kw, i=i: seen.__setitem__(("rope", i), kw["position_embeddings"]), with_kwargs=True))
    ids = torch.randint(0, 64, (1, T), generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        out = model(input_ids=ids, output_attentions=True)
    for h in hooks:
        h.remove()
    measured = []
    for i, layer in enumerate(model.layers):
        attn = layer.self_attn
        q = seen[("q", i)].view(1, T, 2, 16)
        k = seen[("k", i)].view(1, T, 2, 16)
        if attn.use_rope:
            q, k = apply_rotary_emb(q, k, seen[("rope", i)])
        q, k = q.transpose(1, 2)[0].double().numpy(), k.transpose(1, 2)[0].double().numpy()
        raw = attn.scaling * q @ k.transpose(0, 2, 1)
        slopes, worst = _measured_multiplier(out.attentions[i][0].double().numpy(), raw, _causal(T))
        assert worst < 1e-4  # log p is a straight line in the raw logit: one multiplier per row
        measured.append(slopes)
    return measured


def test_llama4_temperature_tuning_on_nope_layers_only():
    model = _tiny_llama4([1, 0], floor_scale=3, attn_scale=0.25)  # layer 0 RoPE, layer 1 NoPE
    cfg = model.config
    T = 20
    measured = _llama4_measured(model, T)
    ns = np.arange(1, T + 1)
    rope_layer, nope_layer = config_multiplier(cfg, ns, layer=0), config_multiplier(cfg, ns, layer=1)
    assert np.all(rope_layer.multiplier == 1.0) and "NoPE layers only" in rope_layer.description
    assert nope_layer.rule == "llama4_temperature" and not nope_layer.static and nope_layer.rotary_fraction == 0.0
    assert len(set(nope_layer.multiplier.round(12))) > 3
    for i, expected in enumerate((rope_layer.multiplier, nope_layer.multiplier)):
        np.testing.assert_allclose(measured[i][:, 1:], np.broadcast_to(expected[1:], (2, T - 1)), rtol=1e-5)
    every = config_multiplier(cfg, ns)  # no layer named: the NoPE layers' factor, and which layers
    assert every.layers == (1,) and "none on the RoPE layers" in every.description and every.rope_type == "none"
    np.testing.assert_array_equal(every.multiplier, nope_layer.multiplier)
    # Llama 4 names its RoPE layers chunked_attention and its NoPE layers full_attention
    np.testing.assert_array_equal(config_multiplier(cfg, ns, layer_type="full_attention").multiplier,
                                  nope_layer.multiplier)
    assert np.all(config_multiplier(cfg, ns, layer_type="chunked_attention").multiplier == 1.0)


def test_llama4_recipe_floor_at_training_length():
    """The recipe (floor_scale = L, every layer) is Llama 4's own rule with floor_scale = L: measured on a tiny
    all-NoPE Llama 4 with floor_scale = L = 4."""
    L, T = 4, 20
    model = _tiny_llama4([0], floor_scale=L, attn_scale=0.1)
    (measured,) = _llama4_measured(model, T)
    ns = np.arange(1, T + 1)
    np.testing.assert_allclose(measured[:, 1:], np.broadcast_to(llama4_train_floor(ns, L)[1:], (2, T - 1)),
                               rtol=1e-5)
    assert RECIPES["llama4"] is llama4_train_floor and RECIPES["qwen_logn"] is qwen_logn and RECIPES["yarn"] is yarn


# -- Ministral 3: llama_4_scaling_beta in rope_parameters --------------------------------------------------------

def test_ministral3_equals_get_llama_4_attn_scale():
    from transformers.models.ministral3.modeling_ministral3 import get_llama_4_attn_scale

    L = 16
    p = torch.arange(0, 200, dtype=torch.float64)[None]
    ref = get_llama_4_attn_scale(p, 0.1, L)[0, 0, :, 0].numpy()
    np.testing.assert_allclose(ministral3(p[0].numpy() + 1, L), ref, rtol=1e-14)


def test_ministral3_config():
    """Its shipped YaRN has mscale = mscale_all_dim, so attention factor 1 (transformers agrees), and its model code
    does not fold mscale_all_dim into the scale: the only factor is llama_4_scaling_beta's, on q."""
    from transformers import Ministral3Config

    cfg = Ministral3Config(hidden_size=32, intermediate_size=32, num_hidden_layers=1, num_attention_heads=2,
                           num_key_value_heads=1, head_dim=16, vocab_size=64, max_position_embeddings=262144)
    assert _factor("yarn", cfg) == 1.0
    L = cfg.rope_parameters["original_max_position_embeddings"]
    ns = np.array([1, L, L + 1, 2 * L + 1, 100 * L])
    r = config_multiplier(cfg, ns)
    assert r.rule == "llama4_scaling_beta" and not r.static
    np.testing.assert_allclose(r.multiplier, ministral3(ns, L, beta=cfg.rope_parameters["llama_4_scaling_beta"]))
    assert r.multiplier[1] == 1.0 and r.multiplier[2] > 1.0


# -- Qwen v1 use_logn_attn (remote code: the published list) ---------------------------------------------------

def test_qwen_v1_logn_published_list():
    raw = {"model_type": "qwen", "use_logn_attn": True, "use_dynamic_ntk": True, "seq_length": 64,
           "max_position_embeddings": 8192, "rotary_pct": 1.0}
    logn_list = [math.log(i, 64) if i > 64 else 1 for i in range(1, 4096)]  # modeling_qwen.py; q at p × logn_list[p]
    r = config_multiplier(raw, np.arange(1, 4096))
    np.testing.assert_allclose(r.multiplier, logn_list, rtol=1e-13)
    assert r.n_train == 64 and r.n_train_source == "seq_length" and r.rule == "qwen_logn" and not r.static
    assert "use_dynamic_ntk: frequencies only" in r.description


# -- part 2: a tiny Qwen2 saved with YaRN, loaded through the library --------------------------------------------

@pytest.fixture(scope="module")
def yarn_qwen2(tmp_path_factory):
    from attnlimits.models import load_model

    rope = {"rope_type": "yarn", "rope_theta": 10000.0, "factor": 4.0, "original_max_position_embeddings": 64}
    path = save_tiny(tmp_path_factory.mktemp("qwen2_yarn"), "qwen2", rope=rope, max_positions=256)
    return load_model(path)


def test_qwen2_yarn_config_multiplier_is_transformers(yarn_qwen2):
    lm = yarn_qwen2
    m = _factor("yarn", lm.model.config)
    assert lm.model.rotary_emb.attention_scaling == pytest.approx(m, rel=1e-15)
    r = config_multiplier(lm.model.config, NS)
    np.testing.assert_allclose(r.multiplier, m * m, rtol=1e-14)
    assert r.multiplier[0] == pytest.approx(1.2965, abs=5e-5) and r.n_train == 64 and r.in_rotary
    raw = json.loads((lm.path / "config.json").read_text())
    np.testing.assert_array_equal(config_multiplier(raw, NS).multiplier, r.multiplier)
    for i, spec in enumerate(lm.specs):  # what the library's LayerSpec holds reads the same
        np.testing.assert_allclose(config_multiplier(lm.model.config, NS, layer_type=spec.layer_type).multiplier,
                                   r.multiplier)
        np.testing.assert_allclose(config_multiplier({"max_position_embeddings": 256, "rope_parameters": spec.rope},
                                                     NS).multiplier, r.multiplier)


def test_qwen2_yarn_multiplier_measured_from_the_model(yarn_qwen2):
    """The eager softmax equals softmax(mult·scale·⟨q, k⟩) with q, k rotated WITHOUT the attention factor, at
    every position — n ≤ T = 64 included — and the library's decoder_qk returns q, k WITH it (m·q, m·k)."""
    from attnlimits.models._decoder import decoder_qk

    lm = yarn_qwen2
    net = lm.model.double()
    try:
        T = 80  # past T = 64: the factor is the same on both sides
        ids = torch.randint(1000, 20000, (1, T), generator=torch.Generator().manual_seed(2))
        mask = torch.ones_like(ids)
        seen, hooks = {}, []
        for i, (_, mod, _, _) in enumerate(lm.attention_modules):
            hooks.append(mod.q_proj.register_forward_hook(lambda m, a, o, i=i: seen.__setitem__(("q", i), o.detach())))
            hooks.append(mod.k_proj.register_forward_hook(lambda m, a, o, i=i: seen.__setitem__(("k", i), o.detach())))
        with torch.no_grad():
            out = net(input_ids=ids, attention_mask=mask, output_attentions=True)
        for h in hooks:
            h.remove()
        freqs = torch.arange(T, dtype=torch.float64)[:, None] * net.rotary_emb.inv_freq.double()[None]
        emb = torch.cat((freqs, freqs), dim=-1)
        cos, sin = emb.cos(), emb.sin()  # the attention factor left out

        def rotate(x):
            half = x.shape[-1] // 2
            return x * cos + torch.cat((-x[..., half:], x[..., :half]), dim=-1) * sin

        expected = config_multiplier(net.config, np.arange(1, T + 1)).multiplier
        m = float(net.rotary_emb.attention_scaling)
        groups = lm.heads // lm.kv_heads
        q_lib, k_lib, _ = decoder_qk(lm, ids, mask, output_attentions=False)
        for i, spec in enumerate(lm.specs):
            q = rotate(seen[("q", i)].view(1, T, lm.heads, lm.d_head).transpose(1, 2))[0]
            k = rotate(seen[("k", i)].view(1, T, lm.kv_heads, lm.d_head).transpose(1, 2))[0]
            k = k.repeat_interleave(groups, dim=0)
            raw = spec.scale * (q @ k.transpose(-1, -2)).numpy()
            probs = out.attentions[i][0].numpy()
            visible = _causal(T, spec.sliding_window)
            slopes, worst = _measured_multiplier(probs, raw, visible)
            assert worst < 1e-4
            np.testing.assert_allclose(slopes[:, 1:], np.broadcast_to(expected[1:], (lm.heads, T - 1)), rtol=1e-5)
            logits = np.where(visible, expected[:, None] * raw, -np.inf)
            ref = np.exp(logits - logits.max(-1, keepdims=True))
            # transformers' eager softmax runs in float32: p carries the float32 rounding of logits this large
            rtol = 4 * np.finfo(np.float32).eps * np.abs(logits[:, visible]).max()
            np.testing.assert_allclose(probs, ref / ref.sum(-1, keepdims=True), rtol=rtol, atol=1e-9)
            one = np.exp(np.where(visible, raw, -np.inf) - np.where(visible, raw, -np.inf).max(-1, keepdims=True))
            assert np.abs(probs - one / one.sum(-1, keepdims=True)).max() > 1e-3  # ×1 would be visibly wrong
            # the library's q and k already carry m each: a β measured from them includes the config's m²
            np.testing.assert_allclose(q_lib[i][0], m * q.numpy(), rtol=2e-5, atol=2e-5)
            np.testing.assert_allclose(k_lib[i][0], m * k.numpy(), rtol=2e-5, atol=2e-5)
    finally:
        net.float()


# -- the result and its errors -----------------------------------------------------------------------------------

def test_result_record():
    r = config_multiplier(_llama_config({"rope_type": "yarn", "rope_theta": 1e4, "factor": 4.0,
                                         "original_max_position_embeddings": 1024}), [5, 4096])
    assert isinstance(r, ConfigMultiplier)
    d = r.to_dict()
    assert json.loads(json.dumps(d)) == d and d["uniform"] and d["layers"] is None and d["n"] == [5.0, 4096.0]


@pytest.mark.parametrize("n", [0, [1, 0], 1.5, float("nan")])
def test_bad_n(n):
    with pytest.raises(InputError, match="invalid n="):
        config_multiplier({"max_position_embeddings": 64}, n)


def test_unknown_rope_type_and_layer():
    with pytest.raises(InputError, match="rope_type"):
        config_multiplier({"max_position_embeddings": 64, "rope_scaling": {"type": "mystery", "factor": 2.0}}, 5)
    with pytest.raises(InputError, match="layer"):
        config_multiplier({"max_position_embeddings": 64, "num_hidden_layers": 2}, 5, layer=2)
    with pytest.raises(InputError, match="config"):
        config_multiplier(object(), 5)
