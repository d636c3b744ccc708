"""Scales (:ref:`theory-scales`): the critical inverse temperature, the effective number of competitors, the exact
finite-n scale β_{1/2}(n), the regime and the pre-asymptotic flag."""

from __future__ import annotations

import math

import numpy as np

from .._validation import InputError, check_int, check_real, check_sinks
from ._exact import expected_max_weight, max_weight_direct
from ._roots import bracket_increasing

__all__ = ["critical_beta", "n_effective", "beta_half", "regime", "pre_asymptotic", "lam_of"]

#: E[max weight] below this: subcritical; above 1 − this: supercritical (docs theory-scales).
REGIME_THRESHOLD = 0.05


def critical_beta(law, n) -> float:
    """β*_n = (c·n)^{1/α} (:ref:`theory-scales`), computed in logs; uniform keys: (c_d n)^{2/(d−1)}.

    Parameters
    ----------
    law : KeyLaw
        A key law with a known local exponent α and constant c.
    n : int
        Number of keys, ≥ 1.

    Returns
    -------
    float
        The critical inverse temperature β*_n.

    Examples
    --------
    >>> from attnlimits.laws import UniformSphere
    >>> round(critical_beta(UniformSphere(3), 10**6), 6)  # c_3 = 1/2, α = 1
    500000.0
    """
    n = check_int("n", n, minimum=1)
    return law.critical_beta(n)


def lam_of(law, n, beta) -> float:
    """λ = β/β*_n, the inverse temperature in units of the critical scale (:ref:`theory-scales`).

    Parameters
    ----------
    law : KeyLaw
        A key law with a known local exponent α and constant c.
    n : int
        Number of keys, ≥ 1.
    beta : float
        Inverse temperature β ≥ 0.

    Returns
    -------
    float
        λ.

    Examples
    --------
    >>> from attnlimits.laws import UniformSphere
    >>> round(lam_of(UniformSphere(3), 100, 25.0), 12)  # d = 3: β*_n = n/2 (:ref:`theory-scales`)
    0.5
    """
    return check_real("beta", beta, lower=0.0) / critical_beta(law, n)


def n_effective(law, n, beta) -> float:
    """The effective number of competing keys n·F(1/β) with the exact distance CDF F (:ref:`theory-scales`).

    n at β = 0, ≈ λ^{−α} in the power-law range.

    Parameters
    ----------
    law : KeyLaw
        A law with an exact distance CDF (``has_distance_law``).
    n : int
        Number of keys, ≥ 1.
    beta : float
        Inverse temperature β ≥ 0.

    Returns
    -------
    float
        n·F(1/β).

    Examples
    --------
    >>> from attnlimits.laws import UniformSphere
    >>> round(n_effective(UniformSphere(3), 100, 50.0), 12)  # d = 3: F(t) = t/2 (:ref:`theory-scales`)
    1.0
    """
    n = check_int("n", n, minimum=1)
    beta = check_real("beta", beta, lower=0.0)
    if beta == 0.0:
        return float(n)
    return float(n * law.distance_cdf(1.0 / beta))


def regime(law, n, beta) -> str:
    """The regime: "subcritical" (exact E max w < 0.05), "supercritical" (> 0.95) or "critical" (:ref:`theory-scales`).

    Parameters
    ----------
    law : KeyLaw
        A law with an exact distance law and quantile (uniform, subsphere, vMF centred on the query).
    n : int
        Number of keys, ≥ 1.
    beta : float
        Inverse temperature β ≥ 0.

    Returns
    -------
    str
        "subcritical", "critical" or "supercritical".

    Examples
    --------
    >>> from attnlimits.laws import UniformSphere
    >>> regime(UniformSphere(3), 100, 50.0)  # λ = 1 (:ref:`theory-scales`)
    'critical'
    """
    m = expected_max_weight(law, n, beta)
    if m < REGIME_THRESHOLD:
        return "subcritical"
    if m > 1.0 - REGIME_THRESHOLD:
        return "supercritical"
    return "critical"


def pre_asymptotic(law, n) -> bool:
    """True when n·F(1/β*_n) lies outside [0.5, 2]: the power law F(t) ≈ c t^α does not yet hold there.

    At the critical scale λ then mis-states the regime (:ref:`theory-scales`; e.g. d = 64 at n = 1e6).

    Parameters
    ----------
    law : KeyLaw
        A law with an exact distance law and quantile (uniform, subsphere, vMF centred on the query).
    n : int
        Number of keys, ≥ 1.

    Returns
    -------
    bool
        Whether the setting is pre-asymptotic.

    Examples
    --------
    >>> from attnlimits.laws import UniformSphere
    >>> pre_asymptotic(UniformSphere(3), 100), pre_asymptotic(UniformSphere(64), 10**6)  # :ref:`theory-scales`
    (False, True)
    """
    neff = n_effective(law, n, critical_beta(law, n))
    return not (0.5 <= neff <= 2.0)


