"""``critical-exponent``: how the critical scale grows with n (:ref:`theory-scales`).

Its grid's cell kind, ``reproduce-beta-half`` (β̂_1/2(n) with its SE for one (law, d, n) by common random
numbers, :func:`~attnlimits.claims.estimate_beta_half`), is declared here; ``local-not-global`` runs it too.
"""

from __future__ import annotations

import math

import numpy as np

from ...laws import UniformSphere, parse_law
from .._claim import Claim
from .._halfweight import estimate_beta_half
from .._registry import register_claim

__all__ = ["CRITICAL_EXPONENT", "beta_half_cell", "exponent_bias_bound", "exponent_case"]

CRITICAL_EXPONENT = register_claim(Claim(
    "critical-exponent", "Critical exponent",
    "β_1/2(n) grows like n^{2/(d−1)} in the asymptotic range (d = 2, 3, 4, 6).",
    order=10, cost=8))

#: Distances beyond T/β_{1/2} carry weight below e^{−T}: the window in which F's power law must hold.
_WINDOW = 40.0


@CRITICAL_EXPONENT.cell_kind("reproduce-beta-half")
def beta_half_cell(params: dict, seed) -> dict:
    """Cell kind ``reproduce-beta-half``: β̂_1/2 at (law, d, n) with its SE.

    Parameters
    ----------
    params : dict
        ``law, d, n, samples`` and optionally ``method`` (default ``"orderstat"``).
    seed : numpy.random.SeedSequence
        The cell's seed.

    Returns
    -------
    dict
        ``HalfWeightEstimate.to_dict()`` without ``n`` and ``method``; the search starts from
        β*_n·max(0.2, α) (:ref:`theory-scales`, α the law's local exponent).
    """
    law = parse_law(params["law"], int(params["d"]))
    n = int(params["n"])
    guess = law.critical_beta(n) * max(0.2, law.local_exponent)
    est, _ = estimate_beta_half(law, n, int(params["samples"]), seed, guess, method=params.get("method", "orderstat"))
    return {k: v for k, v in est.to_dict().items() if k not in ("n", "method")}


def exponent_bias_bound(alpha: float, ns, betas) -> float:
    """Bound on |fitted slope − 1/α| from F(t) = c t^α (1 + ρ(t)) at finite n (:ref:`theory-scales`).

    For uniform keys f(t) = cα t^{α−1}(1 − t/2)^{α−1}, so |ρ(t)| ≤ |α − 1|·t for t ≤ 1. Rescaling the count of
    keys within the window t ≤ T/β (T = 40; beyond it a key weighs < e^{−40} against the nearest) by (1 + ρ) is
    rescaling β by (1 + ρ)^{1/α}, so |log β_{1/2}(n) − log(λ_{1/2} β*_n)| ≤ δ_n = |α − 1|·T/(α β_{1/2}(n)), and a
    least-squares slope over x = log n moves by at most Σ|x_i − x̄| δ_i / Σ (x_i − x̄)². The Poisson
    approximation of the binomial count adds O(1/n), included as 1/min(n).
    """
    x = np.log(np.asarray(ns, dtype=float))
    xc = x - x.mean()
    delta = abs(alpha - 1.0) * _WINDOW / (alpha * np.asarray(betas, dtype=float))
    return float(np.sum(np.abs(xc) * delta) / np.sum(xc * xc) + 1.0 / min(ns))


def exponent_case(d: int, slope: float, se: float, bias: float, params: dict, *, predicted=None):
    """The ``critical-exponent`` case for dimension d: fitted slope against 2/(d−1) (or ``predicted``)."""
    pred = 2.0 / (d - 1) if predicted is None else predicted
    return CRITICAL_EXPONENT.case(
        f"d={d}", f"log β_1/2(n) grows like (2/(d−1))·log n for d={d}", pred, slope, se, bias=bias,
        bias_reason="power-law error of F within the window T/β (T = 40), see exponent_bias_bound",
        params=params).judged()


