"""Real transformer keys (extra ``models``): load a local Hugging Face model offline (safetensors only), run it
on text and return per-layer, per-head queries and keys as the softmax sees them (decoders: after q/k norms
and RoPE, GQA-mapped), with each layer's logit scale, soft-cap and sliding window; per-row attention
statistics streamed from q and k; and position-binned key laws.

torch, transformers and safetensors are imported inside the functions, never by ``import attnlimits``.
"""

from ._attention import attention_stats
from ._extract import KeyExtraction, extract_keys, forward_qk, token_windows
from ._heads import head_bins, head_law, iso_schedules
from ._load import LoadedModel, load_model, minilm_dir
from ._positions import binned_laws, position_edges
from ._keys_file import read_keys_file, write_keys_file
from ._summary import attention_summary, real_keys_available, real_keys_summary
from ._text import read_text, stdlib_docstrings

__all__ = [
    "KeyExtraction",
    "LoadedModel",
    "attention_stats",
    "attention_summary",
    "binned_laws",
    "extract_keys",
    "forward_qk",
    "head_bins",
    "head_law",
    "iso_schedules",
    "load_model",
    "minilm_dir",
    "position_edges",
    "read_keys_file",
    "read_text",
    "real_keys_available",
    "real_keys_summary",
    "stdlib_docstrings",
    "token_windows",
    "write_keys_file",
]
