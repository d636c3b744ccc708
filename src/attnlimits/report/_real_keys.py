"""The real-keys section of the report (issue 8's deliverable): MiniLM's heads — estimated local exponent α̂
and β*_n against the model's own β, and where YaRN / Qwen / SSMax land — drawn by
:func:`attnlimits.report.real_keys_figure.real_keys_figure` from :func:`attnlimits.models.real_keys_summary`.

It is a figure with its numbers, not a pass/fail claim: the paper makes no prediction for a trained model's
keys; the section shows where a real model sits against the theory's scales.
"""

from __future__ import annotations

import numpy as np

__all__ = ["real_keys_available", "real_keys_section", "iso_section", "REAL_KEYS_LAYERS", "ISO_HEADS", "ISO_NS"]

#: Layers of MiniLM summarised (first, middle, last), to stay inside the default run's budget.
REAL_KEYS_LAYERS = (0, 2, 5)
#: Heads of those layers whose iso-selectivity schedule is computed, and the context lengths beyond T = 512.
ISO_HEADS = (0, 6)
ISO_NS = (2048, 32768)


def real_keys_available() -> bool:
    """True when the ``models`` extra (torch, transformers, safetensors, the MiniLM package) is importable."""
    try:
        from ..models import minilm_dir

        return minilm_dir().exists()
    except Exception:  # any missing piece of the optional extra
        return False


def real_keys_section(store, figures_dir) -> dict:
    """Compute (or read back from ``store``) the summary, draw ``figures_dir/real-keys.png``; return
    ``{"figure", "caption", "paragraph"}``."""
    from ..models import real_keys_summary
    from .real_keys_figure import real_keys_figure

    key = ("real-keys", "minilm", list(REAL_KEYS_LAYERS), 8, 8192)
    summary = store.get(key) if store is not None else None
    if summary is None:
        summary = real_keys_summary(layers=list(REAL_KEYS_LAYERS), queries_per_head=8, max_tokens=8192)
        if store is not None:
            store.put(key, summary)
    path = figures_dir / "real-keys.png"
    real_keys_figure(summary, path)
    heads = summary["heads"]
    alpha = np.array([h["alpha"] for h in heads])
    lam = np.array([h["lambda_at_train"] for h in heads])
    pred = np.array([h.get("max_weight_at_train", np.nan) for h in heads])
    meas = np.array([h["measured_max_weight_at_train"] for h in heads])
    caption = (f"{summary['model']}: {len(heads)} heads (layers {', '.join(map(str, REAL_KEYS_LAYERS))}), "
               f"{summary['tokens']:,} tokens of standard-library docstrings, d_head = {summary['d_head']}, "
               f"T = {summary['n_train']}: estimated α̂ per head (95% interval) against (d_head−1)/2, the model's β "
               "against β*_n, and the mean max weight at n = T, measured against the exact value of the estimated law.")
    paragraph = (f"Real keys ({summary['model']}, {len(heads)} heads, median over 8 queries per head). The estimated "
                 f"local exponent has median {np.median(alpha):.3g} (range {alpha.min():.3g}–{alpha.max():.3g}) against "
                 f"the uniform law's (d_head−1)/2 = {summary['uniform_alpha']:.3g}. At the training length T = {summary['n_train']} the model's own "
                 f"β sits at λ = β/β*_T with median {np.median(lam):.3g}. The exact E[max weight] of the estimated law "
                 f"at the model's β (median {np.nanmedian(pred):.3g}) is set against the model's measured mean max "
                 f"weight (median {np.median(meas):.3g}); no verdict is given — the paper makes no prediction for "
                 "trained keys, and these estimates carry the intervals shown in the figure.")
    return {"figure": path.name, "caption": caption, "paragraph": paragraph, "more": [iso_section(store, figures_dir)]}


def iso_section(store, figures_dir) -> dict:
    """MiniLM's iso-selectivity schedules (:func:`attnlimits.models.iso_schedules`) against the rules: a
    measurement, no verdict. Returns ``{"figure", "caption", "paragraph"}``; the summary is kept in ``store``."""
    from ..models import iso_schedules
    from .schedule_figure import iso_heads_figure

    key = ("real-keys-iso", "minilm", list(REAL_KEYS_LAYERS), list(ISO_HEADS), list(ISO_NS), 8192)
    summary = store.get(key) if store is not None else None
    if summary is None:
        summary = iso_schedules(layers=list(REAL_KEYS_LAYERS), heads=list(ISO_HEADS), ns=ISO_NS, max_tokens=8192)
        if store is not None:
            store.put(key, summary)
    path = figures_dir / "real-keys-iso.png"
    iso_heads_figure(summary, path)
    heads, T, n = summary["heads"], summary["n_train"], summary["n"][-1]
    need = np.array([h["rows"][-1]["beta_iso"] / h["beta_train"] for h in heads])
    eff = np.array([h["rows"][-1]["beta_iso_eff"] / h["rows"][-1]["beta_iso"] for h in heads])
    rules = heads[0]["rows"][-1]["rules"]
    named = ", ".join(f"{k} ×{rules[k]['multiplier']:.3g}" for k in ("yarn", "longrope", "qwen", "llama4", "ssmax"))
    kept = np.array([h["max_weight_train"] for h in heads])
    caption = (f"{summary['model']}, {len(heads)} heads (layers {', '.join(map(str, REAL_KEYS_LAYERS))}, heads "
               f"{', '.join(map(str, ISO_HEADS))}): the β multiplier that keeps each head's exact E[max weight] of its "
               f"estimated law at T = {T} (solid), its effective-exponent closed form (dashed), and each rule's multiplier.")
    paragraph = (f"Iso-selectivity schedules ({len(heads)} MiniLM heads; each from the head's own β = |q|·median|k|·scale "
                 f"at T = {T}, where its exact E[max weight] is {kept.min():.3g}–{kept.max():.3g}). Keeping that "
                 f"selectivity at n = {n:,} needs β × {np.median(need):.3g} (median; range {need.min():.3g}–"
                 f"{need.max():.3g}); the rules apply {named}. The closed form β_iso_eff is {np.median(eff):.3g}× the "
                 f"exact β_iso (median; range {eff.min():.3g}–{eff.max():.3g}): "
                 + ("close enough to use. " if np.all(np.abs(eff - 1) < 0.1) else
                    "more than 10 % off for some heads, so the exact value is the one to use. ")
                 + "A measurement from estimated laws of one encoder's keys, no verdict.")
    return {"figure": path.name, "caption": caption, "paragraph": paragraph}
