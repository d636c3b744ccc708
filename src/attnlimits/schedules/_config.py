"""The logit multiplier a checkpoint's own configuration applies at visible context n (:ref:`theory-extreme-value`).

The audit of a checkpoint's scaling asks what its config already does to the logits before any recipe is
added. Each mechanism is read from the config as transformers' model code reads it, and the result says where
the factor rides (this matters when β is measured from the model):

- RoPE ``default``, ``linear``, ``dynamic``, ``llama3``, ``proportional``: frequencies only, ×1 on the logits
  (``ROPE_INIT_FUNCTIONS`` returns attention factor 1 for each).
- ``yarn``: ``attention_factor`` (given, else ``get_mscale(factor, mscale)/get_mscale(factor, mscale_all_dim)``
  when both are set, else ``0.1·ln(factor) + 1``) multiplies cos and sin, hence q and k: logits × factor²
  on the rotated dimensions. The factor is STATIC: computed once from the config's ``factor``, applied at
  every n, including n ≤ T — the "static YaRN hurts short inputs" complaint.
- ``longrope``: attention factor √(1 + ln(factor)/ln T) (factor = max_position_embeddings / T unless given),
  squared on the logits; static too: the short/long factor choice by length changes the frequencies only.
- MLA models whose attention calls transformers' ``yarn_apply_mscale`` (DeepSeek V2/V3, Mistral 4 ...):
  their softmax scale also carries ``get_mscale(factor, mscale_all_dim)²``, on every dimension.
- Llama 4 ``attn_temperature_tuning``: q × (attn_scale·ln(1 + floor(n/floor_scale)) + 1) on NoPE layers only
  (``no_rope_layers[i] == 0``); ×1 on its RoPE layers.
- Ministral 3 / Mistral 4 ``rope_parameters["llama_4_scaling_beta"]``: q × (1 + β·ln(1 + floor((n − 1)/T)))
  on every layer (``get_llama_4_attn_scale``, with T = ``original_max_position_embeddings``).
- Qwen v1 ``use_logn_attn`` (remote code): q × max(1, ln n / ln T) with T = ``seq_length``.
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from .._validation import InputError, check_int
from ._rules import llama4, ministral3, qwen_logn

__all__ = ["ConfigMultiplier", "config_multiplier", "ROPE_TYPES"]

#: RoPE types whose attention factor this module reproduces (transformers' ``ROPE_INIT_FUNCTIONS`` plus default).
ROPE_TYPES = ("default", "linear", "dynamic", "yarn", "longrope", "llama3", "proportional")
#: The mechanisms whose factor depends on the position (the others are static).
_BY_POSITION = {"llama4_temperature", "llama4_scaling_beta", "qwen_logn"}
_FREQUENCY_ONLY = {"default": "no scaling", "linear": "linear position interpolation",
                   "dynamic": "dynamic NTK (frequencies recomputed past T)", "llama3": "Llama 3 frequency bands",
                   "proportional": "proportional frequencies"}


@dataclass(frozen=True)
class ConfigMultiplier:
    """The factor a checkpoint's configuration applies to its attention logits, by visible context n.

    Parameters
    ----------
    n : numpy.ndarray
        Visible context lengths (a query at position p sees n = p + 1 keys).
    multiplier : numpy.ndarray
        Factor on the logits at each n. When ``uniform`` is False (partial rotary or MLA with an attention factor
        ≠ 1) it is the factor on the rotated dimensions' share of q·k; the rest gets ``pass_multiplier``.
    pass_multiplier : numpy.ndarray
        Factor on the share of q·k from the dimensions RoPE leaves unrotated (equals ``multiplier`` when
        ``uniform``).
    n_train : int
        Training length T the config declares.
    n_train_source : str
        Where T was read (e.g. ``rope_parameters.original_max_position_embeddings``).
    rule : str
        The mechanisms applied, ``+``-joined (``none``, ``yarn``, ``longrope``, ``mscale_all_dim``,
        ``llama4_temperature``, ``llama4_scaling_beta``, ``qwen_logn``).
    rope_type : str
        The layer's RoPE type (``none`` for a NoPE layer).
    rotary_fraction : float
        Share of each head's dimensions that RoPE rotates (1, or ``partial_rotary_factor``, 0 on NoPE layers).
    static : bool
        True when the factor is the same at every n, n ≤ T included.
    in_rotary : bool
        True when part of the factor rides on the rotary cos/sin: then q and k read after RoPE
        (``attnlimits.models._decoder.decoder_qk``, hence the ``keys`` and ``attention`` commands on decoders)
        already carry it, and so does any β measured from them.
    layers : tuple of int or None
        The layers it applies to when the config differs by layer and no layer was named; None: every layer.
    description : str
        What is applied, where, and why, in words.
    """

    n: np.ndarray
    multiplier: np.ndarray
    pass_multiplier: np.ndarray
    n_train: int
    n_train_source: str
    rule: str
    rope_type: str
    rotary_fraction: float
    static: bool
    in_rotary: bool
    layers: tuple | None
    description: str

    @property
    def uniform(self) -> bool:
        """True when every dimension of q·k gets the same factor (then ``multiplier`` is the logits' factor)."""
        return bool(self.rotary_fraction in (0.0, 1.0) or np.array_equal(self.multiplier, self.pass_multiplier))

    def to_dict(self) -> dict:
        """The fields as a JSON-ready dict (arrays as lists)."""
        return {"n": self.n.tolist(), "multiplier": self.multiplier.tolist(),
                "pass_multiplier": self.pass_multiplier.tolist(), "n_train": self.n_train,
                "n_train_source": self.n_train_source, "rule": self.rule, "rope_type": self.rope_type,
                "rotary_fraction": self.rotary_fraction, "static": self.static, "uniform": self.uniform,
                "in_rotary": self.in_rotary, "layers": None if self.layers is None else list(self.layers),
                "description": self.description}


def _as_dict(config) -> dict:
    if isinstance(config, Mapping):
        cfg = dict(config)
    elif hasattr(config, "to_dict"):
        cfg = config.to_dict()
        rp = getattr(config, "rope_parameters", None)  # the standardised parameters transformers' model code reads
        if rp is not None:
            cfg["rope_parameters"] = dict(rp)
    else:
        raise InputError(f"invalid config={type(config).__name__}: expected a transformers config or a "
                         "config.json dict")
    text = cfg.get("text_config")
    if isinstance(text, Mapping):  # multimodal wrappers (Llama 4, Mistral 3): the decoder's settings
        cfg = {**{k: v for k, v in cfg.items() if k != "text_config"}, **dict(text)}
    return cfg


def _mscale(scale: float, mscale: float = 1.0) -> float:
    """YaRN's Eq. 21, as transformers' ``yarn_get_mscale``: 0.1·mscale·ln(scale) + 1, 1 when scale ≤ 1."""
    return 1.0 if scale <= 1 else 0.1 * mscale * math.log(scale) + 1.0


def _model_code_has(model_type: str, name: str) -> bool | None:
    """Whether transformers' modeling module for ``model_type`` defines or imports ``name``; None if unknown."""
    if not model_type:
        return None
    try:
        module = importlib.import_module(f"transformers.models.{model_type}.modeling_{model_type}")
    except Exception:  # transformers absent, or a model type it does not ship (remote code)
        return None
    return hasattr(module, name)


def _rope_params(cfg: dict, layer_type, layer) -> tuple[dict, str | None]:
    rp = cfg.get("rope_parameters") or cfg.get("rope_scaling") or {}
    nested = [k for k, v in rp.items() if isinstance(v, Mapping)]
    if not nested:
        return dict(rp), layer_type
    if layer_type is None and layer is not None and cfg.get("layer_types"):
        layer_type = cfg["layer_types"][layer]
    if layer_type not in nested:
        raise InputError(f"invalid layer_type={layer_type!r}: this config's RoPE differs by layer type; "
                         f"expected one of {', '.join(nested)} (or a layer index)")
    return dict(rp[layer_type] or {}), layer_type


def _training_length(cfg: dict, rp: dict) -> tuple[int, str]:
    if cfg.get("original_max_position_embeddings"):  # Phi-3: transformers gives the top-level value priority
        return int(cfg["original_max_position_embeddings"]), "original_max_position_embeddings"
    if rp.get("original_max_position_embeddings"):
        return int(rp["original_max_position_embeddings"]), "rope_parameters.original_max_position_embeddings"
    if cfg.get("max_position_embeddings"):
        return int(cfg["max_position_embeddings"]), "max_position_embeddings"
    raise InputError("invalid config: no original_max_position_embeddings or max_position_embeddings to read T from")


def _rope_factor(rope_type: str, rp: dict, cfg: dict, n_train: int) -> tuple[float, str]:
    """(attention factor on cos/sin, words), as transformers' ``_compute_{yarn,longrope}_parameters``."""
    if rope_type in _FREQUENCY_ONLY:
        return 1.0, f"RoPE {rope_type} ({_FREQUENCY_ONLY[rope_type]}): frequencies only, ×1 on the logits"
    factor = rp.get("factor")
    if factor is None:  # DeepSeek-V3, Phi-3: the ratio of the lengths
        factor = cfg["max_position_embeddings"] / n_train
    factor = float(factor)
    given = rp.get("attention_factor")
    if rope_type == "yarn":
        if given is not None:
            m, how = float(given), "attention_factor given"
        elif rp.get("mscale") and rp.get("mscale_all_dim"):
            m = _mscale(factor, rp["mscale"]) / _mscale(factor, rp["mscale_all_dim"])
            how = (f"get_mscale({factor:g}, {rp['mscale']:g})/get_mscale({factor:g}, {rp['mscale_all_dim']:g})")
        else:
            m, how = _mscale(factor), f"0.1·ln({factor:g}) + 1"
        if m == 1.0:
            return m, f"YaRN factor {factor:g}: attention factor 1 ({how}): frequencies only, ×1 on the logits"
        return m, (f"YaRN factor {factor:g}: attention factor m = {m:.6g} ({how}) on cos and sin, so q and k: "
                   f"logits × m² = {m * m:.6g}, STATIC — the same at every n, n ≤ T = {n_train} included "
                   f"(what 'static YaRN hurts short inputs' is about)")
    if rope_type == "longrope":
        if given is not None:
            m, how = float(given), "attention_factor given"
        elif factor <= 1.0:
            m, how = 1.0, f"factor {factor:g} ≤ 1"
        else:
            m, how = math.sqrt(1 + math.log(factor) / math.log(n_train)), f"√(1 + ln {factor:g} / ln {n_train})"
        return m, (f"LongRoPE factor {factor:g}: attention factor m = {m:.6g} ({how}) on cos and sin: logits × m² = "
                   f"{m * m:.6g}, static (the short/long factor choice by length changes frequencies only)")
    raise InputError(f"invalid rope_type={rope_type!r}: expected one of {', '.join(ROPE_TYPES)}")


def _llama4_layers(cfg: dict, layer, layer_type) -> tuple[bool | None, tuple | None]:
    """(is this a NoPE layer — None when several layers of both kinds are meant, the NoPE layers)."""
    count = int(cfg.get("num_hidden_layers") or 0)
    use_rope = cfg.get("no_rope_layers") or [int((i + 1) % int(cfg.get("no_rope_layer_interval", 4)) != 0)
                                             for i in range(count)]
    nope = tuple(i for i, r in enumerate(use_rope) if not r)
    if layer is not None:
        return not use_rope[layer], None
    types = cfg.get("layer_types")
    if layer_type is not None and types:
        chosen = {bool(use_rope[i]) for i, t in enumerate(types) if t == layer_type}
        if len(chosen) == 1:
            return not chosen.pop(), None
        if not chosen:
            raise InputError(f"invalid layer_type={layer_type!r}: expected one of {', '.join(sorted(set(types)))}")
    return (None, nope) if nope else (False, None)


def config_multiplier(config, n, *, layer_type: str | None = None, layer: int | None = None) -> ConfigMultiplier:
    """The factor by which a checkpoint's own configuration multiplies its attention logits at visible context n.

    T is the config's ``original_max_position_embeddings`` (top level, as transformers prefers, else in
    ``rope_parameters`` / ``rope_scaling``), else ``max_position_embeddings`` (Qwen v1's log-n rule: its
    ``seq_length``). Factors on q count once, factors on cos/sin (q and k) twice (:ref:`theory-extreme-value`; the module
    docstring lists each mechanism and the transformers code it follows).

    Parameters
    ----------
    config : transformers.PretrainedConfig or dict
        The checkpoint's config (``LoadedModel.model.config``, ``AutoConfig.from_pretrained``) or its
        ``config.json`` as a dict; a multimodal wrapper's ``text_config`` is read.
    n : array_like of int
        Visible context lengths, each ≥ 1.
    layer_type : str, optional
        The layer type (``full_attention``, ``sliding_attention`` ...) whose RoPE parameters to read, when the
        config's RoPE differs by layer type (Gemma 3); for Llama 4, selects its RoPE or NoPE layers.
    layer : int, optional
        A layer index (0-based): selects Llama 4's NoPE/RoPE kind and the layer's type.

    Returns
    -------
    ConfigMultiplier
        The multiplier at each n with T, the mechanisms, whether it is static and whether it rides on cos/sin.

    Raises
    ------
    InputError
        When ``n`` has a value < 1, the layer or layer type is unknown or needed, or the RoPE type is unknown.

    Examples
    --------
    >>> cfg = {"max_position_embeddings": 16384, "rope_scaling": {"rope_type": "yarn", "factor": 4.0,
    ...        "original_max_position_embeddings": 4096}}
    >>> r = config_multiplier(cfg, [10, 4096, 16384])
    >>> r.multiplier.round(4).tolist(), r.static, r.n_train
    ([1.2965, 1.2965, 1.2965], True, 4096)
    """
    cfg = _as_dict(config)
    ns = np.atleast_1d(np.asarray(n, dtype=float))
    if ns.ndim != 1 or not np.all(np.isfinite(ns)) or np.any(ns < 1) or np.any(ns != np.floor(ns)):
        raise InputError(f"invalid n={np.asarray(n).tolist()!r}: expected visible context lengths, integers ≥ 1")
    if layer is not None:
        layer = check_int("layer", layer, minimum=0, maximum=max(int(cfg.get("num_hidden_layers") or 1) - 1, 0))
    model_type = str(cfg.get("model_type") or "")
    rp, layer_type = _rope_params(cfg, layer_type, layer)
    n_train, n_train_source = _training_length(cfg, rp)
    rope_type = str(rp.get("rope_type") or rp.get("type") or "default")
    rules, words = [], []
    q_factor = np.ones_like(ns)  # on q: every dimension, counted once
    all_dim = 1.0  # in the softmax scale: every dimension
    layers = None

    nope = False
    if cfg.get("attn_temperature_tuning", model_type.startswith("llama4")) and (
            "no_rope_layers" in cfg or model_type.startswith("llama4")):
        is_nope, nope_layers = _llama4_layers(cfg, layer, layer_type)
        floor_scale, attn_scale = float(cfg.get("floor_scale", 8192)), float(cfg.get("attn_scale", 0.1))
        if is_nope is False:
            words.append("Llama 4 RoPE layer(s): temperature tuning applies to NoPE layers only, ×1 here")
        else:
            nope, layers = True, nope_layers  # a NoPE layer, or the NoPE layers: no cos/sin there
            q_factor = q_factor * llama4(ns, attn_scale=attn_scale, floor_scale=floor_scale)
            rules.append("llama4_temperature")
            where = ("this NoPE layer" if layers is None else f"NoPE layers {list(layers)} only (none on the RoPE "
                     "layers: name one with layer= for its RoPE factor)")
            words.append(f"Llama 4 temperature tuning on {where}: q × (1 + {attn_scale:g}·ln(1 + "
                         f"floor(n/{floor_scale:g}))) (floor_scale {floor_scale:g}, independent of T), logits × that")

    rotary_fraction = 0.0 if nope else float(rp.get("partial_rotary_factor") or cfg.get("partial_rotary_factor")
                                             or cfg.get("rotary_pct") or 1.0)
    if cfg.get("qk_rope_head_dim") and cfg.get("qk_nope_head_dim") is not None and not nope:  # MLA
        rotary_fraction = cfg["qk_rope_head_dim"] / (cfg["qk_rope_head_dim"] + cfg["qk_nope_head_dim"])
    rope_m = 1.0
    if nope:
        rope_type = "none"
    else:
        rope_m, text = _rope_factor(rope_type, rp, cfg, n_train)
        if rope_m != 1.0:
            rules.append(rope_type)
        if rotary_fraction < 1.0 and rope_m != 1.0:
            text += f" — on the rotated {rotary_fraction:g} of each head's dimensions only"
        words.insert(0, text)
        if (rope_type != "default" and rp.get("mscale_all_dim")
                and _model_code_has(model_type, "yarn_apply_mscale")):
            ms = _mscale(float(rp["factor"]), float(rp["mscale_all_dim"]))
            all_dim = ms * ms
            rules.append("mscale_all_dim")
            words.append(f"{model_type}'s attention folds get_mscale({float(rp['factor']):g}, "
                         f"{float(rp['mscale_all_dim']):g})² = {all_dim:.6g} into its softmax scale (every dimension, "
                         "static: every n; in LayerSpec.scale, not in cos/sin)")
        beta4 = rp.get("llama_4_scaling_beta")
        if beta4 is not None and _model_code_has(model_type, "get_llama_4_attn_scale"):
            t_orig = int(rp.get("original_max_position_embeddings") or n_train)
            q_factor = q_factor * ministral3(ns, t_orig, beta=float(beta4))
            rules.append("llama4_scaling_beta")
            words.append(f"{model_type}'s attention scales q at position p = n − 1 by 1 + {float(beta4):g}·ln(1 + "
                         f"floor(p/{t_orig})) on every layer (get_llama_4_attn_scale), logits × that")

    if cfg.get("use_logn_attn"):
        t_logn = int(cfg.get("seq_length") or n_train)
        if cfg.get("seq_length"):
            n_train, n_train_source = t_logn, "seq_length"
        q_factor = q_factor * qwen_logn(ns, t_logn)
        rules.append("qwen_logn")
        words.append(f"Qwen v1 use_logn_attn: q × max(1, ln n / ln {t_logn}) (seq_length; its remote model code, "
                     "inference only), logits × that")
    if cfg.get("use_dynamic_ntk"):
        words.append("Qwen v1 use_dynamic_ntk: frequencies only, ×1 on the logits")
    if not words:
        words.append("no logit scaling in the config")
    pass_multiplier = q_factor * all_dim
    multiplier = pass_multiplier * (rope_m * rope_m if rotary_fraction > 0 else 1.0)
    return ConfigMultiplier(n=ns, multiplier=multiplier, pass_multiplier=pass_multiplier, n_train=n_train,
                            n_train_source=n_train_source, rule="+".join(rules) or "none", rope_type=rope_type,
                            rotary_fraction=float(rotary_fraction), static=not set(rules) & _BY_POSITION,
                            in_rotary=bool(rope_m != 1.0 and rotary_fraction > 0), layers=layers,
                            description="; ".join(words))
