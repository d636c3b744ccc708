"""``critical-constant``: at β = λβ*_n, E[IPR] matches the exact finite-n value and converges to the
Poisson–Kingman limit (:ref:`theory-limit-laws` critical, §4 exact finite n)."""

from __future__ import annotations

from ...laws import UniformSphere
from .._claim import Claim
from .._registry import register_claim
from .._sims import cases_text, critical_n_exact, critical_sim, mean_se
from .._theory import theory_value

__all__ = ["CRITICAL_CONSTANT"]

CRITICAL_CONSTANT = register_claim(Claim(
    "critical-constant", "Critical constant (IPR)",
    "At β = λβ*_n, E[IPR] matches the exact finite-n value and converges to the Poisson–Kingman limit "
    "(λ = 0.5, 1, 2).",
    order=30, cost=4))

_D = 3
_N_HUGE = 10**12


@CRITICAL_CONSTANT.measure
def _critical_constant(ctx):
    from ...theory import PoissonKingman

    law = UniformSphere(_D)
    alpha = law.local_exponent
    samples = 700 if ctx.quick else 1500
    n_exact = critical_n_exact(ctx)
    lams = (0.5, 1.0, 2.0)
    cases, conv = [], []
    for lam in lams:
        exact_sim = critical_sim(ctx, "exact", n_exact, lam, samples)
        huge_sim = critical_sim(ctx, "orderstat", _N_HUGE, lam, samples)
        m1, s1 = mean_se(exact_sim["ipr"])
        pred1 = theory_value("expected_ipr", law, n_exact, exact_sim["beta"])
        cases.append(CRITICAL_CONSTANT.case(
            f"λ={lam:g}, n={n_exact:,} (exact finite n)",
            f"E[IPR] at β = {lam:g}·β*_n equals the exact finite-n value (d = {_D}, n = {n_exact:,})",
            pred1, m1, s1, exact=True,
            params={"d": _D, "n": n_exact, "lam": lam, "beta": exact_sim["beta"], "samples": samples,
                    "method": "exact"}).judged())
        limit = PoissonKingman(alpha, lam).ipr_limit()
        at_huge = theory_value("expected_ipr", law, _N_HUGE, huge_sim["beta"])
        m2, s2 = mean_se(huge_sim["ipr"])
        cases.append(CRITICAL_CONSTANT.case(
            f"λ={lam:g}, n=1e12 (Poisson–Kingman limit)",
            f"E[IPR] at β = {lam:g}·β*_n converges to the Poisson–Kingman limit (d = {_D})",
            limit, m2, s2, bias=abs(at_huge - limit),
            bias_reason="distance of the exact finite-n E[IPR] at n = 1e12 from the limit (theory: exact finite-n identities)",
            params={"d": _D, "n": _N_HUGE, "lam": lam, "beta": huge_sim["beta"], "samples": samples,
                    "method": "orderstat"}).judged())
        ns = [10**k for k in range(2, 13)]
        conv.append({"lam": lam, "n": ns,
                     "exact": [theory_value("expected_ipr", law, n, lam * law.critical_beta(n)) for n in ns],
                     "limit": limit, "measured": [[n_exact, m1, s1], [_N_HUGE, m2, s2]]})
    fig = CRITICAL_CONSTANT.figure(
        {"series": conv},
        f"E[IPR] at β = λβ*_n, d = {_D}: exact finite-n value against n (lines), the Poisson–Kingman limit "
        f"(dashed) and simulations ({samples} replicates at n = {n_exact:,} exact, n = 1e12 order statistics).")
    text = ("Predicted: at β = λβ*_n the expected inverse participation ratio has an exact finite-n value (theory: exact finite-n identities) "
            "that converges to the Poisson–Kingman limit E ΣW_k² (theory: limit laws) as n → ∞. Measured: mean IPR over "
            f"{samples} replicates, d = {_D}, λ ∈ {{0.5, 1, 2}}, at n = {n_exact:,} (exact engine) and n = 1e12 "
            "(order statistics). " + cases_text(cases))
    return CRITICAL_CONSTANT.result(cases, [fig], text)


@CRITICAL_CONSTANT.drawing(figsize=(7.5, 5))
def _draw(fig, data):
    """E[IPR] against n per λ: exact finite-n curve, the limit and the two simulations."""
    ax = fig.subplots()
    for i, s in enumerate(data["series"]):
        ax.plot(s["n"], s["exact"], "-", color=f"C{i}", label=f"λ={s['lam']:g}: exact finite n")
        ax.axhline(s["limit"], ls="--", color=f"C{i}", lw=1)
        for n, m, se in s["measured"]:
            ax.errorbar([n], [m], yerr=[1.96 * se], fmt="o", color=f"C{i}")
    ax.set_xscale("log")
    ax.set_xlabel("n")
    ax.set_ylabel("E[IPR] (dashed: Poisson–Kingman limit; points: simulation)")
    ax.legend(fontsize=7)
