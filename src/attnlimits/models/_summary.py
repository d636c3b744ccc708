"""Per-head summaries of a real model (:ref:`theory-extreme-value`): the pooled tail estimate of every head, shared by the
reproduce report's real-keys section, the README and ``attnlimits attention``.

- :func:`head_estimates`: the one per-head loop (pooled estimate of α, c, β*_n and the model's β per head).
- :func:`real_keys_summary`: α with its interval, β*_n, the model's own β, and where YaRN / Qwen / SSMax put β
  against β*_n.
- :func:`attention_summary`: measured max weight, entropy and effective support against the visible n, beside
  the exact E[max weight] of each head's estimated law.
- :func:`real_keys_available`: whether the ``models`` extra is there to compute them.
"""

from __future__ import annotations

import numpy as np

from .._validation import check_int

__all__ = ["head_estimates", "real_keys_summary", "attention_summary", "real_keys_available"]


def real_keys_available() -> bool:
    """Whether the real-keys sections can run: the ``models`` extra is importable and MiniLM is on disk.

    Returns
    -------
    bool
        True when torch, transformers, safetensors and the MiniLM package import and its model directory
        (:func:`~attnlimits.models.minilm_dir`) exists.
    """
    try:
        from ._load import minilm_dir

        return minilm_dir().exists()
    except Exception:  # any missing piece of the optional extra
        return False


def head_estimates(ex, *, max_queries: int, ns=None) -> list:
    """The pooled tail estimate of every extracted head, in (layer, head) order.

    Parameters
    ----------
    ex : KeyExtraction
        Queries and keys of the chosen layers and heads (:func:`attnlimits.models.extract_keys`).
    max_queries : int
        Queries per head whose fits are pooled (median over them; :ref:`theory-extreme-value`).
    ns : sequence of int, optional
        Context lengths at which β*_n is predicted (default: the estimator's grid).

    Returns
    -------
    list of (int, int, TailEstimate)
        ``(layer, head, estimate)`` per head (:func:`attnlimits.tails.estimate_from_keys`, pooled, no regimes).
    """
    from ..tails import estimate_from_keys

    grid = {} if ns is None else {"ns": list(ns)}
    return [(layer, head, estimate_from_keys(ex.queries[li, hi], ex.keys[li, hi], pooled=True, scale=ex.scale,
                                             regimes=False, max_queries=max_queries, **grid))
            for li, layer in enumerate(ex.layers) for hi, head in enumerate(ex.heads)]


def real_keys_summary(model="minilm", text_path=None, *, max_tokens: int = 16384, n_train: int | None = None,
                      ns=(2048, 8192, 32768, 131072), layers=None, heads=None, queries_per_head: int = 16,
                      exact: bool = True, shared: dict | None = None) -> dict:
    """Estimate every head's tail (median over ``queries_per_head`` queries) and place the model's β and each
    rule against β*_n = (c n)^{1/α} of the estimated law (:ref:`theory-scales`, :ref:`theory-extreme-value`).

    Parameters
    ----------
    model : str, path or LoadedModel
        'minilm' or a local Hugging Face model directory, or a model already loaded.
    text_path : path, optional
        UTF-8 text (default: the standard-library docstrings).
    max_tokens : int
        Tokens read from the text.
    n_train : int, optional
        Training length T (default: the model's maximum positions).
    ns : sequence of int
        Context lengths beyond T.
    layers, heads : list of int, optional
        Default all.
    queries_per_head : int
        Queries per head in the pooled estimate.
    exact : bool
        Also give the exact E[max weight] of the estimated law at T (:ref:`theory-exact-identities`).
    shared : dict, optional
        A dict handed to this call and others on the same model and text (:func:`~attnlimits.models.iso_schedules`):
        the model, the text and the keys are loaded, read and extracted once, for all of them
        (:func:`~attnlimits.models.extract_keys`); the results are those of separate calls.

    Returns
    -------
    dict
        ``model``, ``tokens``, ``d_head``, ``scale``, ``n_train`` (default: the model's maximum positions),
        ``n`` (the lengths beyond T), ``uniform_alpha`` ((d_head − 1)/2), and ``heads``: per head ``layer``, ``head``, ``alpha``,
        ``alpha_ci``, ``c``, ``queries``, ``m``, ``beta_star`` (list over ``n``), ``beta_star_ci``, ``model_beta``,
        ``lambda_at_train`` (model β/β*_T) and ``lambda_at`` (rule → list over ``n`` of β_rule(n)/β*_n, with
        β_rule(n) = model β × multiplier; rules ``none``, ``yarn``, ``qwen``, ``ssmax``); with ``exact``, also
        ``max_weight_at_train`` and ``regime_at_train``: the exact E[max weight] (:ref:`theory-exact-identities`) of the estimated law
        at n = T and the model's β, and its regime — the finite-n verdict next to the asymptotic λ; and
        ``measured_max_weight_at_train``, the model's own mean max weight over 4 windows of T tokens.
    """
    from ..schedules._rules import RULES
    from ._attention import attention_profile
    from ._extract import extract_keys, shared_model, shared_text

    lm = shared_model(model, shared)
    text = shared_text(text_path, shared)
    ex = extract_keys(lm, text, layers=layers, heads=heads, max_tokens=max_tokens, shared=shared)
    n_train = lm.max_tokens if n_train is None else int(n_train)
    measured = attention_profile(lm, text, [min(n_train, lm.max_tokens)], windows=4)["max_weight"][0]
    ns = [int(n) for n in ns if int(n) != n_train]
    rows = []
    for layer, head, est in head_estimates(ex, max_queries=queries_per_head, ns=[n_train, *ns]):
        b_train = est.beta_star[n_train].value
        value = [est.beta_star[n].value for n in ns]
        lo = [est.beta_star[n].lo for n in ns]
        hi_ = [est.beta_star[n].hi for n in ns]
        mult = {"none": np.ones(len(ns))}
        mult.update({name: np.asarray(RULES[name](np.array(ns, dtype=float), n_train), dtype=float)
                     for name in ("yarn", "qwen", "ssmax")})
        extra = {}
        if exact:
            from ..theory import expected_max_weight, regime

            extra = {"max_weight_at_train": float(expected_max_weight(est.law, n_train, est.model_beta)),
                     "regime_at_train": regime(est.law, n_train, est.model_beta)}
        rows.append({**extra, "measured_max_weight_at_train": float(measured[layer, head]), "layer": layer,
                     "head": head, "alpha": est.alpha, "alpha_ci": list(est.alpha_ci), "c": est.c,
                     "queries": len(est.per_query), "m": est.fit.m,
                     "beta_star": [float(v) for v in value],
                     "beta_star_ci": [[float(a), float(b)] for a, b in zip(lo, hi_)],
                     "model_beta": est.model_beta, "lambda_at_train": est.model_beta / b_train,
                     "lambda_at": {k: [float(est.model_beta * m / v) for m, v in zip(mv, value)] for k, mv in mult.items()}})
    return {"model": ex.model, "tokens": int(ex.keys.shape[2]), "d_head": lm.d_head, "scale": ex.scale,
            "n_train": n_train, "n": ns, "uniform_alpha": (lm.d_head - 1) / 2.0, "heads": rows}


