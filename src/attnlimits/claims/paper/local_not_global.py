"""``local-not-global``: only the law of D near the query sets the critical scale (:ref:`theory-scales`)."""

from __future__ import annotations

import math

import numpy as np

from ...laws import FarReshaped, Subsphere, UniformSphere, VonMisesFisher
from .._claim import Claim
from .._halfweight import estimate_beta_half
from .._registry import register_claim
from .critical_exponent import exponent_bias_bound

__all__ = ["LOCAL_NOT_GLOBAL"]

LOCAL_NOT_GLOBAL = register_claim(Claim(
    "local-not-global", "Local, not global",
    "Laws with the same D near the query share the critical scale; vMF shifts β*_n by ρ(q)^{1/α}; a subsphere "
    "changes the exponent.",
    order=40, cost=1))


def _ratio(ctx, law_a, law_b, n, samples, key):
    """log(β̂_{1/2}(B)/β̂_{1/2}(A)) from independent samples of the two laws, and its SE."""

    def unit():
        ests = []
        for tag, law in (("a", law_a), ("b", law_b)):
            guess = law.critical_beta(n) * max(0.2, law.local_exponent)
            est, _ = estimate_beta_half(law, n, samples, ctx.seed_for(LOCAL_NOT_GLOBAL.id, *key, tag), guess)
            ests.append(est)
        ea, eb = ests
        return {"beta_a": ea.beta, "beta_b": eb.beta, "log_ratio": math.log(eb.beta / ea.beta),
                "se": math.hypot(ea.log_se, eb.log_se)}

    return ctx.cached(("local-ratio", *key, n, samples), unit)


