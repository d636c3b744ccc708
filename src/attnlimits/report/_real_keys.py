"""The real-keys section of the report (issue 8's deliverable): MiniLM's heads — estimated local exponent α̂
and β*_n against the model's own β, and where YaRN / Qwen / SSMax land — drawn by
:func:`attnlimits.report.real_keys_figure.real_keys_figure` from the summaries the caller hands in
(:func:`attnlimits.models.real_keys_summary`, :func:`attnlimits.models.iso_schedules`; computed and stored by
:func:`attnlimits.reproduce`).

It is a figure with its numbers, not a pass/fail claim: the paper makes no prediction for a trained model's
keys; the section shows where a real model sits against the theory's scales.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ._canvas import save_figure

__all__ = ["real_keys_section", "iso_section"]


def _layers(heads) -> str:
    return ", ".join(map(str, sorted({h["layer"] for h in heads})))


def real_keys_section(summary: dict, iso_summary: dict, figures_dir) -> dict:
    """Draw ``figures_dir/real-keys.png`` and ``real-keys-iso.png`` from the summaries handed in and write the
    section's text.

    Parameters
    ----------
    summary : dict
        :func:`attnlimits.models.real_keys_summary`'s output.
    iso_summary : dict
        :func:`attnlimits.models.iso_schedules`'s output (:func:`iso_section`).
    figures_dir : path
        Directory of the report's figures.

    Returns
    -------
    dict
        ``{"figure", "caption", "paragraph", "more": [iso subsection]}`` for
        :func:`attnlimits.report.write_report`'s ``extras``.
    """
    from .real_keys_figure import real_keys_figure

    figures_dir = Path(figures_dir)
    path = figures_dir / "real-keys.png"
    save_figure(real_keys_figure(summary), path)
    heads = summary["heads"]
    alpha = np.array([h["alpha"] for h in heads])
    lam = np.array([h["lambda_at_train"] for h in heads])
    pred = np.array([h.get("max_weight_at_train", np.nan) for h in heads])
    meas = np.array([h["measured_max_weight_at_train"] for h in heads])
    caption = (f"{summary['model']}: {len(heads)} heads (layers {_layers(heads)}), "
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
    return {"figure": path.name, "caption": caption, "paragraph": paragraph,
            "more": [iso_section(iso_summary, figures_dir)]}


def iso_section(summary: dict, figures_dir) -> dict:
    """MiniLM's iso-selectivity schedules against the rules: a measurement, no verdict. Draws
    ``figures_dir/real-keys-iso.png``.

    Parameters
    ----------
    summary : dict
        :func:`attnlimits.models.iso_schedules`'s output.
    figures_dir : path
        Directory of the report's figures.

    Returns
    -------
    dict
        ``{"figure", "caption", "paragraph"}``.
    """
    from .schedule_figure import iso_heads_figure

    path = Path(figures_dir) / "real-keys-iso.png"
    save_figure(iso_heads_figure(summary), path)
    heads, T, n = summary["heads"], summary["n_train"], summary["n"][-1]
    need = np.array([h["rows"][-1]["beta_iso"] / h["beta_train"] for h in heads])
    eff = np.array([h["rows"][-1]["beta_iso_eff"] / h["rows"][-1]["beta_iso"] for h in heads])
    rules = heads[0]["rows"][-1]["rules"]
    named = ", ".join(f"{k} ×{rules[k]['multiplier']:.3g}" for k in ("yarn", "longrope", "qwen", "llama4", "ssmax"))
    kept = np.array([h["max_weight_train"] for h in heads])
    caption = (f"{summary['model']}, {len(heads)} heads (layers {_layers(heads)}, heads "
               f"{', '.join(map(str, sorted({h['head'] for h in heads})))}): the β multiplier that keeps each head's exact E[max weight] of its "
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
