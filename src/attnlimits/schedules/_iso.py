"""The selectivity-preserving schedule: the β at which a head keeps, at n keys, the expected max weight it had
at its training length T (:ref:`theory-effective-exponent`, :ref:`theory-exact-identities`).

Exact: β_iso(n) solves E[max w](n, β) = E[max w](T, β_train) with the exact finite-n E[max weight] (:ref:`theory-exact-identities`).
E[max w] increases with β from 1/n (β = 0) to 1, so the root exists when the target exceeds 1/n.

Closed form (effective exponent, :ref:`theory-effective-exponent`): the nearest rescaled distances at n are βD_(k) ≈ λ̃ Γ_k^{1/α_n}
with λ̃ = β t_n, so E[max w] ≈ E W_1 of PK(α_n, λ̃). Holding λ̃ fixed gives the first-order rule
β_iso ≈ β_train·t_T/t_n (exact when α_n = α_T). Correcting for the change of α_n: choose λ̃_n with
E W_1[PK(α_n, λ̃_n)] = E W_1[PK(α_T, λ̃_T)], λ̃_T = β_train t_T, and set β_iso_eff = λ̃_n/t_n.
"""

from __future__ import annotations

import math

from .._validation import InputError, check_int, check_real

__all__ = ["beta_iso", "beta_iso_first_order", "beta_iso_eff"]


def _logit(m: float) -> float:
    m = min(max(m, 1e-300), 1.0 - 1e-16)
    return math.log(m) - math.log1p(-m)


def _solve_log_beta(f, guess: float, what: str) -> float:
    """Root of the increasing function f(log β), from a guess: secant, then a bracket and Brent.

    The secant's root is accepted where |f| < 1e−7 there. Where the last two values it evaluated bound |f| at
    the root below that (|f| + 2·slope·distance, f nearly linear there), f is not evaluated again (each value is
    a whole quadrature); otherwise it is evaluated at the root."""
    seen = []

    def g(y):
        seen.append((y, f(y)))
        return seen[-1][1]

    def small_at(root):
        (y0, f0), (y1, f1) = seen[-2:]
        slope = abs((f1 - f0) / (y1 - y0)) if y1 != y0 else math.inf
        return abs(f1) + 2.0 * slope * abs(root - y1) < 1e-7

    try:
        root, converged = _secant(g, guess, guess + 0.05, xtol=1e-9, maxiter=30)
        if converged and math.isfinite(root) and (small_at(root) or abs(f(root)) < 1e-7):
            return math.exp(root)
    except (ArithmeticError, ValueError):
        pass
    lo, hi = guess - 0.5, guess + 0.5
    for _ in range(60):
        if f(lo) < 0:
            break
        lo -= 1.0
    for _ in range(60):
        if f(hi) > 0:
            break
        hi += 1.0
    if not (f(lo) < 0 < f(hi)):
        raise InputError(f"invalid input: could not bracket {what}")
    from scipy import optimize  # only on the fallback: the import alone costs ~0.3–0.4 s

    return math.exp(optimize.brentq(f, lo, hi, xtol=1e-10, rtol=1e-12))


def _secant(g, x0: float, x1: float, xtol: float, maxiter: int) -> tuple[float, bool]:
    """(root, converged) of ``scipy.optimize.root_scalar(g, x0=x0, x1=x1, method="secant", xtol=xtol,
    maxiter=maxiter)``: the same points in the same order and the same arithmetic (SciPy 1.17's ``newton``
    without a derivative, rtol 0), so the same root to the last bit, without importing scipy.optimize (~0.4 s
    of a CLI call). Not converged where two values coincide or after ``maxiter`` steps, as there."""
    p0, p1 = float(x0), float(x1)
    if p1 == p0:
        raise ValueError("x1 and x0 must be different")
    q0, q1 = g(p0), g(p1)
    if abs(q1) < abs(q0):
        p0, p1, q0, q1 = p1, p0, q1, q0
    p = p1
    for _ in range(maxiter):
        if q1 == q0:
            return (p1 + p0) / 2.0, False
        if abs(q1) > abs(q0):
            p = (-q0 / q1 * p1 + p0) / (1 - q0 / q1)
        else:
            p = (-q1 / q0 * p0 + p1) / (1 - q1 / q0)
        if abs(p - p1) <= xtol:  # numpy.isclose(p, p1, rtol=0, atol=xtol) for finite p, p1
            return p, True
        p0, q0 = p1, q1
        p1 = p
        q1 = g(p1)
    return p, False


