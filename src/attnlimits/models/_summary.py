"""The real-keys summary for the reproduce report and the README: per head of a real model, the estimated α
with its interval, β*_n, the model's own β, and where YaRN / Qwen / SSMax put β against β*_n (SPEC §5)."""

from __future__ import annotations

import numpy as np

from ._load import load_model
from ._text import read_text

__all__ = ["real_keys_summary"]


def real_keys_summary(model="minilm", text_path=None, *, max_tokens: int = 16384, n_train: int | None = None,
                      ns=(2048, 8192, 32768, 131072), layers=None, heads=None, queries_per_head: int = 16,
                      exact: bool = True) -> dict:
    """Estimate every head's tail (median over ``queries_per_head`` queries) and place the model's β and each
    rule against β*_n.

    Returns
    -------
    dict
        ``model``, ``tokens``, ``d_head``, ``scale``, ``n_train`` (default: the model's maximum positions),
        ``n`` (the lengths beyond T), ``uniform_alpha`` ((d_head − 1)/2), and ``heads``: per head ``layer``, ``head``, ``alpha``,
        ``alpha_ci``, ``c``, ``queries``, ``m``, ``beta_star`` (list over ``n``), ``beta_star_ci``, ``model_beta``,
        ``lambda_at_train`` (model β/β*_T) and ``lambda_at`` (rule → list over ``n`` of β_rule(n)/β*_n, with
        β_rule(n) = model β × multiplier; rules ``none``, ``yarn``, ``qwen``, ``ssmax``); with ``exact``, also
        ``max_weight_at_train`` and ``regime_at_train``: the exact E[max weight] (SPEC §4) of the estimated law
        at n = T and the model's β, and its regime — the finite-n verdict next to the asymptotic λ; and
        ``measured_max_weight_at_train``, the model's own mean max weight over 4 windows of T tokens.
    """
    from ..schedules import RULES
    from ..tails import estimate_from_keys
    from ..tails import n_key
    from ._extract import extract_keys

    from ._attention import attention_profile

    lm = load_model(model)
    text = read_text(text_path)
    ex = extract_keys(lm, text, layers=layers, heads=heads, max_tokens=max_tokens)
    n_train = lm.max_tokens if n_train is None else int(n_train)
    measured = attention_profile(lm, text, [min(n_train, lm.max_tokens)], windows=4)["max_weight"][0]
    ns = [int(n) for n in ns if int(n) != n_train]
    layer_ids = list(range(lm.layers)) if layers is None else list(layers)
    head_ids = list(range(lm.heads)) if heads is None else list(heads)
    rows = []
    for li, layer in enumerate(layer_ids):
        for hi, head in enumerate(head_ids):
            est = estimate_from_keys(ex.queries[li, hi], ex.keys[li, hi], pooled=True, scale=ex.scale,
                                     ns=[n_train, *ns], regimes=False, max_queries=queries_per_head)
            b_train = est.beta_star[n_key(n_train)]["value"]
            value = [est.beta_star[n_key(n)]["value"] for n in ns]
            lo = [est.beta_star[n_key(n)]["lo"] for n in ns]
            hi_ = [est.beta_star[n_key(n)]["hi"] for n in ns]
            mult = {"none": np.ones(len(ns))}
            mult.update({name: np.asarray(RULES[name](np.array(ns, dtype=float), n_train), dtype=float)
                         for name in ("yarn", "qwen", "ssmax")})
            extra = {}
            if exact:
                from ..theory import expected_max_weight, regime

                extra = {"max_weight_at_train": float(expected_max_weight(est.law, n_train, est.model_beta)),
                         "regime_at_train": regime(est.law, n_train, est.model_beta)}
            rows.append({**extra, "measured_max_weight_at_train": float(measured[layer, head]), "layer": layer, "head": head, "alpha": est.alpha, "alpha_ci": list(est.alpha_ci), "c": est.c,
                         "queries": len(est.per_query), "m": est.fit.m,
                         "beta_star": [float(v) for v in value],
                         "beta_star_ci": [[float(a), float(b)] for a, b in zip(lo, hi_)],
                         "model_beta": est.model_beta, "lambda_at_train": est.model_beta / b_train,
                         "lambda_at": {k: [float(est.model_beta * m / v) for m, v in zip(mv, value)] for k, mv in mult.items()}})
    return {"model": ex.model, "tokens": int(ex.keys.shape[2]), "d_head": lm.d_head, "scale": ex.scale,
            "n_train": n_train, "n": ns, "uniform_alpha": (lm.d_head - 1) / 2.0, "heads": rows}
