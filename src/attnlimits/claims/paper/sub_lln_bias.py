"""``sub-lln-bias``: below the critical scale the output concentrates at A_d(β)q, with bias (d−1)/(2β) to first
order (:ref:`theory-limit-laws` subcritical, §4 exact finite n)."""

from __future__ import annotations

import numpy as np

from ...laws import UniformSphere
from .._claim import Claim
from .._registry import register_claim
from .._sims import cases_text, mean_se, subcritical_sim

__all__ = ["SUB_LLN_BIAS"]

SUB_LLN_BIAS = register_claim(Claim(
    "sub-lln-bias", "Subcritical law of large numbers and its bias",
    "Below the critical scale, the mean of ⟨q,O⟩ matches A_d(β) and the bias is −(d−1)/(2β).",
    order=50, cost=1))


@SUB_LLN_BIAS.measure
def _lln(ctx):
    from ...theory import expected_defect, expected_inner
    from ...theory._special import mean_resultant

    settings = [(3, 20_000 if ctx.quick else 50_000, 100.0), (4, 20_000, 30.0)]
    samples = 200 if ctx.quick else 400
    cases, rows = [], []
    for d, n, beta in settings:
        law = UniformSphere(d)
        sim = subcritical_sim(ctx, d, n, beta, samples, False)
        a = float(mean_resultant(d, beta))
        lead = (d - 1) / 2.0
        m_in, s_in = mean_se(sim["inner"])
        exact_inner = expected_inner(law, n, beta)
        params = {"d": d, "n": n, "beta": beta, "samples": samples, "method": "exact"}
        cases.append(SUB_LLN_BIAS.case(
            f"d={d}, β={beta:g}: E⟨q,O⟩", f"the mean of ⟨q,O⟩ equals A_d(β) = {a:.6f} up to its exact finite-n correction",
            a, m_in, s_in, bias=abs(exact_inner - a), effect=(d - 1) / (2.0 * beta),
            bias_reason=f"exact finite-n E⟨q,O⟩ = {exact_inner:.8f} (theory: exact finite-n identities) minus A_d(β)",
            params=params).judged())
        m_df, s_df = mean_se(sim["defect"])
        exact_defect = expected_defect(law, n, beta)
        limit_defect = beta * (1.0 - a)
        cases.append(SUB_LLN_BIAS.case(
            f"d={d}, β={beta:g}: β(1−⟨q,O⟩)", "the bias 1 − ⟨q,O⟩ is (d−1)/(2β) to first order", lead, m_df, s_df,
            bias=abs(limit_defect - lead) + abs(exact_defect - limit_defect),
            bias_reason=(f"O(1/β) remainder β(1 − A_d(β)) − (d−1)/2 = {limit_defect - lead:.4g} plus the "
                         f"exact finite-n correction {exact_defect - limit_defect:.3g}"),
            params=params).judged())
        rows.append({"d": d, "n": n, "beta": beta, "inner": sim["inner"], "A": a, "exact_inner": exact_inner,
                     "first_order": 1.0 - lead / beta})
    fig = SUB_LLN_BIAS.figure(
        {"rows": rows},
        "Subcritical law of large numbers: ⟨q,O⟩ per replicate (" + ", ".join(
            f"d = {r['d']}, n = {r['n']:,}, β = {r['beta']:g}" for r in rows)
        + f"; {samples} replicates) against A_d(β), its first-order form 1 − (d−1)/(2β) and the exact mean.")
    text = ("Predicted: below the critical scale the output concentrates at A_d(β)q, A_d = I_{d/2}/I_{d/2−1}, whose bias "
            "1 − A_d(β) is (d−1)/(2β) to first order (theory: limit laws). Measured with the exact engine. "
            + cases_text(cases, 6))
    return SUB_LLN_BIAS.result(cases, [fig], text)


@SUB_LLN_BIAS.drawing(figsize=(11, 4.5))
def _draw(fig, data):
    """One panel per setting: ⟨q,O⟩ per replicate against A_d(β), its first-order form and the exact mean."""
    rows = data["rows"]
    axes = fig.subplots(1, len(rows))
    for ax, r in zip(np.atleast_1d(axes), rows):
        ax.hist(r["inner"], bins=30, histtype="stepfilled", alpha=0.5, label=r"$\langle q,O\rangle$ per replicate")
        ax.axvline(r["A"], color="k", label=r"$A_d(\beta)$")
        ax.axvline(r["first_order"], color="C3", ls="--", label=r"$1-(d-1)/(2\beta)$")
        ax.axvline(r["exact_inner"], color="C2", ls=":", label="exact finite-n mean")
        ax.set_title(f"d = {r['d']}, n = {r['n']:,}, β = {r['beta']:g}", fontsize=9)
        ax.legend(fontsize=7)
