"""Practical logit multipliers used to extend context (:ref:`theory-extreme-value`), as functions of the visible context n.

Each returns the factor by which a rule multiplies the logits (β) at visible context n, for training length
L (= T). A rule that scales both q and k by m multiplies the logits by m²; one that scales q alone by m
multiplies them by m.
"""

from __future__ import annotations

import numpy as np

__all__ = ["RULES", "RECIPES", "yarn", "longrope", "qwen_logn", "llama4", "llama4_train_floor", "ministral3", "ssmax",
           "multipliers"]


def yarn(n, n_train):
    """YaRN: attention factor m = 0.1·ln s + 1 with s = max(1, n/L) on cos/sin, i.e. on q and
    k: m² (:ref:`theory-extreme-value`).

    transformers ``_compute_yarn_parameters`` (``get_mscale``; s = 4 → m² = 1.2965).

    Parameters
    ----------
    n : array_like
        Visible context lengths.
    n_train : float
        Training length L.

    Returns
    -------
    numpy.ndarray
        The logit multiplier (0.1·ln s + 1)².

    Examples
    --------
    >>> round(float(yarn(16384, 4096)), 4)
    1.2965
    """
    s = np.maximum(np.asarray(n, dtype=float) / n_train, 1.0)
    return (0.1 * np.log(s) + 1.0) ** 2


def longrope(n, n_train):
    """LongRoPE / Phi-3: m = √(1 + ln s / ln L) on q and k (s = n/L > 1, else 1):
    m² = 1 + ln s / ln L (:ref:`theory-extreme-value`).

    transformers ``_compute_longrope_parameters``.

    Parameters
    ----------
    n : array_like
        Visible context lengths.
    n_train : float
        Training length L.

    Returns
    -------
    numpy.ndarray
        The logit multiplier 1 + ln s / ln L.
    """
    s = np.maximum(np.asarray(n, dtype=float) / n_train, 1.0)
    return 1.0 + np.log(s) / np.log(n_train)


def qwen_logn(n, n_train):
    """Qwen v1 ``use_logn_attn``: q scaled by max(1, ln n / ln L) (its model code; logits × that; :ref:`theory-extreme-value`).

    Parameters
    ----------
    n : array_like
        Visible context lengths.
    n_train : float
        Training length L.

    Returns
    -------
    numpy.ndarray
        The logit multiplier max(1, ln n / ln L).
    """
    return np.maximum(1.0, np.log(np.asarray(n, dtype=float)) / np.log(n_train))


def llama4(n, n_train=None, *, attn_scale: float = 0.1, floor_scale: float = 8192.0):
    """Llama 4 temperature tuning (NoPE layers): q at position p = n − 1 scaled by
    1 + attn_scale·ln(floor(n/floor_scale) + 1) (transformers ``Llama4TextAttention``). Independent of L (:ref:`theory-extreme-value`).

    Parameters
    ----------
    n : array_like
        Visible context lengths.
    n_train : float, optional
        Training length L (unused: accepted so that every rule has one signature).
    attn_scale : float
        The rule's ``attn_scale`` (default 0.1).
    floor_scale : float
        The rule's ``floor_scale`` (default 8192).

    Returns
    -------
    numpy.ndarray
        The logit multiplier 1 + attn_scale·ln(floor(n/floor_scale) + 1).
    """
    n = np.asarray(n, dtype=float)
    return 1.0 + attn_scale * np.log1p(np.floor(n / floor_scale))


def llama4_train_floor(n, n_train, *, attn_scale: float = 0.1):
    """Llama 4 temperature tuning as a context-extension recipe: :func:`llama4` with floor_scale = L, on every
    layer: 1 + attn_scale·ln(1 + floor(n/L)) (:ref:`theory-extreme-value`).

    Llama 4's own rule (transformers ``Llama4TextAttention``, query at position p, n = p + 1) with its 8192 replaced
    by the training length. It is 1 for n < L and already 1 + attn_scale·ln 2 at n = L (the floor counts n, not
    n − 1); :func:`ministral3` is the shipped variant that counts p = n − 1.

    Parameters
    ----------
    n : array_like
        Visible context lengths.
    n_train : float
        Training length L (the floor scale).
    attn_scale : float
        The rule's ``attn_scale`` (default 0.1).

    Returns
    -------
    numpy.ndarray
        The logit multiplier 1 + attn_scale·ln(1 + floor(n/L)).

    Examples
    --------
    >>> llama4_train_floor([4095, 4096, 3 * 4096], 4096).round(4).tolist()
    [1.0, 1.0693, 1.1386]
    """
    return llama4(n, attn_scale=attn_scale, floor_scale=n_train)


def ministral3(n, n_train, *, beta: float = 0.1):
    """Ministral 3 / Mistral 4 ``llama_4_scaling_beta``: q at position p = n − 1 scaled by
    1 + β·ln(1 + floor(p/L)) on every layer, L = ``original_max_position_embeddings`` (:ref:`theory-extreme-value`).

    transformers ``get_llama_4_attn_scale`` (models ``ministral3``, ``mistral4``).

    Parameters
    ----------
    n : array_like
        Visible context lengths.
    n_train : float
        Training length L (``rope_parameters["original_max_position_embeddings"]``).
    beta : float
        ``rope_parameters["llama_4_scaling_beta"]`` (default 0.1).

    Returns
    -------
    numpy.ndarray
        The logit multiplier 1 + β·ln(1 + floor((n − 1)/L)).

    Examples
    --------
    >>> ministral3([16384, 16385], 16384).round(4).tolist()
    [1.0, 1.0693]
    """
    p = np.asarray(n, dtype=float) - 1.0
    return 1.0 + beta * np.log1p(np.floor(p / n_train))


def ssmax(n, n_train, *, s: float = 0.43):
    """Scalable-Softmax (:ref:`theory-extreme-value`): logits × s·ln n. A model trained with it at L has learnt its β at s·ln L, so
    relative to the trained β the multiplier is ln n / ln L, whatever s (returned here).

    Parameters
    ----------
    n : array_like
        Visible context lengths.
    n_train : float
        Training length L.
    s : float
        The rule's scale (default 0.43; it cancels in the ratio).

    Returns
    -------
    numpy.ndarray
        The logit multiplier ln n / ln L.
    """
    return np.log(np.asarray(n, dtype=float)) / np.log(n_train)


#: name → multiplier(n, n_train)
RULES = {"yarn": yarn, "longrope": longrope, "qwen": qwen_logn, "llama4": llama4, "ssmax": ssmax}

#: The context-extension recipes as logit multipliers of n for a model trained at L (the "does keeping selectivity
#: keep quality?" experiment): YaRN m² with s = max(1, n/L), Qwen's log-n on q, Llama 4's temperature tuning with
#: floor_scale = L on every layer. name → multiplier(n, n_train)
RECIPES = {"yarn": yarn, "qwen_logn": qwen_logn, "llama4": llama4_train_floor}


def multipliers(n, n_train) -> dict:
    """Every rule's logit multiplier at the context lengths ``n``, by rule name (:ref:`theory-extreme-value`).

    Parameters
    ----------
    n : array_like
        Visible context lengths.
    n_train : float
        Training length L.

    Returns
    -------
    dict of str to numpy.ndarray
        ``{"yarn", "longrope", "qwen", "llama4", "ssmax"}`` → the multipliers at ``n``.
    """
    return {name: np.asarray(f(n, n_train), dtype=float) for name, f in RULES.items()}
