"""Checks of a GGUF file made before any conversion: it fits in memory once dequantized to float32, and
transformers' config keeps every attention setting the file holds.

The metadata keys are llama.cpp's (``{arch}.rope.freq_base``, ``{arch}.rope.scaling.type``,
``{arch}.attention.sliding_window``, ``{arch}.attn_logit_softcapping``, ``{arch}.attention.scale`` …). Where a
key is absent, the value llama.cpp itself would use is expected (Gemma 2/3: its soft-cap default and its rule for
the query scale), so a model that llama.cpp runs one way is never measured another way here.
"""

from __future__ import annotations

import math

from .._validation import InputError
from ._gguf import GGUFInfo

__all__ = ["HEADROOM", "memory_available", "required_memory", "check_memory", "dropped_settings", "expected_window"]

#: Bytes kept free beside the dequantized weights (activations, the tokenizer, the Python process).
HEADROOM = 1 << 30

#: Layer count of the 27B Gemma 2 / Gemma 3, whose query scale llama.cpp takes from n_embd / n_head.
_GEMMA_27B_LAYERS = {"gemma2": 46, "gemma3": 62}

#: Gemma 2's attention soft-cap where the file has no ``attn_logit_softcapping`` (llama.cpp's default).
_GEMMA2_SOFTCAP = 50.0


def memory_available() -> int | None:
    """``MemAvailable`` of ``/proc/meminfo`` in bytes (None where there is no such file).

    Returns
    -------
    int or None
        Bytes available to a new process without swapping.
    """
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def required_memory(info: GGUFInfo, *, converting: bool) -> int:
    """Bytes a load needs: the float32 weights (twice while converting: transformers' dequantized state dict
    and the model it fills) plus :data:`HEADROOM`.

    The factor is measured: converting SmolLM2-135M (0.54 GB of float32 weights) peaks at 1.17 GB RSS.

    Parameters
    ----------
    info : GGUFInfo
        The file.
    converting : bool
        Whether the file is dequantized now (else a converted copy is loaded).

    Returns
    -------
    int
        Bytes.
    """
    return (2 if converting else 1) * info.float32_bytes + HEADROOM


def check_memory(info: GGUFInfo, *, converting: bool, available: int | None = None) -> None:
    """Refuse a model that would not fit in memory once dequantized, before any work.

    Parameters
    ----------
    info : GGUFInfo
        The file.
    converting : bool
        Whether the file is dequantized now (see :func:`required_memory`).
    available : int, optional
        Bytes available (default :func:`memory_available`; no check where that is unknown).

    Returns
    -------
    None
        When it fits.

    Raises
    ------
    InputError
        When :func:`required_memory` exceeds ``available``.
    """
    available = memory_available() if available is None else available
    need = required_memory(info, converting=converting)
    if available is not None and need > available:
        gib = 1 << 30
        raise InputError(f"invalid model={str(info.path)!r}: dequantized to float32 it needs about {need / gib:.1f} GiB "
                         f"({info.float32_bytes / gib:.1f} GiB of weights{' ×2 while converting' if converting else ''} "
                         f"+ {HEADROOM / gib:.0f} GiB), but {available / gib:.1f} GiB is available (MemAvailable); "
                         "expected a model that fits in memory")


def _close(a, b) -> bool:
    return a is not None and b is not None and math.isclose(float(a), float(b), rel_tol=1e-6, abs_tol=1e-9)


def _rope(config, layer_type: str = "full_attention") -> dict:
    params = getattr(config, "rope_parameters", None) or {}
    if isinstance(params.get(layer_type), dict):
        params = params[layer_type]
    return params


