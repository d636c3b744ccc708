"""Known endpoint: the local exponent α and constant c of F(t) = P(D ≤ t) ~ c·t^α from the smallest
distances (:ref:`theory-scales`, :ref:`theory-extreme-value`).

Given the k smallest of m distances and the threshold t = D_(k+1), the k smaller ones are i.i.d. given t
with the law of D conditioned on D ≤ t. The plain Hill estimator α̂ = k/Σ log(t/D_(i)) assumes an exact power
law on [0, t], and is biased as soon as t is not small: the sphere's density is ∝ t^{α−1}(1 − t/2)^{α−1},
a vMF's carries an extra e^{−κt}. So the fit is second order: with u = D/t ∈ (0, 1] the conditional density
is modelled as u^{α−1} e^{zu} / B(α, z), B = ₁F₁(α; α+1; z)/α, z ≤ MAX_CURVATURE = 1, which holds to first
order in t for the laws whose log density is smooth in t (sphere, subsphere, vMF at its mean: z ≈ −(α−1)t/2 − κt,
positive for α < 1 where the density rises away from the query); at z = 0 it is the Hill estimator. Mass
piling up away from the query (clustered real keys) would drive z far above 1 and the extrapolated α̂
towards 0; there the fit stays on the bound. Maximum likelihood gives (α̂, ẑ), the
observed information their covariance (Wald 95% interval for α), and
F(x) ≈ (k/m)(x/t)^α / ₁F₁(α; α+1; z) near 0, i.e. ĉ = (k/m)·t^{−α̂}/₁F₁(α̂; α̂+1; ẑ).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import special, stats

from .._validation import InputError, check_int

__all__ = ["LocalPowerFit", "fit_local_power", "hill_alpha", "distances_to_query", "local_mle"]


#: Largest curvature z of the second-order model. The smooth laws' own is z ≈ −(α−1)t/2 − κt, at most
#: t/2 ≤ 1 above 0 (α < 1); real keys that pile up away from the query would push z far beyond, where
#: the model extrapolates a spurious exponent near 0 — there the fit stays on z = MAX_CURVATURE.
MAX_CURVATURE = 1.0
#: Tolerance of the threshold-stability check, in standard errors of the difference of nested estimates.
STABILITY_Z = 2.0
#: The largest k tried is min(m/TOP_FRACTION, TOP_SQRT·√m): beyond a few percent of the sample F is far from
#: its local law, and the residual (third-order) bias of α̂ relative to its standard error grows like
#: t²√k with t ≈ (k/m)^{1/α} — for α = 4 like k/√m. Capping k at 16√m keeps it below ~0.15 SE for α ≤ 4
#: (measured: uniform keys, d = 9, m = 1e6; tests/tails/test_tail_coverage*.py), so the Wald interval covers
#: at its nominal rate: the threshold is chosen so that the bias is negligible, not added to the interval.
TOP_FRACTION = 16
TOP_SQRT = 16.0


@dataclass
class LocalPowerFit:
    """α̂, ĉ of F(t) ~ c·t^α near D = 0, with the number of order statistics used and a stability record
    (:ref:`theory-extreme-value`; made by :func:`fit_local_power`).

    Parameters
    ----------
    alpha, alpha_ci : float, (float, float)
        Estimated local exponent and its 95% interval.
    alpha_se : float
        Its standard error.
    z : float
        Fitted curvature of the log density across [0, t] (0 for an exact power law).
    c, log_c : float
        Estimated local constant and its log.
    k, m, threshold : int, int, float
        Order statistics used, sample size, threshold t = D_(k+1).
    stable : bool
        True when α̂ at k/4 agrees with α̂ at k (threshold-stability check passed at the chosen k).
    cov : numpy.ndarray, shape (2, 2)
        Covariance of (α̂, ẑ): the inverse observed information.
    path : list of (k, α̂, lo, hi, stable)
        The threshold-stability record over a geometric grid of k.
    """

    alpha: float
    alpha_ci: tuple
    alpha_se: float
    z: float
    c: float
    log_c: float
    k: int
    m: int
    threshold: float
    stable: bool
    cov: np.ndarray = field(default=None, repr=False)
    path: list = field(default_factory=list)

    def log_beta_star(self, n, alpha=None, z=None, log_km=None):
        """log β*_n = (log ĉ + log n)/α̂ (:ref:`theory-scales`)."""
        a = self.alpha if alpha is None else alpha
        zz = self.z if z is None else z
        lkm = np.log(self.k / self.m) if log_km is None else log_km
        log_c = lkm - a * np.log(self.threshold) - _log_hyp(a, zz)
        return (log_c + np.log(np.asarray(n, dtype=float))) / a

    def beta_star(self, n, level: float = 0.95):
        """β*_n = (ĉ n)^{1/α̂} with an interval (value, lo, hi), symmetric in log β*_n.

        Delta method: the gradient of log β*_n in (α, z) against the MLE covariance, plus the Poisson
        variance 1/k of log(k/m) (the count below the threshold).
        """
        n = np.asarray(n, dtype=float)
        zq = stats.norm.ppf(0.5 + level / 2.0)
        value = self.log_beta_star(n)
        ha, hz = 1e-5 * max(1.0, self.alpha), 1e-5 * max(1.0, abs(self.z))
        ga = (self.log_beta_star(n, alpha=self.alpha + ha) - self.log_beta_star(n, alpha=self.alpha - ha)) / (2 * ha)
        gz = (self.log_beta_star(n, z=self.z + hz) - self.log_beta_star(n, z=self.z - hz)) / (2 * hz)
        var = ga * ga * self.cov[0, 0] + 2 * ga * gz * self.cov[0, 1] + gz * gz * self.cov[1, 1] + 1.0 / (self.alpha**2 * self.k)
        se = np.sqrt(var)
        return np.exp(value), np.exp(value - zq * se), np.exp(value + zq * se)

    def tail_cdf(self, x):
        """The fitted F(x) = (k/m)·(x/t)^α ₁F₁(α; α+1; z x/t)/₁F₁(α; α+1; z) for 0 ≤ x ≤ t."""
        u = np.clip(np.asarray(x, dtype=float) / self.threshold, 0.0, 1.0)
        with np.errstate(divide="ignore"):
            log_u = np.log(u)
        return (self.k / self.m) * np.exp(self.alpha * log_u + _log_hyp(self.alpha, self.z * u) - _log_hyp(self.alpha, self.z))

    def tail_logpdf(self, x):
        """log of the fitted density on (0, t]."""
        x = np.asarray(x, dtype=float)
        t = self.threshold
        with np.errstate(divide="ignore"):
            return (np.log(self.k / self.m) - np.log(t) + np.log(self.alpha) + (self.alpha - 1.0) * np.log(x / t)
                    + self.z * x / t - _log_hyp(self.alpha, self.z))


def _log_hyp(alpha, z):
    """log ₁F₁(α; α+1; z) = log(α ∫₀¹ u^{α−1} e^{zu} du), stable for negative z via Kummer's transformation."""
    alpha = np.asarray(alpha, dtype=float)
    z = np.asarray(z, dtype=float)
    # Kummer: 1F1(a; a+1; z) = e^z 1F1(1; a+1; −z); the right side has positive terms for z < 0.
    with np.errstate(over="ignore"):
        return np.where(z < 0, z + np.log(special.hyp1f1(1.0, alpha + 1.0, -np.minimum(z, 0.0))),
                        np.log(special.hyp1f1(alpha, alpha + 1.0, np.maximum(z, 0.0))))


