"""Decoder checkpoints (Llama, Mistral, Qwen2/3, Gemma 1/2/3): q and k exactly as the softmax sees them.

The query/key projections are read by forward hooks and passed through the layer's own q/k norms where it has
them (Qwen 3, Gemma 3: RMS norms over the head dimension, so the layout they are applied in does not matter);
the rotary cos/sin each layer receives are read from the keyword arguments of its attention module
(a forward pre-hook), so they are the model's own for the checkpoint's RoPE configuration (``rope_parameters``,
or a legacy ``rope_scaling`` that transformers standardises on load; types default, linear, dynamic, yarn,
llama3, longrope; per layer type in Gemma 3). The rotation itself is applied here, as transformers'
``apply_rotary_pos_emb`` does (q·cos + rotate_half(q)·sin, on the first ``cos.shape[-1]`` dimensions).
Each layer's logit scale, soft-cap and sliding window are read from its attention module.
"""

from __future__ import annotations

from dataclasses import dataclass

from ._hooks import hooked_forward

__all__ = ["DECODER_TYPES", "LayerSpec", "layer_specs", "decoder_qk"]

#: ``model_type`` values whose eager attention this module reproduces (tested against output_attentions).
DECODER_TYPES = ("llama", "mistral", "qwen2", "qwen3", "gemma", "gemma2", "gemma3_text")


@dataclass(frozen=True)
class LayerSpec:
    """What one layer's softmax applies to q·k.

    Parameters
    ----------
    scale : float
        Logit scale (1/√d_head, or query_pre_attn_scalar^(−1/2) in Gemma 2/3): logits = scale·⟨q, k⟩.
    softcap : float or None
        Logit soft-cap c: logits → c·tanh(logits/c) (Gemma 2), before the mask.
    sliding_window : int or None
        A query at position p sees keys at positions p − W + 1 … p (transformers' ``kv > q − W``).
    layer_type : str
        ``full_attention`` or ``sliding_attention``.
    rope : dict
        The RoPE parameters of this layer (``rope_type``, ``rope_theta``, ``factor`` …) as the config holds them.
    """

    scale: float
    softcap: float | None
    sliding_window: int | None
    layer_type: str
    rope: dict

    def to_dict(self) -> dict:
        """The five fields as a JSON-ready dict."""
        return {"scale": self.scale, "softcap": self.softcap, "sliding_window": self.sliding_window,
                "layer_type": self.layer_type, "rope": self.rope}


def _rope_of(config, layer_type: str) -> dict:
    params = getattr(config, "rope_parameters", None) or {}
    if layer_type in params and isinstance(params[layer_type], dict):
        params = params[layer_type]
    return {k: (v if isinstance(v, (int, float, str, bool)) or v is None else list(v)) for k, v in params.items()}


def layer_specs(config, modules) -> list:
    """The :class:`LayerSpec` of every attention module (in layer order) of a decoder with ``config``."""
    specs = []
    for i, (_, mod, _, _) in enumerate(modules):
        types = getattr(config, "layer_types", None)
        layer_type = types[i] if types else "full_attention"
        if hasattr(mod, "sliding_window"):
            window = mod.sliding_window
        else:  # Mistral: one window for every layer, from the config (its mask function)
            window = getattr(config, "sliding_window", None)
            layer_type = "sliding_attention" if window else layer_type
        cap = getattr(mod, "attn_logit_softcapping", None)
        specs.append(LayerSpec(scale=float(mod.scaling), softcap=None if cap is None else float(cap),
                               sliding_window=None if window is None else int(window), layer_type=layer_type,
                               rope=_rope_of(config, layer_type)))
    return specs


def _rotate(x, cos, sin):
    """transformers' apply_rotary_pos_emb on (batch, heads, T, d) with cos/sin (batch, T, r), r ≤ d."""
    import torch

    r = cos.shape[-1]
    rot, rest = x[..., :r], x[..., r:]
    half = r // 2
    turned = torch.cat((-rot[..., half:], rot[..., :half]), dim=-1)
    out = rot * cos[:, None] + turned * sin[:, None]
    return torch.cat((out, rest), dim=-1) if rest.shape[-1] else out


def decoder_qk(lm, input_ids, attention_mask, *, output_attentions: bool = False, layers=None, progress=None):
    """Run a decoder; return (q, k, attentions): q and k per layer as float32 arrays (batch, heads, T, d_head)
    after q/k norms and RoPE, with each query head's key-value head's keys (GQA: head h reads kv head
    h // (heads / kv_heads)); and the model's eager probabilities when ``output_attentions``. With ``layers``,
    only those layers are read (the others' entries are None); ``progress(i)`` is called after attention layer i."""
    import torch

    store, out = hooked_forward(lm, input_ids, attention_mask, output_attentions=output_attentions, rope=True,
                                layers=layers, progress=progress)
    groups = lm.heads // lm.kv_heads
    q_all, k_all = [], []
    for i, (_, mod, _, _) in enumerate(lm.attention_modules):
        if ("rope", i) not in store:
            q_all.append(None)
            k_all.append(None)
            continue
        cos, sin = store[("rope", i)]
        qk = []
        for tag in ("q", "k"):
            x = store.pop((tag, i))  # released layer by layer: the projections never all sit beside their copies
            x = x.reshape(*x.shape[:2], -1, lm.d_head)
            norm = getattr(mod, f"{tag}_norm", None)
            if norm is not None:
                with torch.no_grad():
                    x = norm(x)
            qk.append(_rotate(x.transpose(1, 2), cos, sin))
        q, k = qk
        k = k.repeat_interleave(groups, dim=1)
        q_all.append(q.float().numpy())
        k_all.append(k.float().numpy())
    att = [a.float().numpy() for a in out.attentions] if output_attentions else None
    return q_all, k_all, att
