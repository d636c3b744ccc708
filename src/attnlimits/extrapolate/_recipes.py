"""The context-extension recipes: what each does to a decoder's attention when it reads 2T tokens after
training at T (the "does keeping selectivity keep quality?" experiment, :ref:`theory-extreme-value`).

A recipe is two parts, applied on top of a model trained with plain RoPE:

- **frequencies** (and, for YaRN, the attention factor that transformers puts on cos and sin): a RoPE
  configuration that transformers' own ``ROPE_INIT_FUNCTIONS`` turns into inverse frequencies and an attention
  factor m (``None`` keeps the model's);
- **a query multiplier** g_h(n) per head h and visible count n = p + 1 of the query at position p, applied
  to q after RoPE (:mod:`._attention`).

The logit multiplier of a query is then M_h(n) = m²·g_h(n) (m on cos and sin scales q and k).

======================  ==========================  =====================================================
recipe                  frequencies                 logit multiplier M_h(n)
======================  ==========================  =====================================================
``none``                the model's                 1 (positions past T extrapolate)
``linear``              linear ×2 (PI)              1
``yarn``                YaRN ×2                     m² = (0.1·ln 2 + 1)², static (every n, n ≤ T too)
``yarn_noscale``        YaRN ×2                     1 (attention factor 1)
``yarn_qwen``           YaRN ×2                     max(1, ln n / ln T) (Qwen's log-n on q)
``yarn_llama4``         YaRN ×2                     1 + 0.1·ln(1 + floor(n/T)) (Llama 4, floor_scale = T)
``yarn_iso``            YaRN ×2                     r_iso,h(n) = β_iso,h(n)/β_h per head, 1 for n ≤ T
``yarn_iso_uniform``    YaRN ×2                     r_iso(n) of uniform keys in d_head dims, every head
======================  ==========================  =====================================================

Every ``yarn_*`` recipe but ``yarn`` itself has attention factor 1: its multiplier replaces m², never
multiplies it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .._validation import InputError

__all__ = ["Recipe", "RECIPES", "REFERENCE", "FACTOR", "parse_recipes", "recipe_rope", "query_multipliers",
           "logit_multipliers", "LLAMA4_NOTE"]

#: The context extension every recipe targets: T → FACTOR·T.
FACTOR = 2.0

#: The recipe every other is compared with (paired loss differences).
REFERENCE = "yarn"

#: What the output says of ``yarn_llama4``.
LLAMA4_NOTE = ("yarn_llama4 applies Llama 4's temperature tuning q × (1 + 0.1·ln(1 + floor(n/T))) on EVERY layer "
               "with floor_scale = T; transformers' Llama 4 applies it only to its NoPE layers (no_rope_layers), and "
               "a plain-RoPE model such as SmolLM2 has none, so here it rides on RoPE layers")


@dataclass(frozen=True)
class Recipe:
    """One context-extension recipe.

    Parameters
    ----------
    name : str
        Its name on the command line.
    rope : str
        ``"model"`` (the model's own RoPE), ``"linear"``, ``"yarn"`` (transformers' attention factor) or
        ``"yarn_noscale"`` (YaRN's frequencies, ``attention_factor`` 1).
    query : str
        The query multiplier g: ``"none"``, ``"qwen_logn"``, ``"llama4"``, ``"iso"`` (per head, from a
        schedule) or ``"iso_uniform"`` (one for every head).
    description : str
        What it does, in words, with its formula.
    """

    name: str
    rope: str
    query: str
    description: str

    def to_dict(self) -> dict:
        """The four fields as a JSON-ready dict."""
        return {"name": self.name, "rope": self.rope, "query": self.query, "description": self.description}


#: The recipes by name, in the order they run and print.
RECIPES = {r.name: r for r in (
    Recipe("none", "model", "none", "the unmodified model: positions past T extrapolate"),
    Recipe("linear", "linear", "none", "linear position interpolation ×2 (RoPE frequencies / 2), no logit scaling"),
    Recipe("yarn", "yarn", "none", "YaRN ×2 as transformers implements it: YaRN frequencies and attention factor "
           "m = 0.1·ln 2 + 1 on cos and sin, logits × m² at every position (static)"),
    Recipe("yarn_noscale", "yarn_noscale", "none", "YaRN ×2 frequencies, attention factor 1 (no logit scaling)"),
    Recipe("yarn_qwen", "yarn_noscale", "qwen_logn", "YaRN ×2 frequencies + Qwen's log-n: q × max(1, ln n / ln T) "
           "at the query's n = p + 1"),
    Recipe("yarn_llama4", "yarn_noscale", "llama4", "YaRN ×2 frequencies + Llama 4 temperature tuning on every "
           "layer, floor_scale = T: q × (1 + 0.1·ln(1 + floor(n/T))), n = p + 1"),
    Recipe("yarn_iso", "yarn_noscale", "iso", "YaRN ×2 frequencies + each head's sink-aware iso multiplier "
           "β_iso(n)/β on q (1 for n ≤ T; interpolated in log n), replacing m²"),
    Recipe("yarn_iso_uniform", "yarn_noscale", "iso_uniform", "YaRN ×2 frequencies + the uniform-key iso "
           "multiplier β_iso(n)/β_1/2(T) in d_head dimensions on q, one for every head (control)"),
)}


def parse_recipes(text) -> list:
    """The recipes named in ``text`` (comma-separated, or a list), in :data:`RECIPES` order, with the reference
    :data:`REFERENCE` added when missing.

    Parameters
    ----------
    text : str or sequence of str or None
        E.g. ``"none,yarn,yarn_iso"``; None: every recipe.

    Returns
    -------
    list of str
        Recipe names.

    Raises
    ------
    InputError
        When a name is unknown or the list is empty.

    Examples
    --------
    >>> parse_recipes("yarn_iso,none")
    ['none', 'yarn', 'yarn_iso']
    """
    if text is None:
        return list(RECIPES)
    names = [s.strip() for s in (text.split(",") if isinstance(text, str) else text)]
    expected = f"a comma-separated subset of {', '.join(RECIPES)}"
    if not names or any(not s for s in names):
        raise InputError(f"invalid recipes={text!r}: expected {expected}")
    for s in names:
        if s not in RECIPES:
            raise InputError(f"invalid recipes={text!r}: unknown recipe {s!r}; expected {expected}")
    chosen = set(names) | {REFERENCE}
    return [name for name in RECIPES if name in chosen]


def recipe_rope(recipe: str, base: dict, n_train: int, factor: float = FACTOR) -> dict | None:
    """The RoPE parameters (transformers' ``rope_parameters``) a recipe gives a model whose own are ``base``.

    Parameters
    ----------
    recipe : str
        A name of :data:`RECIPES`.
    base : dict
        The model's ``rope_parameters`` (plain RoPE: ``rope_type`` ``default``); ``rope_theta`` and
        ``partial_rotary_factor`` are kept.
    n_train : int
        T: YaRN's ``original_max_position_embeddings``.
    factor : float
        The extension (2).

    Returns
    -------
    dict or None
        The parameters; None for the model's own (``none``).
    """
    kind = RECIPES[recipe].rope
    if kind == "model":
        return None
    keep = {k: base[k] for k in ("rope_theta", "partial_rotary_factor") if k in base}
    if kind == "linear":
        return {**keep, "rope_type": "linear", "factor": float(factor)}
    params = {**keep, "rope_type": "yarn", "factor": float(factor), "original_max_position_embeddings": int(n_train)}
    if kind == "yarn_noscale":
        params["attention_factor"] = 1.0
    return params


def _interp_log(n: np.ndarray, nodes: np.ndarray, values: np.ndarray, n_train: int) -> np.ndarray:
    """values at n (> T) interpolated linearly in log n through (T, 1) and (nodes, values); 1 for n ≤ T."""
    x = np.log(np.concatenate([[n_train], nodes]).astype(float))
    y = np.concatenate([[1.0], values])
    out = np.interp(np.log(np.maximum(n, 1).astype(float)), x, y)
    return np.where(n <= n_train, 1.0, out)


def query_multipliers(recipe: str, n_train: int, length: int, heads: int, schedule=None) -> np.ndarray | None:
    """The multiplier g_h(n) a recipe applies to each head's query at positions 0 … length − 1 (n = p + 1).

    Parameters
    ----------
    recipe : str
        A name of :data:`RECIPES`.
    n_train : int
        T.
    length : int
        Window length (2T).
    heads : int
        Query heads per layer.
    schedule : IsoSchedule, optional
        Needed by ``yarn_iso`` (per head) and ``yarn_iso_uniform``.

    Returns
    -------
    numpy.ndarray or None
        Shape (layers, heads, length) for ``yarn_iso`` (one table per layer), else (heads, length); None where
        the recipe leaves q alone.

    Examples
    --------
    >>> g = query_multipliers("yarn_qwen", 64, 128, 2)
    >>> g.shape, float(g[0, 63]), round(float(g[1, 127]), 6)
    ((2, 128), 1.0, 1.166667)
    """
    kind = RECIPES[recipe].query
    n = np.arange(1, length + 1)
    if kind == "none":
        return None
    if kind == "qwen_logn":
        from ..schedules import qwen_logn

        row = qwen_logn(n, n_train)
    elif kind == "llama4":
        from ..schedules import llama4_train_floor

        row = llama4_train_floor(n, n_train)
    elif schedule is None:
        raise InputError(f"invalid recipe={recipe!r}: it needs an iso schedule (estimate_schedule)")
    elif kind == "iso_uniform":
        row = _interp_log(n, schedule.nodes, schedule.uniform, n_train)
    else:
        r = schedule.per_head  # (layers, heads, K)
        out = np.empty((r.shape[0], r.shape[1], length))
        for li in range(r.shape[0]):
            for h in range(r.shape[1]):
                out[li, h] = _interp_log(n, schedule.nodes, r[li, h], n_train)
        return out
    return np.broadcast_to(np.asarray(row, dtype=float), (heads, length)).copy()


def logit_multipliers(recipe: str, n_train: int, length: int, heads: int, schedule=None,
                      factor: float = FACTOR) -> np.ndarray:
    """The recipe's multiplier of each head's logits M_h(n) = m²·g_h(n) at positions 0 … length − 1, from the
    published formulas (YaRN's m = 0.1·ln s + 1 with s = factor, :func:`attnlimits.schedules.yarn`), not
    from the model: the independent side of :func:`~attnlimits.extrapolate.attention_check`.

    Parameters
    ----------
    recipe : str
        A name of :data:`RECIPES`.
    n_train : int
        T.
    length : int
        Window length.
    heads : int
        Query heads per layer.
    schedule : IsoSchedule, optional
        For the iso recipes.
    factor : float
        The extension (2).

    Returns
    -------
    numpy.ndarray
        Shape (layers, heads, length) for ``yarn_iso``, else (heads, length).

    Examples
    --------
    >>> M = logit_multipliers("yarn", 64, 128, 1)
    >>> bool(np.allclose(M, (0.1 * math.log(2) + 1) ** 2))
    True
    """
    from ..schedules import yarn

    g = query_multipliers(recipe, n_train, length, heads, schedule)
    g = np.ones((heads, length)) if g is None else g
    m2 = float(yarn(factor * n_train, n_train)) if RECIPES[recipe].rope == "yarn" else 1.0
    return m2 * g
