"""Tiny randomly initialised decoders of each supported family, saved with safetensors into a directory
(with MiniLM's tokenizer, so ``load_model`` takes the real loading path). Random weights test the machinery
only: no finding rests on them."""

from __future__ import annotations

import json

#: Sliding windows shorter than the test texts, so the window is exercised.
WINDOW = 7

COMMON = dict(hidden_size=32, intermediate_size=48, num_hidden_layers=2, num_attention_heads=4,
              num_key_value_heads=2, head_dim=16, max_position_embeddings=64, initializer_range=0.5)

FAMILIES = {
    "llama": ("LlamaConfig", {}),
    "mistral": ("MistralConfig", {"sliding_window": WINDOW}),
    "qwen2": ("Qwen2Config", {"use_sliding_window": True, "sliding_window": WINDOW, "max_window_layers": 1}),
    "qwen3": ("Qwen3Config", {"num_key_value_heads": 1}),
    "gemma": ("GemmaConfig", {"num_key_value_heads": 4}),
    "gemma2": ("Gemma2Config", {"sliding_window": WINDOW, "query_pre_attn_scalar": 24, "attn_logit_softcapping": 2.0}),
    "gemma3_text": ("Gemma3TextConfig", {"sliding_window": WINDOW, "query_pre_attn_scalar": 24,
                                         "layer_types": ["sliding_attention", "full_attention"]}),
}

#: RoPE parameters per type (Llama), each with a factor that changes the frequencies at the test lengths.
ROPE = {
    "default": {"rope_type": "default", "rope_theta": 10000.0},
    "linear": {"rope_type": "linear", "rope_theta": 10000.0, "factor": 4.0},
    "dynamic": {"rope_type": "dynamic", "rope_theta": 10000.0, "factor": 4.0},
    "yarn": {"rope_type": "yarn", "rope_theta": 10000.0, "factor": 4.0, "original_max_position_embeddings": 16},
    "llama3": {"rope_type": "llama3", "rope_theta": 10000.0, "factor": 8.0, "low_freq_factor": 1.0,
               "high_freq_factor": 4.0, "original_max_position_embeddings": 16},
    "longrope": {"rope_type": "longrope", "rope_theta": 10000.0, "original_max_position_embeddings": 16,
                 "short_factor": [1.0 + 0.1 * i for i in range(8)], "long_factor": [2.0 + 0.5 * i for i in range(8)]},
}


def save_tiny(path, family: str = "llama", *, rope: dict | None = None, legacy_rope: bool = False, seed: int = 0,
              max_positions: int | None = None):
    """Build the family's config and model (seeded), save both and MiniLM's tokenizer to ``path``.

    ``legacy_rope`` rewrites config.json to carry the RoPE parameters under the old ``rope_scaling`` key
    (with ``rope_theta`` beside it), as older checkpoints do.
    """
    import torch
    import transformers
    from transformers import AutoModel, AutoTokenizer

    from attnlimits.models import minilm_dir

    tok = AutoTokenizer.from_pretrained(minilm_dir(), local_files_only=True)
    cls_name, extra = FAMILIES[family]
    kw = {**COMMON, **extra, "vocab_size": tok.vocab_size}
    if max_positions is not None:
        kw["max_position_embeddings"] = max_positions
    if rope is not None:
        kw["rope_parameters"] = dict(rope)
    config = getattr(transformers, cls_name)(**kw)
    torch.manual_seed(seed)
    model = AutoModel.from_config(config, attn_implementation="eager")
    model.save_pretrained(path, safe_serialization=True)
    tok.save_pretrained(path)
    if legacy_rope:
        cfg_path = path / "config.json"
        cfg = json.loads(cfg_path.read_text())
        params = dict(cfg.pop("rope_parameters"))
        cfg["rope_theta"] = params.pop("rope_theta")
        params["type"] = params.pop("rope_type")
        cfg["rope_scaling"] = params
        cfg_path.write_text(json.dumps(cfg))
    return path
