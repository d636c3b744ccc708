"""A tiny randomly initialised Llama causal LM (with its output head) saved with safetensors and MiniLM's
tokenizer, so that ``load_model`` takes the real loading path and the losses have a head to read. Random weights
test the machinery only: no finding rests on them."""

from __future__ import annotations

#: T of the tests: the tiny model's max_position_embeddings (its "trained length").
T = 64

CONFIG = dict(hidden_size=32, intermediate_size=48, num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
              head_dim=16, max_position_embeddings=T, initializer_range=0.5,
              rope_parameters={"rope_type": "default", "rope_theta": 10000.0})


#: Other families: (config class, causal-LM class, extra settings): a sliding window (Mistral) and q/k norms (Qwen 3).
FAMILIES = {"llama": ("LlamaConfig", "LlamaForCausalLM", {}),
            "mistral": ("MistralConfig", "MistralForCausalLM", {"sliding_window": 40}),
            "qwen3": ("Qwen3Config", "Qwen3ForCausalLM", {})}


def save_tiny_lm(path, *, family: str = "llama", tied: bool = False, seed: int = 0, **overrides):
    """Build a seeded causal LM of ``family`` with :data:`CONFIG` (``tied``: tied input/output embeddings), save it
    and MiniLM's tokenizer to ``path``; return ``path``."""
    import torch
    import transformers
    from transformers import AutoTokenizer

    from attnlimits.models import minilm_dir

    config_cls, model_cls, extra = FAMILIES[family]
    tok = AutoTokenizer.from_pretrained(minilm_dir(), local_files_only=True)
    config = getattr(transformers, config_cls)(**{**CONFIG, **extra, **overrides, "vocab_size": tok.vocab_size,
                                                  "tie_word_embeddings": tied})
    torch.manual_seed(seed)
    model = getattr(transformers, model_cls)(config)
    model.save_pretrained(path, safe_serialization=True)
    tok.save_pretrained(path)
    return path