def distances_to_query(keys, query) -> np.ndarray:
    """The distances D_i = 1 − ⟨q̂, k̂_i⟩ of keys to a query, both unit-normalised (:ref:`theory-model`).

    Computed as ‖k̂_i − q̂‖²/2, which does not cancel for keys near the query.

    Parameters
    ----------
    keys : array_like, shape (m, d)
        Non-zero, finite keys.
    query : array_like, shape (d,)
        A non-zero, finite query.

    Returns
    -------
    numpy.ndarray, shape (m,)
        D_i ∈ [0, 2].

    Examples
    --------
    >>> distances_to_query([[1.0, 0.0], [0.0, 2.0], [-3.0, 0.0]], [1.0, 0.0]).tolist()
    [0.0, 1.0, 2.0]
    """
    keys = np.asarray(keys, dtype=float)
    query = np.asarray(query, dtype=float).reshape(-1)
    if keys.ndim != 2 or keys.shape[1] != query.shape[0] or keys.shape[0] < 1:
        raise InputError(f"invalid keys of shape {keys.shape}: expected (m, {query.shape[0]}) to match the query")
    if not (np.all(np.isfinite(keys)) and np.all(np.isfinite(query))):
        raise InputError("invalid keys or query: they hold NaN or inf; expected finite values")
    kn = np.linalg.norm(keys, axis=1)
    qn = np.linalg.norm(query)
    if qn == 0 or np.any(kn == 0):
        raise InputError("invalid keys or query: a zero vector has no direction; expected non-zero rows")
    diff = keys / kn[:, None] - query / qn
    return 0.5 * np.einsum("ij,ij->i", diff, diff)


