"""One mechanism for every recipe: the RoPE rebuilt from modified parameters, and an attention function that
multiplies the query after RoPE by a (heads, positions) table, then calls transformers' SDPA attention.

The function is registered once with transformers' ``AttentionInterface`` (and the SDPA mask with
``AttentionMaskInterface``) under :data:`ATTENTION_NAME`; :func:`applied` switches a loaded decoder to it, gives
each attention module its table, and puts everything back on exit. The query of row i is taken to sit at
position i (one window from position 0, no cache), so row i of the table is the query's n = i + 1.

A recorder (optional) sees each layer's query (after the multiplier), key, value, mask, scale and output: the
per-head max weight of sampled rows and the exactness check read the model's attention there.
"""

from __future__ import annotations

from contextlib import contextmanager

__all__ = ["ATTENTION_NAME", "register_attention", "applied", "rebuilt_rotary"]

#: The name the scaled attention function is registered under.
ATTENTION_NAME = "attnlimits_scaled_sdpa"


class _LayerState:
    """What one attention module carries while a recipe is applied: its layer index, its query table (a torch
    tensor (heads, positions) or None) and the recorder."""

    def __init__(self, layer: int, multiplier, recorder):
        self.layer, self.multiplier, self.recorder = layer, multiplier, recorder


def _scaled_sdpa(module, query, key, value, attention_mask, *args, **kwargs):
    """transformers' ``sdpa_attention_forward`` on q·g (g the module's table, rows = query positions)."""
    from transformers.integrations.sdpa_attention import sdpa_attention_forward

    state = getattr(module, "_attnlimits_state", None)
    if state is not None and state.multiplier is not None:
        g = state.multiplier[:, : query.shape[2]]
        query = query * g[None, :, :, None].to(dtype=query.dtype, device=query.device)
    out, weights = sdpa_attention_forward(module, query, key, value, attention_mask, *args, **kwargs)
    if state is not None and state.recorder is not None:
        scaling = kwargs.get("scaling", getattr(module, "scaling", None))
        state.recorder(state.layer, module, query, key, value, attention_mask, scaling, out)
    return out, weights


def register_attention() -> str:
    """Register the scaled attention function (and SDPA's mask) with transformers; idempotent.

    Returns
    -------
    str
        :data:`ATTENTION_NAME`.
    """
    from transformers import AttentionInterface
    from transformers.masking_utils import AttentionMaskInterface, sdpa_mask

    AttentionInterface.register(ATTENTION_NAME, _scaled_sdpa)
    AttentionMaskInterface.register(ATTENTION_NAME, sdpa_mask)
    return ATTENTION_NAME


def rebuilt_rotary(model, rope: dict):
    """A new rotary embedding of ``model``'s own class built from a copy of its config with ``rope`` as
    ``rope_parameters`` (transformers computes the frequencies and the attention factor), on its device.

    Parameters
    ----------
    model : transformers.PreTrainedModel
        A decoder with a ``rotary_emb`` module (Llama, Mistral, Qwen 2/3, Gemma).
    rope : dict
        The RoPE parameters (``rope_type``, ``rope_theta``, ``factor`` …).

    Returns
    -------
    torch.nn.Module
        The rotary embedding.
    """
    import copy

    old = model.rotary_emb
    config = copy.deepcopy(model.config)
    config.rope_parameters = dict(rope)
    device = next(iter(old.buffers()), None)
    new = type(old)(config=config)
    return new.to(device.device) if device is not None else new


@contextmanager
def applied(lm, *, rope: dict | None = None, multipliers=None, recorder=None, attention: bool | None = None):
    """Apply a recipe to a loaded decoder for the duration of the block.

    Parameters
    ----------
    lm : LoadedModel
        The decoder (changed in place, restored on exit).
    rope : dict, optional
        RoPE parameters for a rebuilt rotary embedding (:func:`rebuilt_rotary`); the config's
        ``rope_parameters`` say the same meanwhile. None keeps the model's.
    multipliers : array_like, optional
        Query multipliers g: shape (heads, positions) for every layer, or (layers, heads, positions).
    recorder : callable, optional
        ``recorder(layer, module, query, key, value, mask, scaling, output)`` after each attention layer.
    attention : bool, optional
        Switch to the scaled attention function (default: when ``multipliers`` or ``recorder`` is given).
        Without it the model keeps its attention implementation (what ``audit_checkpoint`` needs).

    Yields
    ------
    LoadedModel
        ``lm``.
    """
    import numpy as np
    import torch

    net = lm.model
    switch = (multipliers is not None or recorder is not None) if attention is None else attention
    old_rotary, old_rope = net.rotary_emb, net.config.rope_parameters
    old_impl = net.config._attn_implementation
    device = next(net.parameters()).device
    tables = None
    if multipliers is not None:
        g = np.asarray(multipliers, dtype=np.float32)
        g = np.broadcast_to(g, (lm.layers, *g.shape)) if g.ndim == 2 else g
        tables = [torch.tensor(np.array(g[i]), device=device) for i in range(lm.layers)]
    try:
        if rope is not None:
            net.rotary_emb = rebuilt_rotary(net, rope)
            net.config.rope_parameters = dict(rope)
        if switch:
            net.set_attn_implementation(register_attention())
            for i, (_, mod, _, _) in enumerate(lm.attention_modules):
                mod._attnlimits_state = _LayerState(i, None if tables is None else tables[i], recorder)
        yield lm
    finally:
        for _, mod, _, _ in lm.attention_modules:
            if hasattr(mod, "_attnlimits_state"):
                del mod._attnlimits_state
        if net.config._attn_implementation != old_impl:
            net.set_attn_implementation(old_impl)
        net.rotary_emb, net.config.rope_parameters = old_rotary, old_rope
