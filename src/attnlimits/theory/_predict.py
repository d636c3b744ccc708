"""``predict``: every prediction of the theory for one setting (law, n, β), as one flat dict (:ref:`theory-scales` to :ref:`theory-exact-identities`, :ref:`theory-effective-exponent`).

Asymptotic values are numbers only inside their range; elsewhere they are None and ``notes`` says why and
which exact value to read instead. The rules:

* Law of large numbers and CLT (``inner_limit``, ``tangent_var_limit``, ``radial_var_limit``) and the heat-equation rate
  (``heat_rate``): they average over the keys inside the softmax kernel, so they need many of them,
  n·F(1/β) ≥ :data:`MIN_COMPETITORS` = 30 (the usual size for a normal approximation of a sum); the heat rate,
  the β → ∞ limit of one attention step (:ref:`theory-limit-laws`), also needs its per-step rate ℓ(ℓ+d−2)/β ≤ 0.1 (ℓ = 2), so
  that (1 + r)^steps and e^{r·steps} agree to O(r²) = 1 %.
* Poisson–Kingman limit at λ = β/β*_n (``ipr_limit``, ``max_weight_limit``): the paper's law uses the local
  power law F(t) ≈ c t^α; at finite n the nearest keys see F at its 1/n quantile t_n instead (:ref:`theory-effective-exponent`). The
  limit is reported where the two agree: |α_n/α − 1| ≤ 5 % and |log(β*_n t_n)| ≤ 5 %, i.e. exponent and scale
  of the effective law PK(α_n, β t_n) within 5 % of the paper's PK(α, λ); otherwise the setting is
  pre-asymptotic for it (d = 64, n = 1e6: 27 % and 24 %); and λ must lie in [1e−6, 1e6], the range the
  quadrature is guaranteed on (beyond, the limits are 0 and 1).
* Effective law (``max_weight_eff``): λ̃ = β t_n in [1e−6, 1e6] as well (at β = 0 its λ → 0 limit is 0, not
  the finite-n 1/n).
* A value that cannot be right (a variance above 1, an IPR above 1) is never returned.
* ``beta_half`` is None at n = 1 (the max weight is 1 at every β).

Keys follow the theory's naming rule (``expected_*`` exact at this n, ``*_limit`` n → ∞, ``*_eff`` the
effective exponent).
"""

from __future__ import annotations

import math

from .._validation import LAM_RANGE, InputError, check_int, check_real, check_sinks
from ._critical import PoissonKingman
from ._effective import beta_half_eff, effective_exponent, max_weight_eff
from ._exact import expected_defect, expected_inner, expected_ipr, expected_max_weight
from ._scales import REGIME_THRESHOLD, beta_half, critical_beta, n_effective, pre_asymptotic
from ._special import mean_resultant
from ._subcritical import radial_variance_limit, tangent_variance_limit

__all__ = ["predict", "PREDICT_KEYS", "MIN_COMPETITORS", "PK_AGREEMENT"]

#: The keys of :func:`predict` (and of ``attnlimits theory --json``), in order; ``notes`` (a list of strings)
#: comes last.
PREDICT_KEYS = ("alpha", "c", "log_c", "critical_beta", "beta_half", "lam", "regime", "pre_asymptotic", "n_effective",
                "expected_ipr", "expected_max_weight", "expected_inner", "expected_defect", "inner_limit",
                "tangent_var_limit", "radial_var_limit", "ipr_limit", "max_weight_limit", "alpha_eff",
                "critical_beta_eff", "lam_eff", "max_weight_eff", "beta_half_eff", "heat_rate", "notes")
#: The law of large numbers, the CLT and the heat rate need n·F(1/β) at least this.
MIN_COMPETITORS = 30.0
#: The Poisson–Kingman limit is reported where |α_n/α − 1| and |log(β*_n t_n)| are both at most this.
PK_AGREEMENT = 0.05
#: The heat rate (degree 2) is reported where the per-step rate ℓ(ℓ+d−2)/β is at most this.
MAX_HEAT_STEP = 0.1


def _fmt(x: float) -> str:
    return f"{x:.3g}"


def _effective_part(law, n, beta, notes) -> dict:
    out = {"alpha_eff": None, "critical_beta_eff": None, "lam_eff": None, "max_weight_eff": None,
           "beta_half_eff": None}
    if n < 2:
        notes.append("alpha_eff, critical_beta_eff, lam_eff, max_weight_eff, beta_half_eff: none at n = 1 (no "
                     "competing key); E max w = 1 exactly")
        return out, None
    try:
        eff = effective_exponent(law, n)
    except InputError as err:
        notes.append(f"alpha_eff etc.: none for this law ({err}); read the exact values")
        return out, None
    lam = beta * eff.t_n
    out.update({"alpha_eff": eff.alpha_eff, "critical_beta_eff": eff.critical_beta_eff, "lam_eff": lam,
                "beta_half_eff": beta_half_eff(law, n)})
    lo, hi = LAM_RANGE
    if lo <= lam <= hi:
        out["max_weight_eff"] = max_weight_eff(law, n, beta)
    else:
        notes.append(f"max_weight_eff: λ̃ = β t_n = {_fmt(lam)} is outside [{lo:g}, {hi:g}], the range of the "
                     "Poisson–Kingman quadrature; read expected_max_weight (exact)")
    return out, eff


