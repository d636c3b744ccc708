"""The exactness check: the modified model's attention probabilities against an independent reference.

The reference takes the query/key projections hooked in the same pass (before RoPE and before any multiplier:
the model's own q/k path, through its q/k norms where it has them), rotates them with cos/sin computed here
from the recipe's inverse frequencies (transformers' ``ROPE_INIT_FUNCTIONS`` on a fresh copy of the config:
bit-identical to the model's float32 ones) with no attention factor, and multiplies the logits by the recipe's
multiplier M_h(n) = m²·g_h(n) computed separately from the published formulas
(:func:`~._recipes.logit_multipliers`): p_ref = softmax(M·scale·⟨q_p, k_j⟩) over the keys the query sees, in
float64. The model's side is the recorder's float64 softmax of the query and key its attention function
received (:class:`~._record.AttentionRecorder`), tied to the model's SDPA output by the output error.

The rotation angle is formed as the model forms it, fl32(p)·inv_freq in float32 (at p ≈ 16k a float64 angle
would differ from the model's by up to 1e-3 rad for the fast pairs): that rounding is part of the model.
"""

from __future__ import annotations

import copy
from contextlib import contextmanager

import numpy as np

__all__ = ["CHECK_TOL", "OUTPUT_TOL", "check_rows", "projection_hooks", "reference_inv_freq",
           "reference_probabilities", "attention_check"]

#: Largest |p_model − p_ref| accepted (probabilities).
CHECK_TOL = 1e-5
#: Largest |SDPA output − P·V| / max |V| accepted (float32 SDPA against float64 P·V).
OUTPUT_TOL = 1e-4