def _gemma_scalar(info: GGUFInfo, config) -> float:
    """llama.cpp's Gemma 2/3 query scalar: n_embd / n_head for the 27B (by layer count), else key_length."""
    meta = info.metadata
    if meta.get("block_count") == _GEMMA_27B_LAYERS[info.architecture]:
        return float(meta["embedding_length"] // meta["attention.head_count"])
    return float(meta.get("attention.key_length") or config.head_dim)


def dropped_settings(info: GGUFInfo, config) -> list:
    """The attention settings the file holds that transformers' ``config`` lost or changed.

    Checked: a ``rope_freqs`` tensor (llama3-style frequency factors), RoPE scaling type, factor and original
    length, RoPE base (and the sliding layers' base), rotary dimensions, key length (head width), sliding window,
    attention soft-cap and query scale.

    Parameters
    ----------
    info : GGUFInfo
        The file (:func:`read_gguf_info`).
    config : transformers.PretrainedConfig
        The config transformers made of it.

    Returns
    -------
    list of str
        One phrase per setting lost ("the file sets X but the loaded config has Y"); empty when none.
    """
    meta, lost = info.metadata, []

    def differs(what, file_value, config_value):
        lost.append(f"the file sets {what}={file_value!r} but the loaded model has {config_value!r}")

    rope = _rope(config)
    rope_type = rope.get("rope_type", rope.get("type", "default"))
    if "rope_freqs.weight" in info.tensor_names and rope_type not in ("llama3", "longrope"):
        lost.append(f"the file has a rope_freqs tensor (llama3-style RoPE frequency factors) but the loaded model "
                    f"has rope_type={rope_type!r}")
    scaling = meta.get("rope.scaling.type")
    if scaling not in (None, "none", ""):
        if rope_type != scaling:
            differs("rope.scaling.type", scaling, rope_type)
        elif "rope.scaling.factor" in meta and not _close(meta["rope.scaling.factor"], rope.get("factor")):
            differs("rope.scaling.factor", meta["rope.scaling.factor"], rope.get("factor"))
        elif ("rope.scaling.original_context_length" in meta
              and meta["rope.scaling.original_context_length"] != rope.get("original_max_position_embeddings")):
            differs("rope.scaling.original_context_length", meta["rope.scaling.original_context_length"],
                    rope.get("original_max_position_embeddings"))
    if "rope.freq_base" in meta and not _close(meta["rope.freq_base"], rope.get("rope_theta")):
        differs("rope.freq_base", meta["rope.freq_base"], rope.get("rope_theta"))
    if "rope.freq_base_swa" in meta:
        swa = _rope(config, "sliding_attention").get("rope_theta")
        if not _close(meta["rope.freq_base_swa"], swa):
            differs("rope.freq_base_swa", meta["rope.freq_base_swa"], swa)
    head_dim = int(getattr(config, "head_dim", None) or config.hidden_size // config.num_attention_heads)
    rotary = int(round(head_dim * float(getattr(config, "partial_rotary_factor", 1.0) or 1.0)))
    if "rope.dimension_count" in meta and int(meta["rope.dimension_count"]) != rotary:
        differs("rope.dimension_count", meta["rope.dimension_count"], rotary)
    if "attention.key_length" in meta and int(meta["attention.key_length"]) != head_dim:
        differs("attention.key_length", meta["attention.key_length"], head_dim)
    window, file_window = _config_window(config), expected_window(info)
    if file_window is not _UNKNOWN and file_window != window:
        differs("attention.sliding_window", file_window, window)
    cap = meta.get("attn_logit_softcapping", _GEMMA2_SOFTCAP if info.architecture == "gemma2" else None)
    config_cap = getattr(config, "attn_logit_softcapping", None)
    if (cap is None) != (config_cap is None) or (cap is not None and not _close(cap, config_cap)):
        differs("attn_logit_softcapping", cap, config_cap)
    if info.architecture in _GEMMA_27B_LAYERS:
        scalar, config_scalar = _gemma_scalar(info, config), getattr(config, "query_pre_attn_scalar", None)
        if "attention.scale" in meta:
            scalar = float(meta["attention.scale"]) ** -2
        if not _close(scalar, config_scalar):
            differs("query_pre_attn_scalar (the query scale)", scalar, config_scalar)
    elif "attention.scale" in meta and not _close(meta["attention.scale"], head_dim**-0.5):
        differs("attention.scale", meta["attention.scale"], head_dim**-0.5)
    return lost


_UNKNOWN = object()


def expected_window(info: GGUFInfo):
    """The sliding window llama.cpp applies to this file: ``attention.sliding_window`` where the file sets it;
    none for llama, mistral, qwen2 and qwen3 files without it (transformers' Mistral config would otherwise add
    its default of 4096); Gemma 2 files without it: llama.cpp's default 4096; otherwise unknown (not checked).

    Parameters
    ----------
    info : GGUFInfo
        The file.

    Returns
    -------
    int, None or object
        The window, None, or the module's private marker for unknown.
    """
    if "attention.sliding_window" in info.metadata:
        return int(info.metadata["attention.sliding_window"])
    if info.architecture in ("llama", "mistral", "qwen2", "qwen3"):
        return None
    return 4096 if info.architecture == "gemma2" else _UNKNOWN


def _config_window(config):
    """The sliding window transformers applies with ``config`` (None where no layer slides)."""
    if getattr(config, "model_type", "") == "qwen2" and not getattr(config, "use_sliding_window", False):
        return None
    return getattr(config, "sliding_window", None)
