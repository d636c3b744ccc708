"""Real transformer keys (extra ``models``): load a local Hugging Face model offline (safetensors only), run it
on text and return per-layer, per-head queries and keys as the softmax sees them (decoders: after q/k norms
and RoPE, GQA-mapped), with each layer's logit scale, soft-cap and sliding window; per-row attention
statistics streamed from q and k; and position-binned key laws.

torch, transformers and safetensors are imported inside the functions, never by ``import attnlimits``.
"""

from ._attention import attention_profile, attention_stats
from ._decoder import DECODER_TYPES, LayerSpec
from ._extract import KeyExtraction, extract_keys, forward_qk, token_windows
from ._heads import BETA_DEFINITION, head_bins, head_law, iso_schedules
from ._load import MINILM_PACKAGE, LoadedModel, load_model, minilm_dir
from ._positions import binned_laws, position_edges
from ._spans import row_statistics, span_probabilities
from ._keys_file import KEYS_FILE_FIELDS, read_keys_file, write_keys_file
from ._summary import attention_summary, head_estimates, real_keys_available, real_keys_summary
from ._text import STDLIB_MODULES, read_text, stdlib_docstrings

__all__ = [
    "BETA_DEFINITION",
    "KEYS_FILE_FIELDS",
    "DECODER_TYPES",
    "KeyExtraction",
    "LayerSpec",
    "binned_laws",
    "head_bins",
    "head_law",
    "iso_schedules",
    "position_edges",
    "row_statistics",
    "span_probabilities",
    "attention_profile",
    "attention_stats",
    "attention_summary",
    "head_estimates",
    "read_keys_file",
    "real_keys_available",
    "write_keys_file",
    "LoadedModel",
    "MINILM_PACKAGE",
    "STDLIB_MODULES",
    "extract_keys",
    "forward_qk",
    "load_model",
    "minilm_dir",
    "read_text",
    "real_keys_summary",
    "stdlib_docstrings",
    "token_windows",
]