@CRITICAL_EXPONENT.measure
def _critical_exponent(ctx):
    dims = (2, 3, 4, 6)
    ns = [10**k for k in ((6, 10, 14, 18) if ctx.quick else (6, 8, 10, 12, 14, 16, 18))]
    samples = 100 if ctx.quick else 300
    cases, series = [], []
    grid = CRITICAL_EXPONENT.grid(ctx, "reproduce-beta-half", {"d": list(dims), "n": ns},
                                  {"law": "uniform", "samples": samples})
    for d in dims:
        law = UniformSphere(d)
        alpha = law.local_exponent
        rows = [r for r in grid if r["d"] == d]
        x = np.log([r["n"] for r in rows])
        y = np.log([r["beta"] for r in rows])
        w = 1.0 / np.array([r["log_se"] for r in rows]) ** 2
        xc = x - np.sum(w * x) / np.sum(w)
        slope = float(np.sum(w * xc * y) / np.sum(w * xc * xc))
        se = float(1.0 / math.sqrt(np.sum(w * xc * xc)))
        resid = y - (np.sum(w * y) / np.sum(w) + slope * xc)
        chi2 = float(np.sum(w * resid**2))
        bias = exponent_bias_bound(alpha, ns, [r["beta"] for r in rows])
        params = {"d": d, "n": f"{ns[0]:.0e}..{ns[-1]:.0e} ({len(ns)} values)", "samples per n": samples,
                  "method": "orderstat nearest keys, common random numbers over β"}
        case = exponent_case(d, slope, se, bias, params)
        case.note = f"weighted fit χ² = {chi2:.2f} on {len(ns) - 2} degrees of freedom"
        cases.append(case)
        series.append({"d": d, "n": [r["n"] for r in rows], "beta": [r["beta"] for r in rows],
                       "log_se": [r["log_se"] for r in rows],
                       "beta_star": [law.critical_beta(n) for n in ns], "slope": slope, "se": se,
                       "predicted": case.predicted, "fit": _fitted_line(rows, slope)})
    fig = CRITICAL_EXPONENT.figure(
        {"series": series},
        f"β_1/2(n) measured with {samples} replicates per point (order statistics, n = {ns[0]:.0e} … "
        f"{ns[-1]:.0e}), d ∈ {{2, 3, 4, 6}}, with the fitted line and the predicted slope 2/(d−1).")
    text = ("Predicted: in the asymptotic range β_1/2(n) = λ_1/2·(c_d n)^{2/(d−1)}, so log β_1/2 grows with slope "
            "2/(d−1) in log n (theory: the scales). Measured: β_1/2(n), the β at which the mean max weight over "
            f"{samples} replicates equals 1/2, for n = {ns[0]:.0e} … {ns[-1]:.0e} at d = 2, 3, 4, 6 (uniform keys), "
            "fitted by weighted least squares. " + _slopes_text(cases))
    return CRITICAL_EXPONENT.result(cases, [fig], text)


def _fitted_line(rows, slope: float) -> list:
    """β on the fitted line at each row's n, for the figure: exp(mean log β + slope·(log n − mean log n))."""
    x = np.log(np.asarray([r["n"] for r in rows], dtype=float))
    b = np.asarray([r["beta"] for r in rows])
    return np.exp(np.mean(np.log(b)) + slope * (x - x.mean())).tolist()


def _slopes_text(cases) -> str:
    return "; ".join(f"{c.case}: slope {c.measured:.4f} ± {1.96 * c.se:.4f} against {c.predicted:.4f} ({c.verdict})"
                     for c in cases) + "."


@CRITICAL_EXPONENT.drawing(figsize=(7.5, 5))
def _draw(fig, data):
    """β_1/2(n) per d on log–log axes, with the fitted line and β*_n."""
    ax = fig.subplots()
    for i, s in enumerate(data["series"]):
        n = np.asarray(s["n"], dtype=float)
        b = np.asarray(s["beta"])
        err = 1.96 * np.asarray(s["log_se"]) * b
        ax.errorbar(n, b, yerr=err, fmt="o", color=f"C{i}", label=f"d={s['d']}: slope {s['slope']:.4f} ± "
                    f"{1.96 * s['se']:.4f} (predicted {s['predicted']:.4f})")
        ax.plot(n, s["fit"], "-", color=f"C{i}", lw=1)
        ax.plot(n, s["beta_star"], ":", color=f"C{i}", lw=1)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("n (keys)")
    ax.set_ylabel(r"$\beta_{1/2}(n)$ (points; dotted: $\beta^*_n$)")
    ax.legend(fontsize=7)