def _limit_part(law, n, beta, lam, eff, notes) -> dict:
    alpha = float(law.local_exponent)
    out = {"ipr_limit": None, "max_weight_limit": None}
    if eff is None:
        notes.append("ipr_limit, max_weight_limit: not checked against the effective exponent here; read "
                     "expected_ipr, expected_max_weight (exact)")
        return out
    a_err = eff.alpha_eff / alpha - 1.0
    s_err = math.log(critical_beta(law, n) * eff.t_n)
    if abs(a_err) > PK_AGREEMENT or abs(s_err) > PK_AGREEMENT:
        notes.append(f"ipr_limit, max_weight_limit: the Poisson–Kingman limit PK(α, λ) is pre-asymptotic here "
                     f"(α_n/α − 1 = {a_err:+.3g}, log(β*_n t_n) = {s_err:+.3g}, rule: both within ±{PK_AGREEMENT:g}); "
                     "read expected_ipr, expected_max_weight (exact) or max_weight_eff (theory: effective exponent)")
        return out
    lo, hi = LAM_RANGE
    if not lo <= lam <= hi:
        notes.append(f"ipr_limit, max_weight_limit: λ = {_fmt(lam)} is outside [{lo:g}, {hi:g}], the range of the "
                     f"Poisson–Kingman quadrature (its limits there are {'0' if lam < lo else '1'}); read "
                     "expected_ipr, expected_max_weight (exact)")
        return out
    pk = PoissonKingman(alpha, lam)
    ipr, w1 = pk.ipr_limit(), pk.max_weight_limit()
    if not (0.0 <= ipr <= 1.0 and 0.0 <= w1 <= 1.0):
        notes.append("ipr_limit, max_weight_limit: the quadrature left [0, 1]; read the exact values")
        return out
    return {"ipr_limit": ipr, "max_weight_limit": w1}


def _subcritical_part(law, n, beta, neff, notes) -> dict:
    out = {"inner_limit": None, "tangent_var_limit": None, "radial_var_limit": None, "heat_rate": None}
    sph = law.sphere_parameters  # (k, κ) of the closed Bessel forms, or None
    if sph is None:
        notes.append("inner_limit, tangent_var_limit, radial_var_limit, heat_rate: the Bessel formulas need keys uniform on a "
                     "(sub)sphere or vMF centred on the query; read expected_inner (exact)")
        return out
    if neff < MIN_COMPETITORS:
        notes.append(f"inner_limit, tangent_var_limit, radial_var_limit, heat_rate: the law of large numbers and CLT need "
                     f"n·F(1/β) ≥ {MIN_COMPETITORS:g} competing keys, here {_fmt(neff)}; read expected_inner, "
                     "expected_defect, expected_ipr (exact)")
        return out
    k, kappa = sph
    out["inner_limit"] = float(mean_resultant(k, kappa + beta))
    for key, fn in (("tangent_var_limit", tangent_variance_limit), ("radial_var_limit", radial_variance_limit)):
        v = fn(k, n, beta, kappa=kappa)
        if 0.0 <= v <= 1.0:
            out[key] = v
        else:
            notes.append(f"{key}: the CLT formula gives {_fmt(v)}, outside [0, 1]: not a variance of a unit "
                         "vector's component; read expected_inner (exact)")
    rate = 2.0 * k / beta if beta > 0 else math.inf  # ℓ(ℓ + d − 2) with ℓ = 2
    if rate <= MAX_HEAT_STEP and kappa == 0.0:
        out["heat_rate"] = rate
    else:
        why = ("the keys are not uniform" if kappa != 0.0 else
               f"the per-step rate 2d/β = {_fmt(rate)} exceeds {MAX_HEAT_STEP:g} (β ≥ {20 * k} needed)")
        notes.append(f"heat_rate: the backward-heat limit of one attention step does not hold here: {why}")
    return out


def _local_constant(law, notes):
    """c = e^{log c}, or None with a note where it overflows float64 (uniform keys past d ≈ 2049)."""
    log_c = float(law.log_local_constant)
    if log_c > math.log(1.7e308):
        notes.append(f"c: e^{log_c:.6g} exceeds float64; read log_c (β*_n is computed in logs)")
        return None
    return math.exp(log_c)


