"""``sub-clt``: below the critical scale the output's fluctuations are Gaussian with the predicted variances
σ⊥², σ∥² (:ref:`theory-limit-laws` subcritical)."""

from __future__ import annotations

import math

import numpy as np

from .._claim import Claim
from .._registry import register_claim
from .._sims import cases_text, mean_se, subcritical_sim

__all__ = ["SUB_CLT", "ratio_bias_bound"]

SUB_CLT = register_claim(Claim(
    "sub-clt", "Subcritical central limit theorem",
    "Tangent and radial variances match σ⊥², σ∥²; standardised outputs are Gaussian.",
    order=60, cost=4))


def ratio_bias_bound(d: int, n: int, beta: float) -> float:
    """Relative bound on the second-order bias of the self-normalised ratio O = Σ e^{−βD_i}K_i / Σ e^{−βD_i}:
    3·Var(Y)/(n·E[Y]²) with Y = e^{β⟨q,K⟩}, i.e. 3(M(2β)/M(β)² − 1)/n (the first neglected term of the delta
    method behind σ⊥², σ∥², :ref:`theory-limit-laws`, is of this order; the factor 3 covers its coefficient)."""
    from ...theory._special import log_mgf

    cv2 = math.expm1(float(log_mgf(d, 2.0 * beta) - 2.0 * log_mgf(d, beta)))
    return 3.0 * cv2 / n


def _geary(z, seed, boots: int = 300) -> tuple[float, float]:
    """Geary's ratio mean|z − z̄|/sd(z) (√(2/π) for a Gaussian, independent of its variance) and its bootstrap SE."""
    z = np.asarray(z, dtype=float)

    def ratio(x):
        c = x - x.mean(axis=-1, keepdims=True)
        return np.abs(c).mean(axis=-1) / np.sqrt((c * c).mean(axis=-1))

    rng = np.random.default_rng(seed)
    idx = rng.integers(0, z.size, size=(boots, z.size))
    return float(ratio(z)), float(ratio(z[idx]).std(ddof=1))


def _qq_panel(z, dist) -> dict:
    """A QQ plot's points: the sorted standardised outputs against ``dist``'s quantiles at (i − 1/2)/R."""
    z = np.sort(np.asarray(z))
    p = (np.arange(1, z.size + 1) - 0.5) / z.size
    return {"theoretical": dist.ppf(p).tolist(), "measured": z.tolist()}


@SUB_CLT.measure
def _clt(ctx):
    from scipy import stats

    from ...theory import radial_variance_limit, tangent_variance_limit
    from ...theory._special import mean_resultant

    d, n, beta = (4, 5_000, 20.0) if ctx.quick else (4, 20_000, 30.0)
    samples = 1500
    sim = subcritical_sim(ctx, d, n, beta, samples, True)
    s_t = tangent_variance_limit(d, n, beta)
    s_r = radial_variance_limit(d, n, beta)
    rel = ratio_bias_bound(d, n, beta)
    params = {"d": d, "n": n, "beta": beta, "samples": samples, "method": "exact"}
    tsq = np.asarray(sim["tangent_sq"]) / (d - 1)
    m_t, se_t = mean_se(tsq)
    inner = np.asarray(sim["inner"])
    a = float(mean_resultant(d, beta))
    centred = inner - inner.mean()
    var_r = float(centred @ centred / (inner.size - 1))
    se_r = float(math.sqrt(max(np.mean(centred**4) - var_r**2, 0.0) / inner.size))
    cases = [
        SUB_CLT.case("tangent variance σ⊥²", "each tangent coordinate of O has variance σ⊥² (theory: limit laws)", s_t, m_t, se_t,
                     bias=rel * s_t, bias_reason=f"second-order ratio-estimator term, {rel:.2g} relative", params=params),
        SUB_CLT.case("radial variance σ∥²", "⟨q,O⟩ has variance σ∥² (theory: limit laws)", s_r, var_r, se_r,
                     bias=rel * s_r, bias_reason=f"second-order ratio-estimator term, {rel:.2g} relative", params=params),
    ]
    # standardised outputs: the radial coordinate and |P⊥O|'s per-coordinate scale, with the predicted variances
    z_r = (inner - a) / math.sqrt(s_r)
    z_t = np.sqrt(np.asarray(sim["tangent_sq"]) / s_t)  # χ_{d−1} if the tangent part is N(0, σ⊥² I)
    geary, geary_se = _geary(z_r, ctx.seed_for("geary"))
    cases.append(SUB_CLT.case("Geary ratio of ⟨q,O⟩ (Gaussian shape)",
                              "the radial output is Gaussian: mean|Z − Z̄|/sd(Z) = √(2/π) (Geary's ratio)",
                              math.sqrt(2.0 / math.pi), geary, geary_se, bias=1.0 / inner.size,
                              bias_reason="O(1/N) small-sample bias of Geary's ratio", params=params))
    ks = stats.kstest(z_t, stats.chi(d - 1).cdf)
    ks_r = stats.kstest(z_r, "norm")
    for c in cases:
        c.judged()
    fig = SUB_CLT.figure(
        {"radial": _qq_panel(z_r, stats.norm), "tangent": _qq_panel(z_t, stats.chi(d - 1)), "d": d},
        f"Subcritical CLT, d = {d}, n = {n:,}, β = {beta:g}, {samples} replicates: QQ plots of the standardised "
        "radial output against N(0,1) and of |P⊥O|/σ⊥ against χ_{d−1}, with the predicted variances (no fit).")
    text = ("Predicted: below the critical scale O − A_d(β)q is Gaussian with tangent variance σ⊥² per direction and "
            "radial variance σ∥² (theory: limit laws). Measured with the exact engine at d = "
            f"{d}, n = {n:,}, β = {beta:g}, {samples} replicates. " + cases_text(cases, 5)[:-1]
            + f". Kolmogorov–Smirnov p-values with the predicted variances: radial {ks_r.pvalue:.3g}, "
            f"tangent (χ_{d - 1}) {ks.pvalue:.3g}.")
    return SUB_CLT.result(cases, [fig], text)


@SUB_CLT.drawing(figsize=(11, 4.5))
def _draw(fig, data):
    """QQ plots of the standardised radial output (against N(0,1)) and of |P⊥O|/σ⊥ (against χ_{d−1})."""
    axes = fig.subplots(1, 2)
    for ax, panel, label in ((axes[0], data["radial"], "radial: N(0,1)"),
                             (axes[1], data["tangent"], f"|P⊥O|/σ⊥: χ_{data['d'] - 1}")):
        q, z = np.asarray(panel["theoretical"]), np.asarray(panel["measured"])
        ax.plot(q, z, ".", ms=2)
        lim = [min(q.min(), z.min()), max(q.max(), z.max())]
        ax.plot(lim, lim, "k-", lw=1)
        ax.set_xlabel("theoretical quantile")
        ax.set_ylabel("standardised output (predicted variance, no fit)")
        ax.set_title(label, fontsize=9)