def hill_alpha(sorted_d: np.ndarray, k: int, level: float = 0.95):
    """The plain Hill estimate α̂ = k/Σ_{i≤k} log(t/D_(i)) of the local exponent, t = D_(k+1) (:ref:`theory-extreme-value`).

    Its interval comes from 2kα/α̂ ~ χ²_{2k}, exact only for a pure power law F ∝ t^α on [0, t];
    :func:`fit_local_power` adds the curvature term that the sphere's and vMF's densities need.

    Parameters
    ----------
    sorted_d : numpy.ndarray
        Positive distances in increasing order (at least k + 1).
    k : int
        Number of order statistics below the threshold.
    level : float
        Interval level (default 0.95).

    Returns
    -------
    alpha, lo, hi, t : float
        α̂, its interval and the threshold t.
    """
    t = sorted_d[k]
    s = float(np.sum(np.log(t / sorted_d[:k])))
    alpha = k / s
    lo = alpha * stats.chi2.ppf(0.5 - level / 2.0, 2 * k) / (2 * k)
    hi = alpha * stats.chi2.ppf(0.5 + level / 2.0, 2 * k) / (2 * k)
    return alpha, lo, hi, t


#: Gauss–Legendre rule on (0, 1) for the model's moments, in s with u = s^{_POWER/α}: the integrand
#: s^{_POWER−1}·e^{zu}·(log u)^j is then smooth at s = 0 (error < 1e−12 against adaptive quadrature).
_NODES, _WEIGHTS = np.polynomial.legendre.leggauss(160)
_NODES, _WEIGHTS = 0.5 * (_NODES + 1.0), 0.5 * _WEIGHTS
_POWER = 4.0
_LOG_WEIGHTS = np.log(_WEIGHTS) + (_POWER - 1.0) * np.log(_NODES)


def _model_moments(alpha: float, z: float):
    """E[log u], E[u] and their covariance under the density ∝ u^{α−1}e^{zu} on (0, 1]."""
    log_u = (_POWER / alpha) * np.log(_NODES)
    u = np.exp(log_u)
    log_w = _LOG_WEIGHTS + z * u
    w = np.exp(log_w - log_w.max())  # in logs: e^{zu} alone under- or overflows for |z| ≳ 700
    w = w / w.sum()
    m1, m2 = float(w @ log_u), float(w @ u)
    c12 = float(w @ ((log_u - m1) * (u - m2)))
    return m1, m2, np.array([[float(w @ (log_u - m1) ** 2), c12], [c12, float(w @ (u - m2) ** 2)]])


def _newton(a: float, z: float, mean_log_u: float, mean_u: float, *, free_z: bool) -> tuple[float, float]:
    """Solve E[log u] = mean log u (and, with ``free_z``, E[u] = mean u) for (α, z) by damped Newton steps."""
    target = np.array([mean_log_u, mean_u])
    for _ in range(200):
        m1, m2, cov1 = _model_moments(a, z)
        if free_z:
            try:
                step = np.linalg.solve(cov1, target - np.array([m1, m2]))
            except np.linalg.LinAlgError:
                break
        else:  # d E[log u]/d(α − 1) = Var(log u)
            step = np.array([(target[0] - m1) / cov1[0, 0], 0.0])
        if not np.all(np.isfinite(step)):
            break
        damp = 1.0
        while a + damp * step[0] <= 0.1 * a or abs(z + damp * step[1]) > 1e4:
            damp /= 2.0
            if damp < 1e-12:  # no step inside the domain (α > 0, |z| ≤ 1e4) moves: stop here, never step out
                return a, z
        a, z = a + damp * step[0], z + damp * step[1]
        if abs(step[0]) <= 1e-12 * a and abs(step[1]) <= 1e-10 * max(1.0, abs(z)):
            break
    return a, z


def local_mle(sorted_d: np.ndarray, k: int):
    """Second-order maximum likelihood on the k smallest sorted distances: (α̂, ẑ, covariance, t).

    Log-likelihood of u_i = D_(i)/t: (α−1)Σ log u + zΣu − k(log ₁F₁(α; α+1; z) − log α), an exponential family
    in the natural parameters (α − 1, z) with sufficient statistics (mean log u, mean u). Newton's method
    solves E[log u] = mean log u, E[u] = mean u (the log-likelihood is concave, so the root is the maximum);
    its Hessian k·Cov(log u, u) is the observed = expected information, whose inverse is the covariance.
    """
    t = sorted_d[k]
    u = sorted_d[:k] / t
    slog, su = float(np.sum(np.log(u))), float(np.sum(u))
    if slog == 0.0:
        raise InputError(f"invalid distances: the {k + 1} smallest are tied; expected a continuous law near the endpoint")
    a, z = _newton(-k / slog, 0.0, slog / k, su / k, free_z=True)
    if z > MAX_CURVATURE:
        # The log-likelihood is concave, so the optimum under z ≤ MAX_CURVATURE lies on the bound: α̂ given
        # z = MAX_CURVATURE. Its uncertainty is still that of the two-parameter model (z was estimated and
        # landed on its bound): the covariance below is the observed information's inverse at that point.
        a, z = _newton(-k / slog, MAX_CURVATURE, slog / k, su / k, free_z=False)
    info = k * _model_moments(a, z)[2]
    cov = np.linalg.pinv(info) if np.all(np.isfinite(info)) else np.full((2, 2), np.nan)
    if not np.all(np.isfinite(cov)) or cov[0, 0] <= 0 or cov[1, 1] <= 0:
        cov = np.diag([9.0 * a * a / k, 0.0])  # flat likelihood: report a wide, honest interval
    return a, z, cov, t


