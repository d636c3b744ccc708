"""``critical-no-collapse``: at the critical scale no key takes all the mass (:ref:`theory-limit-laws` critical, §4 exact
finite n)."""

from __future__ import annotations

import math

import numpy as np

from ...laws import UniformSphere
from .._claim import Claim
from .._registry import register_claim
from .._sims import MASS, cases_text, critical_n_exact, critical_sim, mean_se
from .._theory import theory_value

__all__ = ["CRITICAL_NO_COLLAPSE"]

CRITICAL_NO_COLLAPSE = register_claim(Claim(
    "critical-no-collapse", "No collapse at the critical scale",
    "At λ = 1, E[W_1] matches the exact finite-n value and the Poisson–Kingman limit, and the number of keys holding "
    "≥ 1% of the mass matches its prediction.",
    order=70, cost=3))

_D = 3
_N_HUGE = 10**12


@CRITICAL_NO_COLLAPSE.measure
def _critical_no_collapse(ctx):
    from ...theory import PoissonKingman

    law = UniformSphere(_D)
    alpha, lam = law.local_exponent, 1.0
    samples = 700 if ctx.quick else 1500
    n_exact = critical_n_exact(ctx)
    exact_sim = critical_sim(ctx, "exact", n_exact, lam, samples)
    huge_sim = critical_sim(ctx, "orderstat", _N_HUGE, lam, samples)
    pk = PoissonKingman(alpha, lam)
    case = CRITICAL_NO_COLLAPSE.case
    cases = []
    m1, s1 = mean_se(exact_sim["max_weight"])
    cases.append(case(f"E[W1], n={n_exact:,} (exact finite n)",
                      "at λ = 1 the mean max weight equals the exact finite-n value, well below 1",
                      theory_value("expected_max_weight", law, n_exact, exact_sim["beta"]), m1, s1, exact=True,
                      params={"d": _D, "n": n_exact, "lam": lam, "samples": samples, "method": "exact"}).judged())
    limit = pk.max_weight_limit()
    m2, s2 = mean_se(huge_sim["max_weight"])
    at_huge = theory_value("expected_max_weight", law, _N_HUGE, huge_sim["beta"])
    cases.append(case("E[W1], n=1e12 (Poisson–Kingman limit)",
                      "at λ = 1 the mean max weight converges to the Poisson–Kingman limit (no collapse)",
                      limit, m2, s2, bias=abs(at_huge - limit),
                      bias_reason="distance of the exact finite-n E[W1] at n = 1e12 from the limit (theory: exact finite-n identities)",
                      params={"d": _D, "n": _N_HUGE, "lam": lam, "samples": samples, "method": "orderstat"}).judged())
    pk_samples = 50_000 if ctx.quick else 200_000
    count_pred, count_se = pk.count_above_limit(MASS, rng=np.random.default_rng(ctx.seed_for("pk-count")),
                                                samples=pk_samples)
    m3, s3 = mean_se(huge_sim["count"])
    cases.append(case("keys with ≥1% of the mass, n=1e12",
                      "at λ = 1 the number of keys holding at least 1% of the mass matches the Poisson–Kingman law",
                      count_pred, m3, math.hypot(s3, count_se),
                      note=f"prediction by sampling the limit law ({pk_samples} draws, SE {count_se:.2g}), folded into SE",
                      params={"d": _D, "n": _N_HUGE, "lam": lam, "samples": samples, "method": "orderstat"}).judged())
    rng = np.random.default_rng(ctx.seed_for("pk-w1"))
    limit_draws = pk.sample(rng, 20_000)[:, 0]
    fig = CRITICAL_NO_COLLAPSE.figure(
        {"measured": huge_sim["max_weight"], "limit": limit_draws.tolist(), "limit_mean": limit,
         "measured_exact_n": exact_sim["max_weight"]},
        f"Law of the max weight W_1 at λ = 1, d = {_D}: simulations ({samples} replicates at n = 1e12 by "
        f"order statistics and at n = {n_exact:,} exact) against 20,000 draws of the Poisson–Kingman limit.")
    text = ("Predicted: at the critical scale (λ = 1) no key takes all the mass: W_1 converges in law to the largest "
            "Poisson–Kingman weight, whose mean is below 1, and finitely many keys hold macroscopic mass (theory: limit laws). "
            f"Measured with {samples} replicates at d = {_D}. " + cases_text(cases))
    return CRITICAL_NO_COLLAPSE.result(cases, [fig], text)


@CRITICAL_NO_COLLAPSE.drawing(figsize=(7.5, 5))
def _draw(fig, data):
    """Histograms of W_1: the limit law's draws and the two simulations."""
    ax = fig.subplots()
    bins = np.linspace(0, 1, 41)
    ax.hist(data["limit"], bins=bins, density=True, histtype="stepfilled", alpha=0.35, label="Poisson–Kingman limit")
    ax.hist(data["measured"], bins=bins, density=True, histtype="step", lw=1.5, label="simulation, n = 1e12")
    ax.hist(data["measured_exact_n"], bins=bins, density=True, histtype="step", lw=1, ls="--",
            label="simulation, exact engine at smaller n")
    ax.axvline(data["limit_mean"], color="k", lw=1, label=f"limit mean {data['limit_mean']:.4f}")
    ax.set_xlabel(r"max weight $W_1$")
    ax.set_ylabel("density")
    ax.legend(fontsize=7)
