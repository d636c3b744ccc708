"""``super-collapse``: above the critical scale the nearest key takes all the mass (:ref:`theory-limit-laws` supercritical, §4
exact finite n)."""

from __future__ import annotations

import math

import numpy as np

from ...laws import UniformSphere
from .._claim import Claim
from .._registry import register_claim
from .._sims import cases_text
from .._theory import theory_value

__all__ = ["SUPER_COLLAPSE"]

SUPER_COLLAPSE = register_claim(Claim(
    "super-collapse", "Supercritical collapse",
    "W_1 → 1 and |O − K_(1)| → 0 for λ = 10, 100, 1000, matching E[1 − W_1].",
    order=80, cost=7))

_D = 3
_N_HUGE = 10**12


@SUPER_COLLAPSE.measure
def _super_collapse(ctx):
    from ...engine import simulate
    from ...engine._nearest_sample import nearest_block, one_minus_max_weight
    from ...theory import PoissonKingman

    law = UniformSphere(_D)
    alpha = law.local_exponent
    cases, rows = [], []
    reps = {10.0: 30_000, 100.0: 80_000, 1000.0: 320_000}
    gap_samples = 500 if ctx.quick else 1000
    for j, (lam, samples) in enumerate(reps.items()):
        beta = lam * law.critical_beta(_N_HUGE)

        def unit(lam=lam, samples=samples, beta=beta):
            sample = nearest_block(law, _N_HUGE, samples, 16, ctx.seed_for(SUPER_COLLAPSE.id, lam))
            x = one_minus_max_weight(sample, beta)
            return {"mean": float(x.mean()), "se": float(x.std(ddof=1) / math.sqrt(x.size)),
                    "tail_share": sample.tail_share(beta)}

        got = ctx.cached((SUPER_COLLAPSE.id, lam, samples), unit)

        def gap_unit(lam=lam):
            res = simulate(law, _N_HUGE, lam=lam, samples=gap_samples, seed=ctx.seed_for("super-gap", lam),
                           method="orderstat", workers=ctx.workers)
            # √β|O − K_(1)|: the nearest key's own distance to q, |K_(1) − q| = √(2D_(1)), is ≍ β^{−1/2}; its mean is
            # a rare-event mean (near ties), so the typical size is shown by the median and the 90% quantile
            scaled = np.sqrt(res.values["output_gap_sq"] * res.beta)
            return {"median": float(np.median(scaled)), "q90": float(np.quantile(scaled, 0.9))}

        gap = ctx.cached(("super-gap-typical", lam, gap_samples), gap_unit)
        ctx.progress(j + 1, len(reps))
        pred = 1.0 - theory_value("expected_max_weight", law, _N_HUGE, beta)
        limit = PoissonKingman(alpha, lam).one_minus_max_weight_limit()
        cases.append(SUPER_COLLAPSE.case(
            f"λ={lam:g}", f"at λ = {lam:g}, E[1 − W1] equals its exact finite-n value", pred, got["mean"], got["se"],
            exact=True,
            note=(f"Poisson–Kingman limit {limit:.5g}; median √β|O − K_(1)| = {gap['median']:.3g} (90% quantile "
                  f"{gap['q90']:.3g})"),
            params={"d": _D, "n": _N_HUGE, "lam": lam, "beta": beta, "samples": samples,
                    "method": "orderstat (16 nearest keys, far keys by their conditional mean)"}).judged())
        rows.append({"lam": lam, "measured": got["mean"], "se": got["se"], "exact": pred, "limit": limit,
                     "gap_median": gap["median"], "gap_q90": gap["q90"]})
    fig = SUPER_COLLAPSE.figure(
        {"rows": rows},
        f"Supercritical collapse at d = {_D}, n = 1e12: E[1 − W_1] (measured, exact finite n, Poisson–Kingman "
        f"limit) and the median and 90% quantile of √β·|O − K_(1)| ({gap_samples} replicates) against λ = 10, 100, "
        "1000.")
    text = ("Predicted: above the critical scale (λ → ∞) the nearest key takes all the mass: W_1 → 1 and O − K_(1) → 0, "
            "with E[1 − W_1] given exactly at finite n (theory: limit laws, exact finite-n identities). Measured by order statistics at n = 1e12, d = 3, "
            "with enough replicates for a 10% interval on a rare-event mean (1 − W_1 is mostly ~0, sometimes large). "
            + cases_text(cases) + " The median of √β·|O − K_(1)| (|O − K_(1)| in units of the nearest key's own "
            "distance |K_(1) − q| ≍ β^{−1/2}) is " + ", ".join(f"{r['gap_median']:.2g}" for r in rows)
            + " at λ = 10, 100, 1000.")
    return SUPER_COLLAPSE.result(cases, [fig], text)


@SUPER_COLLAPSE.drawing(figsize=(7.5, 5))
def _draw(fig, data):
    """E[1 − W_1] and the output's gap to the nearest key against λ, log–log."""
    rows = data["rows"]
    lam = [r["lam"] for r in rows]
    ax = fig.subplots()
    ax.errorbar(lam, [r["measured"] for r in rows], yerr=[1.96 * r["se"] for r in rows], fmt="o",
                label=r"measured $E[1-W_1]$")
    ax.plot(lam, [r["exact"] for r in rows], "-", label="exact finite n")
    ax.plot(lam, [r["limit"] for r in rows], "--", label="Poisson–Kingman limit")
    ax.plot(lam, [r["gap_median"] for r in rows], "s", label=r"median of $\sqrt{\beta}\,|O-K_{(1)}|$")
    ax.plot(lam, [r["gap_q90"] for r in rows], "^", label=r"90% quantile of $\sqrt{\beta}\,|O-K_{(1)}|$")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(r"$\lambda = \beta/\beta^*_n$")
    ax.legend(fontsize=7)
