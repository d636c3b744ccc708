"""Unknown endpoint: peaks over a threshold, a generalized Pareto fit of the shape ξ and the tail class
(:ref:`theory-extreme-value`).

The exceedances Y = S − u of the scores over a high threshold u are fitted by
``scipy.stats.genpareto`` (location 0), P(S > u + y | S > u) = (1 + ξy/σ)^{−1/ξ}. A nonparametric
bootstrap of the exceedances gives a 95% percentile interval for ξ; the class is ``weibull`` when the
interval lies below 0 (bounded scores, α = −1/ξ), ``frechet`` above 0 (heavy tail) and ``gumbel`` when it
holds 0.

At finite n the class is an *effective* one: Gaussian scores give ξ̂ ≈ −0.05 at n = 1e6 (the Gumbel limit
is approached only logarithmically), and uniform keys in d = 64 have ξ = −1/α ≈ −0.03 — the two are
indistinguishable at any practical n, which is the pre-asymptotic point of :ref:`theory-scales`.

The critical scale is the inverse extreme-value scale at level n: with p_u = P(S > u), the largest of n
scores satisfies (max − b_n)/a_n → GEV(ξ) with a_n = σ·(n p_u)^ξ, and β*_n = 1/a_n (:ref:`theory-extreme-value`: β*_n ≍ 1/a_n;
grows like a power of n for ξ < 0, is constant for ξ = 0 — √log n only through the slow drift of the
effective ξ̂ of Gaussian scores — and falls for ξ > 0). In the Weibull class 1/a_n = α·(c n)^{1/α}
with c = p_u (ασ)^{−α}: the same rate as the known-endpoint β*_n, a constant factor α apart.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from .._rng import as_seed_sequence, generator
from .._validation import InputError, check_int

__all__ = ["PeaksOverThreshold", "fit_peaks_over_threshold", "tail_class"]


@dataclass
class PeaksOverThreshold:
    """A generalized Pareto fit above a threshold, with bootstrap replicates (:ref:`theory-extreme-value`).

    Parameters
    ----------
    xi, xi_ci : float, (float, float)
        Shape ξ̂ and its 95% bootstrap percentile interval.
    sigma : float
        Scale σ̂ at the threshold.
    threshold : float
        u, the (m − k)-th order statistic of the scores.
    k, m : int
        Exceedances used, sample size.
    tail_class : str
        ``weibull`` (interval below 0), ``gumbel`` (holds 0) or ``frechet`` (above 0) — effective at finite n.
    alpha, alpha_ci : float or None
        α = −1/ξ and its interval in the Weibull class, else None.
    c : float or None
        c = p_u (ασ)^{−α} in the Weibull class (F of the distance to the fitted endpoint ~ c·t^α), else None.
    endpoint : float or None
        u + σ/(−ξ) in the Weibull class, else None.
    boot_xi, boot_sigma : numpy.ndarray
        The bootstrap replicates of ξ̂ and σ̂.
    """

    xi: float
    xi_ci: tuple
    sigma: float
    threshold: float
    k: int
    m: int
    tail_class: str
    alpha: float | None
    alpha_ci: tuple | None
    c: float | None
    endpoint: float | None
    boot_xi: np.ndarray
    boot_sigma: np.ndarray

    def beta_star(self, n, level: float = 0.95):
        """β*_n = 1/a_n = (n p_u)^{−ξ}/σ with a bootstrap percentile interval (value, lo, hi)."""
        n = np.atleast_1d(np.asarray(n, dtype=float))
        p = self.k / self.m
        value = (n * p) ** (-self.xi) / self.sigma
        boot = (n[None, :] * p) ** (-self.boot_xi[:, None]) / self.boot_sigma[:, None]
        lo = np.quantile(boot, 0.5 - level / 2.0, axis=0)
        hi = np.quantile(boot, 0.5 + level / 2.0, axis=0)
        return value, lo, hi


def tail_class(xi_lo: float, xi_hi: float) -> str:
    """The extreme-value class an interval for ξ points to (effective at finite n, :ref:`theory-extreme-value`).

    Parameters
    ----------
    xi_lo, xi_hi : float
        The ends of the interval for the generalized Pareto shape ξ.

    Returns
    -------
    str
        ``weibull`` if the interval lies below 0, ``frechet`` above 0, ``gumbel`` if it holds 0.

    Examples
    --------
    >>> tail_class(-0.2, -0.05), tail_class(-0.1, 0.1), tail_class(0.2, 0.4)
    ('weibull', 'gumbel', 'frechet')
    """
    if xi_hi < 0:
        return "weibull"
    if xi_lo > 0:
        return "frechet"
    return "gumbel"


def _fit(y: np.ndarray):
    xi, _, sigma = stats.genpareto.fit(y, floc=0.0)
    return float(xi), float(sigma)


def fit_peaks_over_threshold(scores, *, k: int | None = None, bootstrap: int = 200, seed=0,
                             level: float = 0.95) -> PeaksOverThreshold:
    """Fit a generalized Pareto law to the k largest scores (:ref:`theory-extreme-value`).

    Parameters
    ----------
    scores : array_like, shape (m,)
        Raw scores of one query (or any sample whose upper tail is of interest).
    k : int, optional
        Exceedances; default min(1000, max(50, m // 100)).
    bootstrap : int
        Bootstrap replicates for the interval (default 200).
    seed : int or SeedSequence
        Seed of the bootstrap.
    level : float
        Level of the bootstrap percentile interval for ξ (default 0.95).

    Returns
    -------
    PeaksOverThreshold
        ξ̂, σ̂ above the threshold u = s_(m−k), the interval and class; in the Weibull class also α = −1/ξ,
        c = p_u (ασ)^{−α} and the endpoint u + ασ.
    """
    s = np.asarray(scores, dtype=float).reshape(-1)
    if s.size == 0 or not np.all(np.isfinite(s)):
        raise InputError(f"invalid scores: {int(np.sum(~np.isfinite(s)))} of {s.size} are NaN or inf; expected finite values")
    m = s.size
    if m < 200:
        raise InputError(f"invalid number of scores {m}: expected at least 200 for a peaks-over-threshold fit")
    k = min(1000, max(50, m // 100)) if k is None else check_int("k", k, minimum=20, maximum=m // 2)
    bootstrap = check_int("bootstrap", bootstrap, minimum=20)
    s = np.sort(s)
    u = s[m - k - 1]
    y = s[m - k:] - u
    if np.ptp(y) == 0:
        raise InputError("invalid scores: the top scores are all equal; expected a continuous upper tail")
    xi, sigma = _fit(y)
    rng = generator(as_seed_sequence(seed), 0)
    boot = np.array([_fit(y[rng.integers(0, k, k)]) for _ in range(bootstrap)])
    lo, hi = (float(v) for v in np.quantile(boot[:, 0], [0.5 - level / 2.0, 0.5 + level / 2.0]))
    cls = tail_class(lo, hi)
    alpha = alpha_ci = c = endpoint = None
    if cls == "weibull" and xi < 0:
        alpha = -1.0 / xi
        alpha_ci = (-1.0 / lo, -1.0 / hi)
        c = float(np.exp(np.log(k / m) - alpha * np.log(alpha * sigma)))
        endpoint = float(u + sigma * alpha)
    return PeaksOverThreshold(xi=xi, xi_ci=(lo, hi), sigma=sigma, threshold=float(u), k=int(k), m=int(m),
                              tail_class=cls, alpha=alpha, alpha_ci=alpha_ci, c=c, endpoint=endpoint,
                              boot_xi=boot[:, 0], boot_sigma=boot[:, 1])