def predict(law, n, beta, sinks=()) -> dict:
    """All predictions of the theory for n keys of ``law`` at inverse temperature β (:ref:`theory-scales` to :ref:`theory-exact-identities`, :ref:`theory-effective-exponent`).

    With fixed keys (``sinks``, :ref:`theory-sinks`) the exact values that see them are sink-aware: ``beta_half``,
    ``regime``, ``expected_ipr`` and ``expected_max_weight`` (over all m + n weights), and
    ``expected_sink_weight`` (one per sink), ``expected_sink_weight_total`` and ``sinks`` are added before
    ``notes``; ``expected_inner`` and ``expected_defect`` are None (not computed with sinks), and
    the limits and effective-exponent values describe the i.i.d. keys alone (a note says so).

    Parameters
    ----------
    law : KeyLaw
        A law with an exact distance law and quantile and a known local exponent and constant (uniform,
        subsphere, vMF centred on the query).
    n : int
        Number of keys, ≥ 1.
    beta : float
        Inverse temperature β ≥ 0.
    sinks : sequence of float
        Scores of fixed keys in the units of ⟨q,K⟩ (logit β s_j; any finite real); empty: the i.i.d. model.

    Returns
    -------
    dict
        ``alpha, c`` (local exponent and constant), ``critical_beta`` β*_n, ``beta_half`` β_{1/2}(n) (None at
        n = 1), ``lam`` = β/β*_n, ``regime`` (from the exact E max w: < 0.05 sub, > 0.95 super),
        ``pre_asymptotic`` (n·F(1/β*_n) ∉ [0.5, 2]), ``n_effective`` n·F(1/β); exact at this n:
        ``expected_ipr, expected_max_weight, expected_inner`` E⟨q,O⟩, ``expected_defect`` E[β(1−⟨q,O⟩)]; the
        subcritical law of large numbers and CLT: ``inner_limit`` A(β), ``tangent_var_limit`` σ⊥²,
        ``radial_var_limit`` σ∥²; the Poisson–Kingman law at this λ: ``ipr_limit, max_weight_limit``; the
        effective exponent (:ref:`theory-effective-exponent`):
        ``alpha_eff`` α_n, ``critical_beta_eff`` 1/t_n, ``lam_eff`` β t_n, ``max_weight_eff`` and
        ``beta_half_eff`` (second order, with the curvature of log F at t_n); ``heat_rate`` the growth
        exponent ℓ(ℓ+d−2)/β per step of the degree-2 harmonic; ``notes``: why a value is None and what to
        read instead (the rules are in the module docstring).

    Examples
    --------
    >>> from attnlimits.laws import UniformSphere
    >>> p = predict(UniformSphere(3), 100, 50.0)  # d = 3: β*_n = n/2 (:ref:`theory-scales`)
    >>> round(p["critical_beta"], 9), p["regime"], round(p["expected_max_weight"], 6)
    (50.0, 'critical', 0.560344)
    """
    n = check_int("n", n, minimum=1)
    beta = check_real("beta", beta, lower=0.0)
    sinks = check_sinks(sinks)
    notes: list[str] = []
    alpha = float(law.local_exponent)
    bstar = critical_beta(law, n)
    lam = beta / bstar
    if sinks:
        from ._sinks import sink_beta_half, sink_values

        sv = sink_values(law, n, beta, sinks) if beta > 0 else None
        emax = sv["max_weight"] if sv else 1.0 / (n + len(sinks))
        bh, why = sink_beta_half(law, n, sinks)
        if why:
            notes.append(why)
    else:
        emax = expected_max_weight(law, n, beta)
        bh = beta_half(law, n)
    reg = "subcritical" if emax < REGIME_THRESHOLD else ("supercritical" if emax > 1 - REGIME_THRESHOLD else "critical")
    if not sinks and (bh is None or (isinstance(bh, float) and math.isnan(bh))):
        bh = None
        notes.append("beta_half: none at n = 1 (the max weight is 1 at every β)")
    neff = n_effective(law, n, beta)
    eff_part, eff = _effective_part(law, n, beta, notes)
    out = {
        "alpha": alpha,
        "c": _local_constant(law, notes),
        "log_c": float(law.log_local_constant),
        "critical_beta": bstar,
        "beta_half": bh,
        "lam": lam,
        "regime": reg,
        "pre_asymptotic": pre_asymptotic(law, n),
        "n_effective": neff,
        "expected_ipr": expected_ipr(law, n, beta),
        "expected_max_weight": emax,
        "expected_inner": expected_inner(law, n, beta),
        "expected_defect": expected_defect(law, n, beta),
    }
    out.update(_subcritical_part(law, n, beta, neff, notes))
    out.update(_limit_part(law, n, beta, lam, eff, notes))
    out.update(eff_part)
    extra = ()
    if sinks:
        m = len(sinks)
        out["expected_ipr"] = sv["ipr"] if sv else 1.0 / (n + m)
        out["expected_sink_weight"] = list(sv["sink_weight"]) if sv else [1.0 / (n + m)] * m
        out["expected_sink_weight_total"] = sv["sink_weight_total"] if sv else m / (n + m)
        out["sinks"] = list(sinks)
        out["expected_inner"] = out["expected_defect"] = None
        notes.append("expected_inner, expected_defect: not computed with sinks (theory: fixed keys (sinks) gives their weights, not "
                     "their directions)")
        notes.append("n_effective, the limits (*_limit) and the effective-exponent values (*_eff): the i.i.d. keys "
                     "alone, without the sinks")
        extra = ("sinks", "expected_sink_weight", "expected_sink_weight_total")
    out["notes"] = notes
    return {k: out[k] for k in (*PREDICT_KEYS[:-1], *extra, "notes")}