def attention_summary(model, ns, text_path=None, *, layers=None, heads=None, windows: int = 8,
                      max_tokens: int = 8192, queries: int = 16) -> dict:
    """A real model's attention against the visible context length n, beside the exact E[max weight] (:ref:`theory-exact-identities`)
    of each head's estimated law at the head's own β (:ref:`theory-extreme-value`).

    Parameters
    ----------
    model : str, path or LoadedModel
        'minilm' or a local Hugging Face directory of an encoder, or a model already loaded.
    ns : sequence of int
        Visible context lengths, each in [3, the model's maximum].
    text_path : path, optional
        UTF-8 text (default: the standard-library docstrings).
    layers, heads : list of int, optional
        Default all.
    windows : int
        Windows of n tokens averaged per n (``attnlimits.models.attention_profile``).
    max_tokens : int
        Tokens read for the tail estimate.
    queries : int
        Queries per head in the pooled estimate.

    Returns
    -------
    dict
        ``model``, ``n``, ``windows`` and ``heads``: per head ``layer``, ``head``, ``alpha``, ``alpha_ci``,
        ``model_beta`` and, as lists over ``n``, ``max_weight``, ``entropy``, ``effective_support`` (measured)
        and ``predicted_max_weight`` (exact, of the estimated law at the model's β).
    """
    from .._validation import InputError
    from ..theory import expected_max_weight
    from ._attention import attention_profile
    from ._extract import extract_keys, shared_model, shared_text

    lm = shared_model(model)
    text = shared_text(text_path)
    ns = [check_int("n", n, minimum=1) for n in ns]
    bad = [n for n in ns if n > lm.max_tokens or n < 3]
    if bad:
        raise InputError(f"invalid n={bad[0]}: expected an integer in [3, {lm.max_tokens}] for {lm.name}")
    prof = attention_profile(lm, text, ns, windows=windows)
    ex = extract_keys(lm, text, layers=layers, heads=heads, max_tokens=max_tokens)
    rows = []
    for layer, head, est in head_estimates(ex, max_queries=queries):
        rows.append({"layer": layer, "head": head, "alpha": est.alpha, "alpha_ci": list(est.alpha_ci),
                     "model_beta": est.model_beta,
                     "max_weight": [float(v) for v in prof["max_weight"][:, layer, head]],
                     "entropy": [float(v) for v in prof["entropy"][:, layer, head]],
                     "effective_support": [float(v) for v in prof["effective_support"][:, layer, head]],
                     "predicted_max_weight": [float(expected_max_weight(est.law, n, est.model_beta)) for n in ns]})
    return {"model": lm.name, "n": ns, "windows": windows, "heads": rows}
