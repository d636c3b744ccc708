"""Real transformer keys (extra ``models``): load a local Hugging Face model offline (safetensors only) or a GGUF
file (dequantized once to a safetensors cache; SmolLM2-135M-Instruct built in as 'smollm2'), run it
on text and return per-layer, per-head queries and keys as the softmax sees them (decoders: after q/k norms
and RoPE, GQA-mapped), with each layer's logit scale, soft-cap and sliding window; per-row attention
statistics streamed from q and k; and position-binned key laws.

torch, transformers, safetensors and gguf are imported inside the functions, never by ``import attnlimits``.
"""

from ._attention import attention_stats
from ._audit import audit_checkpoint
from ._extract import KeyExtraction, extract_keys, forward_qk, token_windows
from ._heads import head_bins, head_law, iso_schedules
from ._gguf import GGUFInfo, read_gguf_info
from ._gguf_cache import cache_root, gguf_model_dir, model_loading
from ._load import LoadedModel, load_model, minilm_dir, smollm2_gguf
from ._positions import binned_laws, position_edges
from ._keys_file import read_keys_file, read_scores_file, write_keys_file
from ._schedule import real_schedule
from ._summary import attention_summary, real_keys_available, real_keys_summary
from ._text import pydoc_topics, read_text, stdlib_docstrings, text_record

__all__ = [
    "GGUFInfo",
    "KeyExtraction",
    "LoadedModel",
    "attention_stats",
    "audit_checkpoint",
    "attention_summary",
    "binned_laws",
    "cache_root",
    "extract_keys",
    "forward_qk",
    "gguf_model_dir",
    "head_bins",
    "head_law",
    "iso_schedules",
    "load_model",
    "minilm_dir",
    "model_loading",
    "position_edges",
    "pydoc_topics",
    "read_gguf_info",
    "read_keys_file",
    "read_scores_file",
    "real_schedule",
    "read_text",
    "real_keys_available",
    "real_keys_summary",
    "smollm2_gguf",
    "stdlib_docstrings",
    "text_record",
    "token_windows",
    "write_keys_file",
]
