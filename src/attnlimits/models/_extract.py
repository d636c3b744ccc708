"""Queries and keys as the softmax sees them: after the projections (encoders), or after q/k norms and RoPE
(decoders, :mod:`._decoder`)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._validation import InputError, check_int
from ._decoder import decoder_qk
from ._hooks import hooked_forward
from ._load import LoadedModel, load_model
from ._text import read_text

__all__ = ["KeyExtraction", "forward_qk", "token_windows", "extract_keys", "shared_model", "shared_text"]


@dataclass
class KeyExtraction:
    """Per-layer, per-head queries and keys of real tokens (padding excluded), from :func:`extract_keys`.

    Parameters
    ----------
    queries, keys : ndarray, shape (layers, heads, tokens, d_head), float32
        q and k as the softmax sees them, tokens in window order (decoders: the keys of each query head's
        key-value head).
    scale : float
        The logit scale: logits = scale·⟨q, k⟩ (the model's 1/√d_head; decoders: the first extracted layer's).
    window : ndarray, shape (tokens,)
        Window index of each token (a query attends only to keys of its window).
    model : str
        The model's name.
    position : ndarray, shape (tokens,), optional
        Position of each token in its window.
    causal : bool
        Decoder: a query at position p sees the keys at positions ≤ p of its window (and, in a layer with a
        sliding window W, only those > p − W).
    specs : list of LayerSpec, optional
        Per extracted layer (decoders): scale, soft-cap, sliding window, RoPE parameters.
    layers, heads : list of int, optional
        The model's indices of the extracted layers and heads.
    kv_heads : list of int, optional
        Key-value head of each extracted query head (GQA); its keys are those in ``keys``.
    """

    queries: np.ndarray
    keys: np.ndarray
    scale: float
    window: np.ndarray
    model: str
    position: np.ndarray | None = None
    causal: bool = False
    specs: list | None = None
    layers: list | None = None
    heads: list | None = None
    kv_heads: list | None = None

    def select(self, layers, heads) -> "KeyExtraction":
        """The chosen layers and heads (the model's indices, each among those extracted), as extracted alone.

        Parameters
        ----------
        layers, heads : list of int
            Extracted layers and query heads, in the order wanted.

        Returns
        -------
        KeyExtraction
            Queries, keys, specs and key-value heads of those layers and heads; the same tokens.
        """
        li, hi = [self.layers.index(x) for x in layers], [self.heads.index(x) for x in heads]
        pick = np.ix_(li, hi)
        return KeyExtraction(queries=self.queries[pick], keys=self.keys[pick], scale=self.scale, window=self.window,
                             model=self.model, position=self.position, causal=self.causal,
                             specs=[self.specs[i] for i in li] if self.specs else self.specs, layers=list(layers),
                             heads=list(heads), kv_heads=[self.kv_heads[i] for i in hi])


def _kept(shared, key, compute):
    """``compute()``, or with a dict ``shared`` the value kept there under ``key`` (computed and kept when missing)."""
    if shared is None:
        return compute()
    if key not in shared:
        shared[key] = compute()
    return shared[key]


def shared_model(model, shared: dict | None = None) -> LoadedModel:
    """``model`` loaded (:func:`~._load.load_model`), unless it is a LoadedModel already; with a dict
    ``shared`` handed to several calls, loaded once for them all.

    Parameters
    ----------
    model : str, path or LoadedModel
        'minilm', a local Hugging Face directory, or a model already loaded.
    shared : dict, optional
        Values shared between calls (see :func:`extract_keys`).

    Returns
    -------
    LoadedModel
        The model.
    """
    return model if isinstance(model, LoadedModel) else _kept(shared, ("model", str(model)), lambda: load_model(model))


def shared_text(text_path, shared: dict | None = None) -> str:
    """:func:`~._text.read_text` of ``text_path``; with a dict ``shared`` handed to several calls, read once.

    Parameters
    ----------
    text_path : path or str, optional
        UTF-8 text file or a named text of ``TEXT_NAMES`` (None: the standard-library docstrings).
    shared : dict, optional
        Values shared between calls (see :func:`extract_keys`).

    Returns
    -------
    str
        The text.
    """
    return _kept(shared, ("text", None if text_path is None else str(text_path)), lambda: read_text(text_path))


def forward_qk(lm: LoadedModel, input_ids, attention_mask, *, output_attentions: bool = False, layers=None,
               progress=None):
    """Run the model on a batch of windows and read q and k of every (or the chosen) attention layer.

    q and k are read by forward hooks on the query/key projections; decoders go through
    ``_decoder.decoder_qk`` (after q/k norms and RoPE, keys of each query head's key-value head).

    Parameters
    ----------
    lm : LoadedModel
        The model.
    input_ids, attention_mask : array_like of int, shape (batch, T)
        Token ids and the 1/0 mask of real tokens (as :func:`token_windows` returns them).
    output_attentions : bool
        Also return the model's own (eager) attention probabilities.
    layers : collection of int, optional
        Read only these layers (default all): a long window of a large model holds q and k of a few layers only.
    progress : callable, optional
        Called as ``progress(i)`` after attention layer i has run.

    Returns
    -------
    q, k : list
        Per layer, a float32 array (batch, heads, T, d_head), or None for a layer not read.
    attentions : list or None
        Per layer, float32 probabilities (batch, heads, T, T) when ``output_attentions``, else None.
    """
    if lm.causal:
        return decoder_qk(lm, input_ids, attention_mask, output_attentions=output_attentions, layers=layers,
                          progress=progress)
    store, out = hooked_forward(lm, input_ids, attention_mask, output_attentions=output_attentions, layers=layers,
                                progress=progress)

    def split(x):
        b, t, _ = x.shape
        return x.view(b, t, -1, lm.d_head).transpose(1, 2).float().numpy()

    q = [split(store[("q", i)]) if ("q", i) in store else None for i in range(lm.layers)]
    k = [split(store[("k", i)]) if ("k", i) in store else None for i in range(lm.layers)]
    att = [a.float().numpy() for a in out.attentions] if output_attentions else None
    return q, k, att


def token_windows(lm: LoadedModel, text: str, *, window: int | None = None, max_tokens: int | None = None):
    """Tokenise ``text`` once and cut it into consecutive windows of at most ``window`` tokens.

    An encoder's window is [CLS] … [SEP]; a decoder's starts with the tokenizer's BOS where the tokenizer
    itself adds one to a text (Llama 2/3: yes; SmolLM2, whose GGUF sets ``add_bos_token = False``: no).

    Parameters
    ----------
    lm : LoadedModel
        The model whose tokenizer is used.
    text : str
        The text.
    window : int, optional
        Tokens per window, special tokens included, in [3, ``lm.max_tokens``] (default ``lm.max_tokens``:
        512 for MiniLM, ``max_position_embeddings`` for a decoder).
    max_tokens : int, optional
        Keep only the first ``max_tokens`` tokens of the text (special tokens not counted).

    Returns
    -------
    input_ids, attention_mask : numpy.ndarray of int64, shape (windows, width)
        Token ids right-padded with the tokenizer's pad id (0 without one) to the longest window, and 1 for
        real tokens, 0 for padding.

    Raises
    ------
    InputError
        When ``window`` is out of range or the text gives no tokens.
    """
    window = lm.max_tokens if window is None else check_int("window", window, minimum=3, maximum=lm.max_tokens)
    ids = lm.tokenizer(text, add_special_tokens=False)["input_ids"]
    if max_tokens is not None:
        ids = ids[:max_tokens]
    cls, sep, pad = lm.tokenizer.cls_token_id, lm.tokenizer.sep_token_id, lm.tokenizer.pad_token_id or 0
    bos = getattr(lm.tokenizer, "bos_token_id", None)
    if lm.causal:
        head, tail = ([bos] if bos is not None and _adds_bos(lm.tokenizer, bos) else []), []
    else:
        head, tail = ([cls], [sep]) if cls is not None and sep is not None else ([], [])
    body = window - len(head) - len(tail)
    chunks = [ids[i:i + body] for i in range(0, len(ids), body)]
    rows = [[*head, *c, *tail] for c in chunks if c]
    if not rows:
        raise InputError("invalid text: it gives no tokens; expected some text")
    width = max(len(r) for r in rows)
    input_ids = np.full((len(rows), width), pad, dtype=np.int64)
    mask = np.zeros((len(rows), width), dtype=np.int64)
    for i, r in enumerate(rows):
        input_ids[i, :len(r)] = r
        mask[i, :len(r)] = 1
    return input_ids, mask


def _adds_bos(tokenizer, bos: int) -> bool:
    """Whether the tokenizer puts its BOS before a text it encodes with special tokens (its own setting)."""
    return tokenizer("a", add_special_tokens=True)["input_ids"][:1] == [bos]


def extract_keys(lm: LoadedModel, text: str, *, layers=None, heads=None, max_tokens: int = 16384,
                 batch: int = 8, min_tokens: int = 256, window: int | None = None,
                 shared: dict | None = None, progress=None) -> KeyExtraction:
    """Queries and keys of every real token of ``text``, for the chosen layers and heads.

    The text is cut into non-overlapping windows (:func:`token_windows`) run through the model ``batch``
    windows at a time (:func:`forward_qk`); each token's position in its window is kept and, for decoders,
    each layer's ``_decoder.LayerSpec``.

    Parameters
    ----------
    lm : LoadedModel
        The model.
    text : str
        The text.
    layers, heads : list of int, optional
        Layer indices in [0, ``lm.layers`` − 1] and query-head indices in [0, ``lm.heads`` − 1] (default all).
    max_tokens : int
        Text tokens read (a cap on work and memory).
    batch : int
        Windows per forward pass.
    min_tokens : int
        Fewest real tokens (special tokens included) accepted.
    window : int, optional
        Tokens per window (default the model's maximum length).
    shared : dict, optional
        A dict handed to several calls on one model and text: the extraction of every head of the layers is
        kept there and a later call for some of those layers and heads (same ``max_tokens``, ``batch``,
        ``window``) takes them from it, with the same values — one forward pass for all the calls.
    progress : callable, optional
        Called as ``progress(done, total)`` with the attention layers run so far over all forward passes.

    Returns
    -------
    KeyExtraction
        Queries and keys of shape (len(layers), len(heads), tokens, d_head), float32.

    Raises
    ------
    InputError
        When the text gives fewer than ``min_tokens`` tokens or a layer, head or window is out of range.
    """
    layers = list(range(lm.layers)) if layers is None else [check_int("layer", x, minimum=0, maximum=lm.layers - 1) for x in layers]
    heads = list(range(lm.heads)) if heads is None else [check_int("head", x, minimum=0, maximum=lm.heads - 1) for x in heads]
    if shared is not None:
        key = ("keys", str(lm.path), text, max_tokens, batch, lm.max_tokens if window is None else window)
        ex = shared.get(key)
        if ex is None or not set(layers) <= set(ex.layers):  # every head kept, for later calls on other heads
            ex = shared[key] = extract_keys(lm, text, layers=layers, max_tokens=max_tokens, batch=batch,
                                            min_tokens=min_tokens, window=window, progress=progress)
        _check_tokens(ex.keys.shape[2], min_tokens)
        return ex.select(layers, heads)
    input_ids, mask = token_windows(lm, text, window=window, max_tokens=max_tokens)
    _check_tokens(int(mask.sum()), min_tokens)
    qs, ks, win, pos = [], [], [], []
    passes = -(-len(input_ids) // batch)
    for start in range(0, len(input_ids), batch):
        ids, m = input_ids[start:start + batch], mask[start:start + batch]
        done = (start // batch) * lm.layers
        tick = None if progress is None else (lambda i, done=done: progress(done + i + 1, passes * lm.layers))
        q, k, _ = forward_qk(lm, ids, m, layers=layers, progress=tick)
        valid = m.astype(bool)
        qs.append(_gather(q, layers, heads, valid))
        del q
        ks.append(_gather(k, layers, heads, valid))
        del k
        win.append(np.repeat(np.arange(start, start + len(ids)), valid.sum(axis=1)))
        pos.append(np.nonzero(valid)[1])
    specs = [lm.specs[li] for li in layers] if lm.causal else None
    groups = lm.heads // (lm.kv_heads or lm.heads)
    return KeyExtraction(queries=_joined(qs), keys=_joined(ks),
                         scale=specs[0].scale if specs else lm.scale, window=np.concatenate(win), model=lm.name,
                         position=np.concatenate(pos), causal=lm.causal, specs=specs, layers=layers, heads=heads,
                         kv_heads=[h // groups for h in heads])


def _gather(per_layer, layers, heads, valid) -> np.ndarray:
    """(layers, heads, real tokens, d_head) float32 from the per-layer (batch, heads, T, d_head) arrays, one layer
    at a time with each layer's array released once copied (peak memory: the result plus one layer)."""
    out = None
    for i, li in enumerate(layers):
        x = per_layer[li]
        per_layer[li] = None
        block = np.stack([x[:, h][valid] for h in heads]).astype(np.float32, copy=False)
        if out is None:
            out = np.empty((len(layers), *block.shape), dtype=np.float32)
        out[i] = block
    return out


def _joined(parts) -> np.ndarray:
    """The token axis (2) of the batches joined; one batch is returned as it is (no copy)."""
    return parts[0] if len(parts) == 1 else np.concatenate(parts, axis=2)


def _check_tokens(total: int, min_tokens: int) -> None:
    """Raise InputError when the text gives fewer than ``min_tokens`` tokens."""
    if total < min_tokens:
        raise InputError(f"invalid text: it gives {total} tokens; expected at least {min_tokens} to estimate a tail")