def beta_half(law, n, sinks=(), *, rtol: float = 1e-7) -> float | None:
    """β_{1/2}(n): the β at which the exact E[max weight] equals 1/2 (:ref:`theory-scales`), root-found in log β.

    With fixed keys (:ref:`theory-sinks`) it is the β where the exact E max w over the m + n weights is 1/2, bracketed
    in log β and found by Brent's method; None where two or more top sinks tie at a score ≥ 1 (the max
    weight is then at most 1/2 at every β) or where E max w does not cross 1/2.

    The search starts from the effective-exponent scale of :ref:`theory-effective-exponent`: with F(t_n) = 1/n and
    α_n = t_n f(t_n)/F(t_n), E max w crosses 1/2 near β = α_n/t_n (within a factor ~2 at every d ≤ 4096:
    the top gaps are t_n/α_n in D). Secant steps on logit E max w, which is close to linear in log β,
    converge in a few evaluations; a bracketing Brent search is the fallback.

    Parameters
    ----------
    law : KeyLaw
        A law with an exact distance law and quantile (uniform, subsphere, vMF centred on the query).
    n : int
        Number of keys, ≥ 1.
    sinks : sequence of float
        Scores of fixed keys in the units of ⟨q,K⟩ (:ref:`theory-sinks`); empty: the i.i.d. model.
    rtol : float
        Relative tolerance of the root in β.

    Returns
    -------
    float or None
        None for n = 1 without sinks (the single weight is 1 at every β: no β_{1/2} exists); 0 for
        n + m = 2 (E max w = 1/2 at β = 0 and grows with β); None with tied top sinks (see above).

    Examples
    --------
    >>> from attnlimits.laws import UniformSphere
    >>> round(beta_half(UniformSphere(3), 100), 4)  # :ref:`theory-scales`: exact E max w = 1/2 at n = 100
    40.0904
    """
    n = check_int("n", n, minimum=1)
    sinks = check_sinks(sinks)
    if sinks:
        from ._counts import check_exact_setting
        from ._sinks import sink_beta_half

        check_exact_setting(law, n, 0.0)
        return sink_beta_half(law, n, sinks, rtol=rtol)[0]
    if n == 1:
        return None
    if n == 2:
        return 0.0  # E max w = 1/2 at β = 0 and grows with β
    t_n = float(np.asarray(law.distance_ppf_log(np.array([-math.log(n)]), np.array([math.log1p(-1.0 / n)]))).ravel()[0])
    log_tn = math.log(t_n)
    log_alpha = log_tn + float(np.asarray(law.distance_logpdf(np.array([t_n]))).ravel()[0]) + math.log(n)
    alpha_n = math.exp(log_alpha)
    # β t_n/α_n at the crossing: ≈ 0.8 at α = 1 (d = 3), → 1.5 as α_n → ∞ (the Poisson–Dirichlet limit)
    guess = log_alpha - log_tn + math.log(1.5 / (1.0 + 0.85 / alpha_n))
    f = lambda lb: _logit(max_weight_direct(law, n, math.exp(lb)))  # noqa: E731  (logit: ~linear in log β)
    x0, x1 = guess, guess + 0.05
    f0, f1 = f(x0), f(x1)
    for _ in range(20):
        if f1 == f0 or not (math.isfinite(f0) and math.isfinite(f1)):
            break
        x2 = x1 - f1 * (x1 - x0) / (f1 - f0)
        x2 = min(max(x2, x1 - 3.0), x1 + 3.0)
        x0, f0 = x1, f1
        x1, f1 = x2, f(x2)
        if abs(x1 - x0) < rtol or abs(f1) < 0.1 * rtol:  # |Δ log β| ≈ |logit|/slope, slope ≳ 0.5
            return math.exp(x1)
    found = bracket_increasing(f, guess - 1.0, guess + 1.0)
    if found is None:
        raise InputError(f"invalid n={n}: could not bracket β_1/2 (E max w does not cross 1/2)")
    from scipy import optimize  # only on the fallback: the import costs ~0.3 s

    return math.exp(optimize.brentq(f, found[0], found[1], xtol=rtol, rtol=1e-12))


def _logit(m: float) -> float:
    m = min(max(m, 1e-300), 1.0 - 1e-16)
    return math.log(m) - math.log1p(-m)