def check_rows(n_train: int) -> np.ndarray:
    """The query positions the command checks in its first window: both sides of T and both ends of [T, 2T).

    Parameters
    ----------
    n_train : int
        T.

    Returns
    -------
    numpy.ndarray of int
        Sorted positions in [1, 2T).

    Examples
    --------
    >>> check_rows(64).tolist()
    [1, 32, 63, 64, 65, 96, 126, 127]
    """
    T = int(n_train)
    return np.unique([1, T // 2, T - 1, T, T + 1, 3 * T // 2, 2 * T - 2, 2 * T - 1])


@contextmanager
def projection_hooks(lm, layers):
    """Forward hooks on the query/key projections of ``layers``; yields the store {("q"|"k", layer): tensor
    (batch, L, heads·d_head)}, filled by each pass run inside.

    Parameters
    ----------
    lm : LoadedModel
        The decoder.
    layers : collection of int
        Attention layers to hook.

    Yields
    ------
    dict
        The store.
    """
    store: dict = {}
    hooks = []
    for i, (_, mod, qn, kn) in enumerate(lm.attention_modules):
        if i not in layers:
            continue
        for tag, attr in (("q", qn), ("k", kn)):
            def hook(_m, _inp, out, i=i, tag=tag):
                store[(tag, i)] = out.detach()
            hooks.append(getattr(mod, attr).register_forward_hook(hook))
    try:
        yield store
    finally:
        for h in hooks:
            h.remove()


def reference_inv_freq(lm, rope: dict | None) -> np.ndarray:
    """The inverse frequencies of RoPE parameters ``rope`` (None: the model's own), float32, from transformers'
    ``ROPE_INIT_FUNCTIONS`` (``default``: the rotary class's ``compute_default_rope_parameters``) on a fresh copy
    of the model's config.

    Parameters
    ----------
    lm : LoadedModel
        The decoder.
    rope : dict or None
        RoPE parameters.

    Returns
    -------
    numpy.ndarray
        float32, one per rotated pair.
    """
    from transformers.modeling_rope_utils import ROPE_INIT_FUNCTIONS

    config = copy.deepcopy(lm.model.config)
    if rope is not None:
        config.rope_parameters = dict(rope)
    kind = config.rope_parameters.get("rope_type", "default")
    fn = type(lm.model.rotary_emb).compute_default_rope_parameters if kind == "default" else ROPE_INIT_FUNCTIONS[kind]
    inv, _ = fn(config)
    return inv.float().cpu().numpy()


def _rotated(x: np.ndarray, inv_freq: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """x (L, heads, d) float64 rotated as transformers' apply_rotary_pos_emb does (rotate_half on the first
    2·len(inv_freq) dimensions), without attention factor; angle fl32(p)·inv_freq in float32."""
    angle = (positions.astype(np.float32)[:, None] * inv_freq[None, :]).astype(np.float64)
    emb = np.concatenate([angle, angle], axis=-1)[:, None, :]
    cos, sin = np.cos(emb), np.sin(emb)
    r = emb.shape[-1]
    rot, rest = x[..., :r], x[..., r:]
    half = r // 2
    turned = np.concatenate([-rot[..., half:], rot[..., :half]], axis=-1)
    return np.concatenate([rot * cos + turned * sin, rest], axis=-1)


def _projection(lm, store, tag: str, layer: int) -> np.ndarray:
    """The hooked projection (L, heads, d_head) through the layer's q/k norm (as the model applies it), float64."""
    import torch

    x = store[(tag, layer)][0]
    x = x.reshape(x.shape[0], -1, lm.d_head)
    mod = lm.attention_modules[layer][1]
    norm = getattr(mod, f"{tag}_norm", None)
    if norm is not None:
        with torch.no_grad():
            x = norm(x)
    return x.double().cpu().numpy()


def reference_probabilities(lm, store, layer: int, rows, multipliers, inv_freq) -> np.ndarray:
    """p_ref = softmax(M_h(p)·scale·⟨q_p, k_j⟩) over the keys query p sees (causal, the layer's sliding window),
    float64, from the hooked projections (module docstring).

    Parameters
    ----------
    lm : LoadedModel
        The decoder.
    store : dict
        :func:`projection_hooks`' store after the pass.
    layer : int
        Attention layer.
    rows : array_like of int
        Query positions.
    multipliers : numpy.ndarray
        Shape (heads, L): the logit multiplier M of each head at each position.
    inv_freq : numpy.ndarray
        :func:`reference_inv_freq` of the recipe.

    Returns
    -------
    numpy.ndarray
        Shape (heads, len(rows), L).
    """
    rows = np.asarray(rows, dtype=np.int64)
    q = _projection(lm, store, "q", layer)
    k = _projection(lm, store, "k", layer)
    L = k.shape[0]
    pos = np.arange(L)
    q = _rotated(q[rows], inv_freq, rows)
    k = _rotated(k, inv_freq, pos)
    spec = lm.specs[layer]
    groups = lm.heads // (lm.kv_heads or lm.heads)
    j = np.arange(L)[None, :]
    visible = j <= rows[:, None]
    if spec.sliding_window is not None:
        visible &= j > rows[:, None] - int(spec.sliding_window)
    out = np.empty((lm.heads, rows.size, L))
    for h in range(lm.heads):
        logits = spec.scale * multipliers[h, rows][:, None] * (q[:, h] @ k[:, h // groups].T)
        logits = np.where(visible, logits, -np.inf)
        logits -= logits.max(axis=1, keepdims=True)
        w = np.exp(logits)
        out[h] = w / w.sum(axis=1, keepdims=True)
    return out


def attention_check(lm, recorder, store, recipe: str, rope: dict | None, n_train: int, schedule=None) -> dict:
    """Compare the model's recorded probability rows with the reference, layer by layer.

    Parameters
    ----------
    lm : LoadedModel
        The decoder.
    recorder : AttentionRecorder
        With ``probabilities`` and ``output_error`` of the checked layers, from the same pass as ``store``.
    store : dict
        :func:`projection_hooks`' store of that pass.
    recipe : str
        The recipe applied.
    rope : dict or None
        Its RoPE parameters (:func:`~attnlimits.extrapolate.recipe_rope`).
    n_train : int
        T.
    schedule : IsoSchedule, optional
        For the iso recipes.

    Returns
    -------
    dict
        ``max_abs_error`` (probabilities), ``output_error``, ``tolerance``, ``output_tolerance``, ``layers``,
        ``rows``, ``passed`` (both within their tolerances), and per layer ``errors``.
    """
    from ._recipes import logit_multipliers

    inv = reference_inv_freq(lm, rope)
    errors = {}
    for layer, got in sorted(recorder.probabilities.items()):
        L = store[("k", layer)].shape[1]
        M = logit_multipliers(recipe, n_train, L, lm.heads, schedule)
        M = M[layer] if M.ndim == 3 else M
        ref = reference_probabilities(lm, store, layer, recorder.check_rows, M, inv)
        errors[layer] = float(np.max(np.abs(got - ref)))
    worst = max(errors.values()) if errors else float("nan")
    out_err = max(recorder.output_error.values()) if recorder.output_error else float("nan")
    return {"max_abs_error": worst, "output_error": out_err, "tolerance": CHECK_TOL, "output_tolerance": OUTPUT_TOL,
            "layers": sorted(errors), "rows": recorder.check_rows.tolist(),
            "passed": bool(errors) and worst <= CHECK_TOL and out_err <= OUTPUT_TOL,
            "errors": {str(k): v for k, v in errors.items()}}
