"""The symmetric Beta(α, α) law of D/2 for uniform keys, to full relative precision in the far tail.

The order-statistics sampler pushes uniform order statistics as small as 1e−18 (and their logarithms far
below) through F^{-1}. ``scipy.special.betaincinv`` loses digits there (1e−14 relative at α = 31.5) and
returns 0 or NaN near p = 1e−300, so the inverse is computed here by Newton steps on log F in log x.
``betainc`` itself stays relatively accurate while its value is a normal float; below 1e−290 log F is
summed from the all-positive series (DLMF 8.17.8 in its hypergeometric form)

    I_x(α, α) = x^α (1−x)^α / (α B(α, α)) · Σ_k (2α)_k / (α+1)_k x^k,

whose term ratio is below 2x ≤ 1/2.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from scipy import special

__all__ = ["symmetric_beta_logcdf", "symmetric_beta_ppf_log"]

#: Below this x the series is used (term ratio ≤ 2x).
_SERIES_MAX_X = 0.25
#: Terms of the series: (1/2)^60 < 1e−18.
_SERIES_TERMS = 60


def _log_series_cdf(x: np.ndarray, a: float) -> np.ndarray:
    """log I_x(a, a) from the positive series, for 0 < x ≤ 1/4."""
    total = np.ones_like(x)
    term = np.ones_like(x)
    for k in range(_SERIES_TERMS):
        term = term * ((2.0 * a + k) / (a + 1.0 + k)) * x
        total += term
        if k > 8 and np.all(term < 1e-18 * total):
            break
    return a * (np.log(x) + np.log1p(-x)) - np.log(a) - special.betaln(a, a) + np.log(total)


def symmetric_beta_logcdf(x, a: float) -> np.ndarray:
    """log I_x(a, a) for 0 < x ≤ 1/2 with full relative precision (x may be as small as float64 allows).

    ``betainc`` is relatively accurate wherever its result is a normal float (checked against mpmath in
    the tests); below 1e−290 the positive series is summed in logs.
    """
    x = np.asarray(x, dtype=float)
    with np.errstate(divide="ignore", under="ignore"):
        direct = special.betainc(a, a, x)
        out = np.log(direct)
    small = (x > 0) & (direct < 1e-290)
    if np.any(small):
        out[small] = _log_series_cdf(x[small], a)
    return out


def symmetric_beta_ppf_log(log_p, a: float, *, max_steps: int = 40) -> np.ndarray:
    """x with I_x(a, a) = p, from log p ≤ log(1/2) (the lower half; use the symmetry for the upper one).

    Newton steps on g(y) = log I_{e^y}(a, a) − log p in y = log x, g'(y) = x f(x)/F(x), from an
    interpolated table (the leading term x^a/(a B(a, a)) = p below x = 1e−8), until the step is below
    1e−15. Relative accuracy ~1e−15·max(1, |log p|/a) (the conditioning of x in log p) down to p = 1e−300
    and below, as long as x itself is a normal float64.
    """
    log_p = np.asarray(log_p, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore", under="ignore"):
        return _ppf_log(log_p, a, max_steps)


@lru_cache(maxsize=64)
def _start_table(a: float):
    """(log p, log x) on a grid, solved once per α; interpolating it starts Newton within ~1e−5."""
    log_x = np.linspace(np.log(1e-8), np.log(0.5), 1024)
    return symmetric_beta_logcdf(np.exp(log_x), a), log_x


def _ppf_log(log_p, a, max_steps):
    log_b = special.betaln(a, a)
    cap = np.log(0.5)
    y = np.minimum((log_p + np.log(a) + log_b) / a, cap)
    grid_p, grid_y = _start_table(float(a))
    inside = log_p >= grid_p[0]
    y[inside] = np.interp(log_p[inside], grid_p, grid_y)
    active = np.flatnonzero(np.isfinite(y))
    for _ in range(max_steps):
        if active.size == 0:
            break
        ya = y[active]
        x = np.exp(ya)
        log_f = symmetric_beta_logcdf(x, a)
        # log of x f(x) / F(x): f(x) = x^{a-1}(1-x)^{a-1}/B.
        log_slope = a * ya + (a - 1.0) * np.log1p(-x) - log_b - log_f
        step = (log_f - log_p[active]) * np.exp(-log_slope)
        ok = np.isfinite(step)
        y[active] = np.where(ok, np.minimum(ya - np.where(ok, step, 0.0), cap), ya)
        active = active[ok & (np.abs(step) > 1e-15 * np.maximum(1.0, np.abs(ya)))]
    return np.exp(y)