def fit_local_power(distances, *, k: int | None = None, level: float = 0.95, k_min: int = 50) -> LocalPowerFit:
    """Fit F(t) ~ c·t^α to the smallest distances to the query (known endpoint D = 0; :ref:`theory-scales`, :ref:`theory-extreme-value`).

    Parameters
    ----------
    distances : array_like, shape (m,)
        D_i = 1 − ⟨q,K_i⟩ ≥ 0 (compute them as ‖K − q‖²/2, never as 1 − score).
    k : int, optional
        Number of order statistics. Default: chosen by threshold stability — going up a geometric grid
        (k_min … min(m/16, 16√m)), the largest k whose α̂ agrees with α̂ at k/4 (``|difference|`` ≤ STABILITY_Z·√(se²(k/4) − se²(k)),
        the standard error of the difference of nested estimators): curvature that the second-order
        model does not absorb grows with k and makes large k fail, noise at small k does not matter.
    level : float
        Interval level (default 0.95).
    k_min : int
        Smallest k of the stability grid (default 50); at least 4·k_min + 1 positive distances are needed.

    Returns
    -------
    LocalPowerFit
        α̂ with its Wald interval, ẑ, ĉ = (k/m)·t^{−α̂}/₁F₁(α̂; α̂+1; ẑ) and the stability path (module
        docstring).
    """
    d = np.asarray(distances, dtype=float).reshape(-1)
    if d.size == 0 or not np.all(np.isfinite(d)):
        raise InputError(f"invalid distances: {int(np.sum(~np.isfinite(d)))} of {d.size} are NaN or inf; expected finite values")
    if np.any(d < 0):
        raise InputError(f"invalid distances: minimum {d.min():g} < 0; expected D = endpoint − score ≥ 0")
    d = np.sort(d[d > 0])  # exact ties with the query carry no scale information
    m = d.size
    if m < 4 * k_min + 1:
        raise InputError(f"invalid number of positive distances {m}: expected at least {4 * k_min + 1} to estimate a tail")
    top = max(4 * k_min, min(m // TOP_FRACTION, int(TOP_SQRT * np.sqrt(m))))
    grid = np.unique(np.geomspace(k_min, top, num=max(2, int(2 * np.log2(top / k_min)) + 1)).astype(int))
    fits = {int(kk): local_mle(d, int(kk)) for kk in grid}
    path, chosen = [], None
    for kk in grid:
        a, _, cov, _ = fits[int(kk)]
        se = float(np.sqrt(cov[0, 0]))
        small = [q for q in grid if q <= kk // 4]
        ok = True
        if small:
            a4, _, cov4, _ = fits[int(small[-1])]
            ok = abs(a - a4) <= STABILITY_Z * np.sqrt(max(cov4[0, 0] - cov[0, 0], 0.25 * cov4[0, 0]))
        path.append((int(kk), a, a - 1.96 * se, a + 1.96 * se, bool(ok)))
        if chosen is None or ok:
            chosen = int(kk)
    if k is None:
        k = chosen
        a, z, cov, t = fits[k]
    else:
        k = check_int("k", k, minimum=10, maximum=m - 1)
        a, z, cov, t = local_mle(d, k)
    stable = dict((r[0], r[4]) for r in path).get(k, True)
    zq = stats.norm.ppf(0.5 + level / 2.0)
    se = float(np.sqrt(cov[0, 0]))
    log_c = float(np.log(k / m) - a * np.log(t) - _log_hyp(a, z))
    return LocalPowerFit(alpha=a, alpha_ci=(a - zq * se, a + zq * se), alpha_se=se, z=z, c=float(np.exp(log_c)),
                         log_c=log_c, k=int(k), m=int(m), threshold=float(t), stable=bool(stable), cov=cov, path=path)