def beta_iso_first_order(law, n, n_train, beta_train) -> float:
    """The first-order iso-selectivity schedule β_train·t_T/t_n: λ̃ = β t_n held fixed (:ref:`theory-effective-exponent`).

    Parameters
    ----------
    law : KeyLaw
        A law with a smooth distance CDF (uniform, or an estimated law).
    n, n_train : int
        Context length and training length T.
    beta_train : float
        β of the head at T.

    Returns
    -------
    float
        β_train·t_T/t_n, with t_n the 1/n quantile of the exact distance CDF.
    """
    from ..theory import effective_exponent

    return float(beta_train) * effective_exponent(law, n_train).t_n / effective_exponent(law, n).t_n


def beta_iso_eff(law, n, n_train, beta_train) -> float:
    """The closed form corrected for α_n: λ̃_n/t_n with E W_1[PK(α_n, λ̃_n)] = E W_1[PK(α_T, β_train t_T)]
    (:ref:`theory-effective-exponent`, :ref:`theory-limit-laws`).

    Parameters
    ----------
    law : KeyLaw
        A law with a smooth distance CDF (uniform, or an estimated law).
    n, n_train : int
        Context length and training length T.
    beta_train : float
        β of the head at T.

    Returns
    -------
    float
        β_iso_eff(n); equals :func:`beta_iso_first_order` when α_n = α_T.
    """
    from ..theory import PoissonKingman, effective_exponent
    from ..theory._critical import max_weight_limit_only

    n, n_train = check_int("n", n, minimum=2), check_int("n-train", n_train, minimum=2)
    beta_train = check_real("beta-train", beta_train, lower=0.0, lower_open=True)
    e_t, e_n = effective_exponent(law, n_train), effective_exponent(law, n)

    def w1(alpha, lam):  # PoissonKingman(α, λ).max_weight_limit() without the moments (same value, same checks)
        pk = PoissonKingman(alpha, lam)
        return max_weight_limit_only(pk.alpha, pk.lam)

    target = _logit(w1(e_t.alpha_eff, beta_train * e_t.t_n))
    if abs(e_n.alpha_eff - e_t.alpha_eff) <= 1e-12 * e_t.alpha_eff:
        return beta_train * e_t.t_n / e_n.t_n
    f = lambda y: _logit(w1(e_n.alpha_eff, math.exp(y))) - target  # noqa: E731
    return _solve_log_beta(f, math.log(beta_train * e_t.t_n), "β_iso_eff") / e_n.t_n


def beta_iso(law, n, n_train, beta_train, *, guess: float | None = None) -> float:
    """The exact iso-selectivity β: E[max w](law, n, β_iso) = E[max w](law, T, β_train) (:ref:`theory-exact-identities`).

    Parameters
    ----------
    law : KeyLaw
        Key law with an exact distance CDF.
    n, n_train : int
        Context length and training length T.
    beta_train : float
        β of the head at T.
    guess : float, optional
        Starting β for the root search (default the first-order closed form).

    Returns
    -------
    float
        β_iso(n); NaN when the target E[max w] at T is at most 1/n (no β reaches it: max w ≥ 1/n).
    """
    from ..theory import expected_max_weight
    from ..theory._exact import max_weight_direct

    n, n_train = check_int("n", n, minimum=2), check_int("n-train", n_train, minimum=2)
    beta_train = check_real("beta-train", beta_train, lower=0.0, lower_open=True)
    if n == n_train:
        return beta_train
    m_t = float(expected_max_weight(law, n_train, beta_train))
    if m_t <= 1.0 / n:
        return math.nan
    target = _logit(m_t)
    g = beta_iso_first_order(law, n, n_train, beta_train) if guess is None else guess
    # the search needs E max w alone: its direct integral (expected_max_weight's value to rounding, ~40 % cheaper)
    f = lambda y: _logit(max_weight_direct(law, n, math.exp(y))) - target  # noqa: E731
    return _solve_log_beta(f, math.log(g), "β_iso")
