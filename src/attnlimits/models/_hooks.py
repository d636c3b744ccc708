"""The forward pass shared by encoders (:mod:`._extract`) and decoders (:mod:`._decoder`): the model run once
with forward hooks that read the query/key projections (and the rotary cos/sin) of its attention layers."""

from __future__ import annotations

__all__ = ["hooked_forward"]


def hooked_forward(lm, input_ids, attention_mask, *, output_attentions: bool = False, rope: bool = False,
                   layers=None, progress=None):
    """Run the model with forward hooks on the query/key projections of the attention modules of ``layers``.

    Parameters
    ----------
    lm : LoadedModel
        The model.
    input_ids, attention_mask : array_like of int, shape (batch, T)
        Token ids and the 1/0 mask of real tokens.
    output_attentions : bool
        Run eagerly and return the model's attention probabilities in ``out``; otherwise the pass runs on
        torch's SDPA where the model supports it.
    rope : bool
        Also read the (cos, sin) each attention module receives as ``position_embeddings`` (decoders).
    layers : collection of int, optional
        Hook only these layers (default all).
    progress : callable, optional
        Called as ``progress(i)`` after attention layer i (0-based) has run: the pass's progress.

    Returns
    -------
    store : dict
        ``store[("q"|"k", layer)]``: the projection outputs (torch tensors, batch × T × heads·d_head); with
        ``rope`` also ``store[("rope", layer)]``: (cos, sin).
    out : object
        The model's output.
    """
    import torch

    store: dict = {}
    hooks = []
    for i, (_, mod, qn, kn) in enumerate(lm.attention_modules):
        if layers is not None and i not in layers:
            continue
        if rope:
            def pre(_m, _args, kwargs, i=i):
                store[("rope", i)] = kwargs["position_embeddings"]
            hooks.append(mod.register_forward_pre_hook(pre, with_kwargs=True))
        for tag, attr in (("q", qn), ("k", kn)):
            def hook(_m, _inp, out, i=i, tag=tag):
                store[(tag, i)] = out.detach()
            hooks.append(getattr(mod, attr).register_forward_hook(hook))
    if progress is not None:
        for i, (_, mod, _, _) in enumerate(lm.attention_modules):
            hooks.append(mod.register_forward_hook(lambda _m, _inp, _out, i=i: progress(i)))
    # without probabilities to return, the pass runs on torch's SDPA where the model supports it, so a long
    # window does not hold T × T eager scores per layer (q and k then agree with an eager pass to float32 rounding)
    fast = not output_attentions and bool(getattr(lm.model, "_supports_sdpa", False))
    try:
        if fast:
            lm.model.set_attn_implementation("sdpa")
        with torch.no_grad():
            out = lm.model(input_ids=torch.as_tensor(input_ids), attention_mask=torch.as_tensor(attention_mask),
                           output_attentions=output_attentions)
    finally:
        for h in hooks:
            h.remove()
        if fast:
            lm.model.set_attn_implementation("eager")
    return store, out
