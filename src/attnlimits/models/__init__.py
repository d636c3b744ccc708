"""Real transformer keys (extra ``models``): load a local Hugging Face model offline (safetensors only), run it
on text and return per-layer, per-head queries and keys as the model computes them, with its logit scale.

torch, transformers and safetensors are imported inside the functions, never by ``import attnlimits``.
"""

from ._attention import attention_profile, attention_stats
from ._extract import KeyExtraction, extract_keys, forward_qk, token_windows
from ._load import MINILM_PACKAGE, LoadedModel, load_model, minilm_dir
from ._summary import real_keys_summary
from ._text import STDLIB_MODULES, read_text, stdlib_docstrings

__all__ = [
    "KeyExtraction",
    "attention_profile",
    "attention_stats",
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
