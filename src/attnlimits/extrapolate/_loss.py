"""Next-token losses of one window from the decoder's final hidden states, in chunks: the full logits of a
16k-token window take 3.2 GB (49k vocabulary × 4 bytes per position); chunks of 1024 positions take 200 MB."""

from __future__ import annotations

import numpy as np

from .._validation import InputError

__all__ = ["lm_head", "token_losses", "CHUNK"]

#: Positions per chunk of logits.
CHUNK = 1024


def lm_head(lm):
    """The output projection of a decoder loaded with ``AutoModel`` (which has no head): the input embeddings
    when the config ties them (SmolLM2), else ``lm_head.weight`` read from the model's safetensors; with the
    final logit soft-cap where the config has one (Gemma 2/3).

    Parameters
    ----------
    lm : LoadedModel
        The decoder.

    Returns
    -------
    tuple
        (weight, softcap): a torch tensor (vocabulary, hidden) on the model's device, and a float or None.

    Raises
    ------
    InputError
        When the head is neither tied nor in the weights.
    """
    import torch

    config = lm.model.config
    text = config.get_text_config() if hasattr(config, "get_text_config") else config
    cap = getattr(text, "final_logit_softcapping", None)
    embed = lm.model.get_input_embeddings().weight
    if getattr(text, "tie_word_embeddings", getattr(config, "tie_word_embeddings", False)):
        return embed.detach(), (None if cap is None else float(cap))
    from safetensors import safe_open

    for path in sorted(lm.path.glob("*.safetensors")):
        with safe_open(str(path), framework="pt") as f:
            for name in f.keys():
                if name.endswith("lm_head.weight"):
                    w = f.get_tensor(name).to(dtype=embed.dtype, device=embed.device)
                    return w, (None if cap is None else float(cap))
    raise InputError(f"invalid model={lm.name!r}: no lm_head.weight in its safetensors and tie_word_embeddings is "
                     "false; the losses need the output projection")


def token_losses(hidden, input_ids, head, *, chunk: int = CHUNK) -> np.ndarray:
    """Per-position next-token loss −log p(x_{p+1} | x_{≤p}) for p = 0 … L − 2, from the final hidden states.

    Parameters
    ----------
    hidden : torch.Tensor
        Shape (L, hidden): the decoder's last hidden state (after its final norm) of one window.
    input_ids : torch.Tensor
        Shape (L,): the window's tokens.
    head : tuple
        (weight, softcap) of :func:`lm_head`.
    chunk : int
        Positions per chunk of logits.

    Returns
    -------
    numpy.ndarray
        Shape (L − 1,), float64 (nats): entry p is the loss of the query at position p (n = p + 1 keys).
    """
    import torch

    weight, cap = head
    targets = input_ids[1:].to(hidden.device)
    out = np.empty(hidden.shape[0] - 1)
    with torch.no_grad():
        for start in range(0, hidden.shape[0] - 1, chunk):
            stop = min(start + chunk, hidden.shape[0] - 1)
            logits = hidden[start:stop].float() @ weight.float().T
            if cap is not None:
                logits = cap * torch.tanh(logits / cap)
            loss = torch.nn.functional.cross_entropy(logits, targets[start:stop], reduction="none")
            out[start:stop] = loss.double().cpu().numpy()
    return out
