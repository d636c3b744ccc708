"""How well each forecast kind did over heads, per target bin: the median absolute error, the coverage of the
intervals with their median width, Spearman's rank correlation with the measured values, and the share of
heads on which the kind beats persistence with a one-sided sign test (scipy.stats.binomtest)."""

from __future__ import annotations

import math

import numpy as np

__all__ = ["kind_metrics"]


def _num(x) -> float | None:
    return None if x is None or not np.isfinite(x) else float(x)


def kind_metrics(forecast, measured, persistence, lo=None, hi=None) -> dict:
    """Metrics of one forecast kind in one target bin over heads.

    Parameters
    ----------
    forecast, measured, persistence : array_like (H,)
        Per head: the forecast, the measured mean, and the persistence forecast.
    lo, hi : array_like (H,), optional
        The interval of each forecast (None: no interval).

    Returns
    -------
    dict
        ``heads`` (with a finite forecast), ``median_abs_error``, ``coverage`` and ``median_width`` (None
        without intervals), ``spearman`` with ``spearman_p``, ``beats_persistence`` (share of heads with a
        strictly smaller ``|error|`` than persistence, ties counted as losses) with ``sign_test_p`` (one-sided
        binomial test of that share against 1/2 over the heads without an exact tie), ``wins``, ``ties``.

    Examples
    --------
    >>> m = kind_metrics([0.1, 0.2, 0.3], [0.1, 0.2, 0.35], [0.0, 0.0, 0.0])
    >>> m["median_abs_error"], m["beats_persistence"], m["wins"]
    (0.0, 1.0, 3)
    """
    from scipy import stats

    f, y, p = (np.asarray(v, dtype=float) for v in (forecast, measured, persistence))
    ok = np.isfinite(f) & np.isfinite(y)
    f, y, p = f[ok], y[ok], p[ok]
    out = {"heads": int(ok.sum()), "median_abs_error": None, "coverage": None, "median_width": None,
           "spearman": None, "spearman_p": None, "beats_persistence": None, "sign_test_p": None, "wins": None,
           "ties": None}
    if f.size == 0:
        return out
    err, perr = np.abs(f - y), np.abs(p - y)
    out["median_abs_error"] = float(np.median(err))
    if lo is not None and hi is not None:
        a, b = np.asarray(lo, dtype=float)[ok], np.asarray(hi, dtype=float)[ok]
        out["coverage"] = float(np.mean((y >= a) & (y <= b)))
        out["median_width"] = float(np.median(b - a))
    if f.size >= 3 and np.ptp(f) > 0 and np.ptp(y) > 0:
        rho = stats.spearmanr(f, y)
        out["spearman"], out["spearman_p"] = _num(rho.statistic), _num(rho.pvalue)
    wins, ties = int(np.sum(err < perr)), int(np.sum(err == perr))
    out["wins"], out["ties"] = wins, ties
    out["beats_persistence"] = wins / f.size
    if f.size - ties > 0:
        out["sign_test_p"] = float(stats.binomtest(wins, f.size - ties, 0.5, alternative="greater").pvalue)
    return out


def normal_quantile(level: float) -> float:
    """The two-sided normal quantile z of ``level`` (1.96 at 0.95)."""
    from scipy import stats

    return float(stats.norm.ppf(0.5 + level / 2.0))


def combined_interval(value: float, boot_sd: float, measured_se: float, level: float) -> list:
    """[value ∓ z·√(boot_sd² + measured_se²)]: the forecast's bootstrap spread combined with the measured
    mean's block SE (NaN parts count as 0; NaN value gives [NaN, NaN])."""
    s = math.sqrt(sum(v * v for v in (boot_sd, measured_se) if v == v))
    z = normal_quantile(level)
    return [value - z * s, value + z * s]