@LOCAL_NOT_GLOBAL.measure
def _local(ctx):
    samples = 500 if ctx.quick else 800
    n = 10**8
    cases, rows = [], []
    d = 3
    uni = UniformSphere(d)
    # 1. same law near the query, different global shape: same critical scale
    far = FarReshaped(d)
    r1 = _ratio(ctx, uni, far, n, samples, ("far", d))
    ratio1 = math.exp(r1["log_ratio"])
    cases.append(LOCAL_NOT_GLOBAL.case(
        "same local law, different global shape",
        "keys whose law of D agrees with uniform keys near q have the same β_1/2, whatever their far shape",
        1.0, ratio1, ratio1 * r1["se"],
        note=f"E⟨q,K⟩ = 0 (uniform) against {far.mean_inner():.4f} (reshaped)",
        params={"d": d, "n": n, "samples": samples, "laws": "uniform vs far-reshaped"}).judged())
    rows.append({"label": "far-reshaped / uniform", "predicted": 1.0, "measured": ratio1, "se": ratio1 * r1["se"]})
    # 2. vMF: the density at the query rescales c, hence β*_n by ρ(q)^{1/α}
    kappa = 2.0
    vmf = VonMisesFisher(d, kappa, 0.0)
    alpha = uni.local_exponent
    r2 = _ratio(ctx, uni, vmf, n, samples, ("vmf", d, kappa))
    pred2 = math.exp(vmf.log_density_at_query / alpha)
    ratio2 = math.exp(r2["log_ratio"])
    bias2 = pred2 * (kappa + abs(alpha - 1.0)) * 40.0 / (alpha * r2["beta_b"])
    cases.append(LOCAL_NOT_GLOBAL.case(
        f"vMF κ={kappa:g} at the query: β shift ρ(q)^(1/α)",
        "a vMF law shifts β*_n (and β_1/2) by ρ(q)^{1/α}, ρ(q) its density at the query",
        pred2, ratio2, ratio2 * r2["se"], bias=bias2,
        bias_reason="ρ(y) = ρ(q)e^{−κD} is not flat: |Δ log β| ≤ (κ + |α−1|)·40/(α β_1/2)",
        params={"d": d, "n": n, "samples": samples, "laws": f"vmf:{kappa:g} vs uniform"}).judged())
    rows.append({"label": f"vMF κ={kappa:g} / uniform", "predicted": pred2, "measured": ratio2, "se": ratio2 * r2["se"]})
    # 3. subsphere: the exponent is (k−1)/2, whatever d
    dd, k = 6, 3
    sub = Subsphere(dd, k)
    ns = [10**j for j in ((6, 10, 14, 18) if ctx.quick else (6, 9, 12, 15, 18))]
    ests = LOCAL_NOT_GLOBAL.grid(ctx, "reproduce-beta-half", {"n": ns},
                                 {"law": f"subsphere:{k}", "d": dd, "samples": samples}, name="local-subsphere")
    x = np.log(ns)
    y = np.log([e["beta"] for e in ests])
    w = 1.0 / np.array([e["log_se"] for e in ests]) ** 2
    xc = x - np.sum(w * x) / np.sum(w)
    slope = float(np.sum(w * xc * y) / np.sum(w * xc * xc))
    se = float(1.0 / math.sqrt(np.sum(w * xc * xc)))
    pred3 = 2.0 / (k - 1)
    cases.append(LOCAL_NOT_GLOBAL.case(
        f"subsphere S^{k - 1} in d={dd}: exponent",
        f"keys on a great subsphere S^{k - 1} give β_1/2 ∝ n^{{2/(k−1)}}, not n^{{2/(d−1)}}",
        pred3, slope, se, bias=exponent_bias_bound(sub.local_exponent, ns, [e["beta"] for e in ests]),
        bias_reason="power-law error of F within the window T/β, as in critical-exponent",
        alternative=2.0 / (dd - 1), alternative_name="the ambient exponent 2/(d−1)",
        params={"d": dd, "k": k, "n": f"{ns[0]:.0e}..{ns[-1]:.0e}", "samples": samples}).judged())
    rows.append({"label": f"subsphere k={k}, d={dd}: slope", "predicted": pred3, "measured": slope, "se": se,
                 "alternative": 2.0 / (dd - 1)})
    fig = LOCAL_NOT_GLOBAL.figure(
        {"rows": rows},
        f"Local, not global: measured ratios of β_1/2 (d = {d}, n = 1e8, {samples} replicates, common random "
        f"numbers) and the subsphere exponent (d = {dd}, k = {k}, n = {ns[0]:.0e} … {ns[-1]:.0e}) against "
        "their predictions.")
    text = ("Predicted: only the law of D near the query matters (theory: the scales): a law equal to the uniform one near q has the "
            "same critical scale whatever its far shape; a vMF law multiplies c by its density ρ(q) at the query, so "
            "β*_n by ρ(q)^{1/α}; keys on a great subsphere S^{k−1} have exponent (k−1)/2. Measured: β_1/2 by "
            "order statistics with common random numbers. " + "; ".join(
                f"{c.case}: {c.measured:.5g} ± {1.96 * c.se:.2g} against {c.predicted:.5g} ({c.verdict})" for c in cases)
            + ".")
    return LOCAL_NOT_GLOBAL.result(cases, [fig], text)


@LOCAL_NOT_GLOBAL.drawing(figsize=(7.5, 4.5))
def _draw(fig, data):
    """Each case's measured / predicted ratio with its 95% interval (and the ambient exponent where rejected)."""
    rows = data["rows"]
    ax = fig.subplots()
    y = np.arange(len(rows))
    ax.errorbar([r["measured"] / r["predicted"] for r in rows], y,
                xerr=[1.96 * r["se"] / r["predicted"] for r in rows], fmt="o", label="measured / predicted")
    for i, r in enumerate(rows):
        if r.get("alternative"):
            ax.plot([r["alternative"] / r["predicted"]], [i], "x", color="C3", label="ambient exponent / predicted")
    ax.axvline(1.0, color="k", lw=1)
    ax.set_yticks(y)
    ax.set_yticklabels([r["label"] for r in rows], fontsize=8)
    ax.set_xlabel("ratio to prediction (1 = agreement)")
    ax.legend(fontsize=7)
