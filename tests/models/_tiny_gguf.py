"""Tiny GGUF files written with ``gguf.GGUFWriter``: a seeded random Llama (two layers, GQA) with a byte-level
BPE tokenizer, laid out as llama.cpp's converter writes it (q/k rows permuted, shapes reversed), so
transformers' GGUF loader takes its real path. Random weights test the machinery only."""

from __future__ import annotations

import numpy as np

N_HEAD, N_KV, D_HEAD, HIDDEN, FFN, LAYERS, CONTEXT = 4, 2, 8, 32, 64, 2, 64
SPECIAL = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
MERGES = ["t h", "th e", "Ġ the", "i n", "a n"]


def byte_tokens() -> list:
    """GPT-2's byte-to-unicode alphabet (256 tokens), then the merged tokens, then the special tokens."""
    keep = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    chars, extra = list(keep), 0
    for b in range(256):
        if b not in keep:
            keep.append(b)
            chars.append(256 + extra)
            extra += 1
    order = sorted(range(256), key=lambda i: keep[i])
    base = [chr(chars[i]) for i in order]
    return base + [m.replace(" ", "") for m in MERGES] + SPECIAL


def _permute(w: np.ndarray, heads: int) -> np.ndarray:
    """llama.cpp's q/k row permutation (its converter's ``permute``), which transformers' loader reverses."""
    return w.reshape(heads, 2, w.shape[0] // heads // 2, *w.shape[1:]).swapaxes(1, 2).reshape(w.shape)


def tiny_state(seed: int = 0) -> dict:
    """Seeded random weights of the tiny Llama, in transformers' names and layout (float32)."""
    rng = np.random.default_rng(seed)
    vocab = len(byte_tokens())

    def w(*shape):
        return (rng.standard_normal(shape) * 0.3).astype(np.float32)

    state = {"model.embed_tokens.weight": w(vocab, HIDDEN), "model.norm.weight": 1 + w(HIDDEN),
             "lm_head.weight": w(vocab, HIDDEN)}
    for i in range(LAYERS):
        p = f"model.layers.{i}."
        state.update({p + "self_attn.q_proj.weight": w(N_HEAD * D_HEAD, HIDDEN),
                      p + "self_attn.k_proj.weight": w(N_KV * D_HEAD, HIDDEN),
                      p + "self_attn.v_proj.weight": w(N_KV * D_HEAD, HIDDEN),
                      p + "self_attn.o_proj.weight": w(HIDDEN, N_HEAD * D_HEAD),
                      p + "mlp.gate_proj.weight": w(FFN, HIDDEN), p + "mlp.up_proj.weight": w(FFN, HIDDEN),
                      p + "mlp.down_proj.weight": w(HIDDEN, FFN),
                      p + "input_layernorm.weight": 1 + w(HIDDEN), p + "post_attention_layernorm.weight": 1 + w(HIDDEN)})
    return state


def write_tiny_gguf(path, *, seed: int = 0, arch: str = "llama", add_bos: bool = False, quantize_ffn: bool = False,
                    extra: dict | None = None, rope_freqs: bool = False, name: str = "tiny llama"):
    """Write the tiny Llama to ``path`` as GGUF; return its transformers state dict (float32 numpy).

    ``quantize_ffn`` stores the MLP matrices as Q8_0 (file type MOSTLY_Q8_0, else ALL_F32); ``extra`` adds
    ``{arch}.KEY`` metadata (floats, ints or strings); ``rope_freqs`` adds a llama3-style ``rope_freqs`` tensor;
    ``arch`` other than llama writes a header-only file (for the unsupported-architecture refusal).
    """
    import gguf

    state = tiny_state(seed)
    writer = gguf.GGUFWriter(str(path), arch)
    writer.add_name(name)
    writer.add_context_length(CONTEXT)
    writer.add_embedding_length(HIDDEN)
    writer.add_block_count(LAYERS)
    writer.add_feed_forward_length(FFN)
    writer.add_head_count(N_HEAD)
    writer.add_head_count_kv(N_KV)
    writer.add_rope_freq_base(10000.0)
    writer.add_layer_norm_rms_eps(1e-5)
    writer.add_rope_dimension_count(D_HEAD)
    tokens = byte_tokens()
    writer.add_vocab_size(len(tokens))
    writer.add_file_type(gguf.LlamaFileType.MOSTLY_Q8_0 if quantize_ffn else gguf.LlamaFileType.ALL_F32)
    for key, value in (extra or {}).items():
        full = f"{arch}.{key}"
        if isinstance(value, str):
            writer.add_string(full, value)
        elif isinstance(value, int):
            writer.add_uint32(full, value)
        else:
            writer.add_float32(full, float(value))
    writer.add_tokenizer_model("gpt2")
    writer.add_tokenizer_pre("default")
    writer.add_token_list(tokens)
    writer.add_token_types([gguf.TokenType.CONTROL if t in SPECIAL else gguf.TokenType.NORMAL for t in tokens])
    writer.add_token_merges(MERGES)
    writer.add_bos_token_id(tokens.index("<|im_start|>"))
    writer.add_eos_token_id(tokens.index("<|endoftext|>"))
    writer.add_add_bos_token(add_bos)
    if arch == "llama":
        names = {"model.embed_tokens.weight": "token_embd.weight", "model.norm.weight": "output_norm.weight",
                 "lm_head.weight": "output.weight"}
        for i in range(LAYERS):
            for hf, gg in (("self_attn.q_proj", "attn_q"), ("self_attn.k_proj", "attn_k"), ("self_attn.v_proj", "attn_v"),
                           ("self_attn.o_proj", "attn_output"), ("mlp.gate_proj", "ffn_gate"), ("mlp.up_proj", "ffn_up"),
                           ("mlp.down_proj", "ffn_down"), ("input_layernorm", "attn_norm"),
                           ("post_attention_layernorm", "ffn_norm")):
                names[f"model.layers.{i}.{hf}.weight"] = f"blk.{i}.{gg}.weight"
        for hf, gg in names.items():
            w = state[hf]
            if "q_proj" in hf:
                w = _permute(w, N_HEAD)
            elif "k_proj" in hf:
                w = _permute(w, N_KV)
            if quantize_ffn and "mlp." in hf:
                q = gguf.quants.quantize(w, gguf.GGMLQuantizationType.Q8_0)
                writer.add_tensor(gg, q, raw_shape=q.shape, raw_dtype=gguf.GGMLQuantizationType.Q8_0)
            else:
                writer.add_tensor(gg, w)
        if rope_freqs:
            writer.add_tensor("rope_freqs.weight", np.ones(D_HEAD // 2, dtype=np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return state
