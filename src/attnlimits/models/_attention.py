"""A real model's attention as a function of the visible context length, mask-aware (:ref:`theory-extreme-value`)."""

from __future__ import annotations

import numpy as np

from .._validation import InputError, check_int
from ._extract import forward_qk
from ._load import LoadedModel

__all__ = ["attention_profile", "attention_stats"]


def attention_stats(probs, mask: np.ndarray) -> dict:
    """Mean max weight, entropy and effective support exp(entropy) per (layer, head), mask-aware (:ref:`theory-extreme-value`).

    Parameters
    ----------
    probs : ndarray, shape (layers, batch, heads, T, T), or a sequence of (batch, heads, T, T) arrays
        Attention probabilities as the model returns them (one array per layer, read one layer at a time).
    mask : ndarray, shape (batch, T)
        1 for real tokens, 0 for padding. Only real queries count, and only real keys enter the entropy
        (a masked key has probability 0 and contributes nothing; a padded query row is skipped).

    Returns
    -------
    dict
        ``max_weight``, ``entropy`` (−Σ_j p_j log p_j) and ``effective_support`` (exp of each row's
        entropy): arrays (layers, heads), each the mean over the real query rows; ``visible``: the mean
        number of real tokens per sequence (float).
    """
    valid = mask.astype(bool)
    sel = valid[:, None, :]  # real query rows, (batch, 1, T)
    count = sel.sum(axis=(0, 2))

    def mean(x):
        return np.where(sel, x, 0.0).sum(axis=(0, 2)) / count

    rows = {"max_weight": [], "entropy": [], "effective_support": []}
    for layer in probs:  # one layer's temporaries at a time: memory (and first-touch page faults) of one layer
        p = np.where(valid[:, None, None, :], layer, 0.0)
        xlogx = np.zeros_like(p)
        np.log(p, out=xlogx, where=p > 0)
        xlogx *= p
        ent = -np.sum(xlogx, axis=-1)  # (batch, heads, T)
        for key, x in (("max_weight", p.max(axis=-1)), ("entropy", ent), ("effective_support", np.exp(ent))):
            rows[key].append(mean(x))
    return {**{key: np.array(v) for key, v in rows.items()}, "visible": float(mask.sum(axis=1).mean())}


def attention_profile(lm: LoadedModel, text: str, ns, *, windows: int = 8) -> dict:
    """Attention statistics of every layer and head at each visible context length n (:ref:`theory-extreme-value`).

    For each n, up to ``windows`` consecutive windows of exactly n tokens (special tokens included) are cut
    from ``text``; a query sees the n keys of its window (MiniLM is bidirectional; padding never enters).

    Parameters
    ----------
    lm : LoadedModel
        An encoder with [CLS]/[SEP] tokens (each window is [CLS] … [SEP]).
    text : str
        The text to tokenise.
    ns : sequence of int
        Context lengths n, each in [3, ``lm.max_tokens``].
    windows : int
        At most this many windows per n, ≥ 1.

    Returns
    -------
    dict
        ``n``: the list of lengths; ``max_weight``, ``entropy``, ``effective_support``: arrays
        (len(ns), layers, heads) of :func:`attention_stats` over the windows of each n.

    Raises
    ------
    InputError
        When an n or ``windows`` is out of range, or the text is too short for one window of some n.
    """
    ns = [check_int("n", n, minimum=3, maximum=lm.max_tokens) for n in ns]
    windows = check_int("windows", windows, minimum=1)
    ids = lm.tokenizer(text, add_special_tokens=False)["input_ids"]
    cls, sep = lm.tokenizer.cls_token_id, lm.tokenizer.sep_token_id
    out = {"n": ns, "max_weight": [], "entropy": [], "effective_support": []}
    for n in ns:
        body = n - 2
        rows = [[cls, *ids[i:i + body], sep] for i in range(0, len(ids) - body + 1, body)][:windows]
        if not rows:
            raise InputError(f"invalid n={n}: the text has {len(ids)} tokens, too short for one window of {n}")
        input_ids = np.array(rows, dtype=np.int64)
        mask = np.ones_like(input_ids)
        _, _, att = forward_qk(lm, input_ids, mask, output_attentions=True)
        st = attention_stats(att, mask)
        for key in ("max_weight", "entropy", "effective_support"):
            out[key].append(st[key])
    for key in ("max_weight", "entropy", "effective_support"):
        out[key] = np.array(out[key])
    return out
