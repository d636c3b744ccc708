"""``heat-equation``: self-attention dynamics grows spherical-harmonic modes like the backward heat equation
(:ref:`theory-limit-laws`; the dynamics are :mod:`attnlimits.heat`)."""

from __future__ import annotations

import math
import warnings

import numpy as np

from .._claim import Claim
from .._registry import register_claim

__all__ = ["HEAT_EQUATION"]

HEAT_EQUATION = register_claim(Claim(
    "heat-equation", "Backward heat equation",
    "Harmonic growth of self-attention dynamics matches (1 + ℓ(ℓ+d−2)/β)^steps and its limit exp(ℓ(ℓ+d−2)·steps/β) "
    "on S^1 and S^2.",
    order=90, cost=12))


def _kernel() -> dict:
    """The dynamics' kernel: torch's fused scaled_dot_product_attention in float64 where torch is installed (the
    same dense sums, equal to the blocked NumPy step within float64 rounding, at about a third of its CPU time
    here), else the blocked NumPy step."""
    try:
        import torch  # noqa: F401
    except ImportError:
        return {}
    return {"backend": "torch", "kernel": "sdpa"}


@HEAT_EQUATION.measure
def _heat(ctx):
    from ...heat import mode_growth_factor, run_dynamics
    from ...heat._curves import growth_curves

    ell, eps = 2, 0.3
    settings = [(2, 200.0, 20, 3000 if ctx.quick else 6000), (3, 100.0, 10, 5000 if ctx.quick else 8000)]
    cases, runs = [], []
    for j, (d, beta, steps, n) in enumerate(settings):
        def unit(d=d, beta=beta, steps=steps, n=n, eps=eps):
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                res = run_dynamics(d, ell, eps, n, beta, steps, "quasi", **_kernel())
            return {"amplitude": [float(a) for a in res.amplitude_by_step],
                    "off_mode": [float(a) for a in res.off_mode_power_by_step],
                    "warnings": [str(w.message) for w in caught]}

        run = ctx.cached(("heat", d, ell, eps, n, beta, steps), unit)
        half = ctx.cached(("heat", d, ell, eps, n // 2, beta, steps), lambda: unit(n=n // 2))
        small = ctx.cached(("heat", d, ell, eps / 2, n // 2, beta, steps), lambda: unit(n=n // 2, eps=eps / 2))
        ctx.progress(j + 1, len(settings))
        amp = run["amplitude"]
        growth = amp[-1] / amp[0]
        g_half = half["amplitude"][-1] / half["amplitude"][0]
        g_small = small["amplitude"][-1] / small["amplitude"][0]
        discrete = 2.0 * abs(growth - g_half) + 2.0 * abs(g_half - g_small)
        rate = ell * (ell + d - 2)
        per_step = (1.0 + rate / beta) ** steps
        limit = math.exp(rate * steps / beta)
        mean_field = float(mode_growth_factor(d, ell, beta)) ** steps
        params = {"d": d, "n": n, "beta": beta, "steps": steps, "mode": ell, "eps": eps, "init": "quasi-uniform"}
        sphere = "S^1" if d == 2 else "S^2"
        note = "deterministic quasi-uniform start: no sampling error" + (
            "; " + "; ".join(run["warnings"]) if run["warnings"] else "")
        cases.append(HEAT_EQUATION.case(f"{sphere}, ℓ={ell}: per-step factor",
                          f"on {sphere} the mode-{ell} amplitude grows by (1 + ℓ(ℓ+d−2)/β)^steps",
                          per_step, growth, 0.0, bias=abs(mean_field - per_step) + discrete,
                          bias_reason=(f"O(β^−2) part of the exact mean-field factor g_ℓ(β)^steps = {mean_field:.5f} "
                                       "(attnlimits.heat.mode_growth_factor), plus twice the changes of the measured "
                                       f"growth from n/2 to n particles ({abs(growth - g_half):.2g}: discretisation) and "
                                       f"from ε/2 to ε ({abs(g_half - g_small):.2g}: the prediction is first order in ε)"),
                          effect=per_step - 1.0, params=params, note=note).judged())
        cases.append(HEAT_EQUATION.case(f"{sphere}, ℓ={ell}: β → ∞ limit",
                          f"on {sphere} the growth tends to exp(ℓ(ℓ+d−2)·steps/β) (backward heat equation)",
                          limit, growth, 0.0, bias=abs(mean_field - limit) + discrete,
                          bias_reason=(f"finite-β distance of g_ℓ(β)^steps = {mean_field:.5f} from the limit, plus "
                                       "twice the n/2-to-n and ε/2-to-ε changes of the measured growth"),
                          effect=limit - 1.0, params=params, note=note).judged())
        g = float(mode_growth_factor(d, ell, beta))
        runs.append({"d": d, "n": n, "beta": beta, "steps": steps, "mode": ell, "amplitude": amp,
                     "off_mode": run["off_mode"], "rate": rate, "mean_field": g,
                     "curves": growth_curves(np.asarray(amp) / amp[0], rate, beta, g)})
    fig = HEAT_EQUATION.figure(
        {"runs": runs},
        "Self-attention dynamics from ρ = 1 + 0.3·Y_2 (quasi-uniform start): growth of the mode-2 amplitude per "
        "step against (1 + ℓ(ℓ+d−2)/β)^k and exp(ℓ(ℓ+d−2)k/β); " + "; ".join(
            f"d = {r['d']}: n = {r['n']:,}, β = {r['beta']:g}, {r['steps']} steps" for r in runs) + ".")
    text = ("Predicted: one renormalised self-attention step is a time step 1/β of the backward heat equation, so the "
            "degree-ℓ harmonic of the density grows by 1 + ℓ(ℓ+d−2)/β per step and by exp(ℓ(ℓ+d−2)·steps/β) in the "
            "limit β → ∞ (theory: limit laws). Measured: the mode amplitude of a deterministic quasi-uniform start; the allowance is "
            "the exact O(β^−2) term of the mean-field factor plus twice the changes of the growth between n/2 and n "
            "particles and between ε/2 and ε (the law is linear in ε). " + "; ".join(
                f"{c.case}: {c.measured:.5f} against {c.predicted:.5f} (allowance {c.bias:.3g}; {c.verdict})"
                for c in cases) + ".")
    return HEAT_EQUATION.result(cases, [fig], text)


@HEAT_EQUATION.drawing(figsize=(11, 4.5))
def _draw(fig, data):
    """One growth panel per run, drawn as by ``attnlimits heat --plot``."""
    from ...report.heat_figure import heat_growth_panel

    runs = data["runs"]
    axes = fig.subplots(1, len(runs))
    for ax, r in zip(np.atleast_1d(axes), runs):
        heat_growth_panel(ax, r["curves"], legend_size=7)
        ax.set_title(f"d = {r['d']} (S^{r['d'] - 1}), ℓ = {r['mode']}, n = {r['n']:,}, β = {r['beta']:g}", fontsize=9)
