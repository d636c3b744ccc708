"""``predict``: every prediction of the theory for one setting (law, n, β), as one flat dict (SPEC §2–§4)."""

from __future__ import annotations

import math

from .._validation import check_int, check_real
from ._critical import PoissonKingman
from ._exact import expected_defect, expected_inner, expected_ipr, expected_max_weight
from ._scales import REGIME_THRESHOLD, beta_half, critical_beta, n_effective, pre_asymptotic
from ._special import mean_resultant
from ._subcritical import radial_variance, tangent_variance

__all__ = ["predict", "PREDICT_KEYS"]

#: The keys of :func:`predict` (and of ``attnlimits theory --json``), in order.
PREDICT_KEYS = ("alpha", "c", "critical_beta", "beta_half", "lam", "regime", "pre_asymptotic", "n_effective",
                "expected_ipr", "expected_max_weight", "expected_inner", "expected_defect", "lln_inner",
                "tangent_var", "radial_var", "limit_ipr", "limit_max_weight")


def _sphere(law):
    """(dimension of the sphere the keys live on, κ) for the laws with Bessel formulas, else None."""
    kind = type(law).__name__
    if kind == "UniformSphere":
        return law.d, 0.0
    if kind == "Subsphere":
        return law._k, 0.0
    if kind == "VonMisesFisher" and law.angle == 0.0:
        return law.d, law.kappa
    return None


def predict(law, n, beta) -> dict:
    """All predictions for n keys of ``law`` at inverse temperature β.

    Returns
    -------
    dict
        ``alpha, c`` (local exponent and constant), ``critical_beta`` β*_n, ``beta_half`` β_{1/2}(n),
        ``lam`` = β/β*_n, ``regime`` (from the exact E max w: < 0.05 sub, > 0.95 super), ``pre_asymptotic``
        (n·F(1/β*_n) ∉ [0.5, 2]), ``n_effective`` n·F(1/β); exact at this n: ``expected_ipr,
        expected_max_weight, expected_inner`` E⟨q,O⟩, ``expected_defect`` E[β(1−⟨q,O⟩)]; the subcritical
        law of large numbers and CLT: ``lln_inner`` A(β), ``tangent_var`` σ⊥², ``radial_var`` σ∥²; and the
        Poisson–Kingman law at this λ: ``limit_ipr, limit_max_weight``.
    """
    n = check_int("n", n, minimum=1)
    beta = check_real("beta", beta, lower=0.0)
    alpha = float(law.local_exponent)
    bstar = critical_beta(law, n)
    lam = beta / bstar
    emax = expected_max_weight(law, n, beta)
    reg = "subcritical" if emax < REGIME_THRESHOLD else ("supercritical" if emax > 1 - REGIME_THRESHOLD else "critical")
    sph = _sphere(law)
    if sph is not None:
        k, kappa = sph
        lln = float(mean_resultant(k, kappa + beta))
        tvar = tangent_variance(k, n, beta, kappa=kappa)
        rvar = radial_variance(k, n, beta, kappa=kappa)
    else:
        lln = tvar = rvar = None
    if lam > 0:
        pk = PoissonKingman(alpha, lam)
        lipr, lmax = pk.expected_ipr(), pk.expected_max_weight()
    else:
        lipr = lmax = 0.0
    return {
        "alpha": alpha,
        "c": math.exp(law.log_local_constant),
        "critical_beta": bstar,
        "beta_half": beta_half(law, n),
        "lam": lam,
        "regime": reg,
        "pre_asymptotic": pre_asymptotic(law, n),
        "n_effective": n_effective(law, n, beta),
        "expected_ipr": expected_ipr(law, n, beta),
        "expected_max_weight": emax,
        "expected_inner": expected_inner(law, n, beta),
        "expected_defect": expected_defect(law, n, beta),
        "lln_inner": lln,
        "tangent_var": tvar,
        "radial_var": rvar,
        "limit_ipr": lipr,
        "limit_max_weight": lmax,
    }
