"""The far keys' contribution, given that every one of them lies beyond the m-th nearest distance.

Given D_(m) = t, the other n − m keys are i.i.d. from the law of D conditioned on D > t. Their sums
T0 = Σ e_j, T2 = Σ e_j², T1 = Σ e_j (D_j − D_(1)) with e_j = exp(−β(D_j − D_(1))), and the tangent sum
Σ e_j P⊥K_j, have exact conditional means and covariances equal to (n − m) times the per-key moments
computed here by quadrature. The sampler replaces each sum by that mean plus a Gaussian with that
covariance (central limit theorem over the n − m far keys).

The quadrature is hand-written for two reasons scipy's ``quad`` does not meet: it runs once per replicate
(a few hundred nodes, vectorised), and it integrates in the polar angle θ (D = 2 sin²(θ/2)), where every
law with a density on the sphere has a smooth integrand — in D the density has an algebraic singularity
at D = 0 (d = 2) and D = 2. Panels follow x = βD: breakpoints x_m + (0, ½, 1½, 3½, 7½, 15, 30, 60), past which
e^{−x} is below 1e−26 of the tail's first term.

This is the engine's one far-key quadrature: :func:`tail_moments` serves ``simulate(method="orderstat")``,
:func:`tail_sums` (the same panels, vectorised over replicates) the β_{1/2} estimators' samples. It replaced
their Gauss–Laguerre rule in x = β(D − D_(m)) (48 nodes, the density in D), which is exact only when e^{−x}
has decayed before D = 2: against 30-digit mpmath, at β(2 − D_(m)) ≈ 1 Gauss–Laguerre is off by 2–15%
(d = 2, 3, 8) and at β(2 − D_(m)) ≈ 30 by ~1e−12, where these panels stay within 1e−14 in every case.
"""

from __future__ import annotations

import math

import numpy as np

from ._reduction import _EXP_ZERO

__all__ = ["tail_moments", "tail_sums", "TailMoments", "bernstein_upper"]

_GL_NODES, _GL_WEIGHTS = np.polynomial.legendre.leggauss(16)
_X_BREAKS = np.array([0.0, 0.5, 1.5, 3.5, 7.5, 15.0, 30.0, 60.0])


class TailMoments:
    """Per-key conditional moments of a far key (D > t), relative to the shift D_(1).

    Attributes
    ----------
    mean : ndarray, shape (3,)
        E[e], E[e²], E[e·(D − D_(1))] given D > t.
    second : ndarray, shape (3, 3)
        The matrix of E[X_a X_b] for X = (e, e², e(D − D_(1))).
    tangent : float
        E[e² |P⊥K|²] = E[e² D(2 − D)] given D > t (the tangent sum's covariance is this times I/(d_⊥)).
    """

    __slots__ = ("mean", "second", "tangent")

    def __init__(self, mean, second, tangent):
        self.mean, self.second, self.tangent = mean, second, tangent

    @property
    def covariance(self) -> np.ndarray:
        """Per-key covariance of (e, e², e(D − D_(1)))."""
        return self.second - np.outer(self.mean, self.mean)


def _theta(dist):
    return 2.0 * np.arcsin(np.sqrt(np.clip(dist, 0.0, 2.0) / 2.0))


def _edges(beta: float, t: np.ndarray) -> np.ndarray:
    """Panel edges in θ for each tail start t (shape t.shape + (8,), non-decreasing): the breakpoints
    x = βt + _X_BREAKS clipped to D ∈ [t, 2], or 5 equal panels on [θ(t), π] where β(2 − t) < ½, padded with π.
    Repeated edges are empty panels (zero weight)."""
    lo = _theta(t)[..., None]
    with np.errstate(divide="ignore", invalid="ignore"):
        xs = beta * t[..., None] + _X_BREAKS
        broken = np.maximum(_theta(np.minimum(xs / beta, 2.0)), lo)
    even = np.concatenate([np.linspace(lo[..., 0], np.pi, 5, axis=-1), np.full(lo.shape[:-1] + (3,), np.pi)],
                          axis=-1)
    split = (beta > 0) & (2.0 * beta > beta * t + _X_BREAKS[1])
    return np.where(split[..., None], broken, even)


def _panels(edges: np.ndarray):
    """Gauss–Legendre nodes θ and weights dθ on the panels between consecutive ``edges`` (last axis)."""
    half = np.diff(edges, axis=-1) / 2.0
    mid = (edges[..., 1:] + edges[..., :-1]) / 2.0
    theta = (mid[..., None] + half[..., None] * _GL_NODES).reshape(edges.shape[:-1] + (-1,))
    dtheta = (half[..., None] * _GL_WEIGHTS).reshape(edges.shape[:-1] + (-1,))
    return theta, dtheta


def _nodes(beta: float, t: float):
    """Quadrature nodes θ and weights dθ covering D ∈ (t, 2] where it matters (empty panels left out)."""
    edges = np.unique(_edges(beta, np.array(t, dtype=float)))
    if edges.size < 2:
        edges = np.array([_theta(t), np.pi])
    return _panels(edges)


def _density_weights(law, theta, dtheta, t, log_tail_prob):
    """D at the nodes and the conditional density weights f(D | D > t) dD (in θ), zero at D ≤ t."""
    half = np.sin(theta / 2.0)
    dist = 2.0 * half * half
    with np.errstate(divide="ignore", under="ignore", invalid="ignore"):
        logw = np.asarray(law.distance_logpdf(dist), dtype=float) + np.log(np.sin(theta)) - log_tail_prob
        w = np.where(np.isfinite(logw), np.exp(logw), 0.0) * dtheta
    return dist, np.where(dist > t, w, 0.0)


def tail_moments(law, beta: float, t: float, dmin: float, log_tail_prob: float) -> TailMoments:
    """Moments of one far key given D > t, relative to the nearest distance ``dmin``.

    Parameters
    ----------
    law : KeyLaw
        A law with an exact ``distance_logpdf``.
    beta : float
        β ≥ 0.
    t : float
        D_(m), the m-th smallest distance (the far keys lie beyond it).
    dmin : float
        D_(1), the shift of every exponent.
    log_tail_prob : float
        log P(D > t) (the sampler knows it exactly from its spacings).
    """
    theta, dtheta = _nodes(beta, t)
    dist, w = _density_weights(law, theta, dtheta, t, log_tail_prob)
    r = dist - dmin
    e = np.exp(-beta * r)
    x = np.stack([e, e * e, e * r])
    mean = x @ w
    second = (x * w) @ x.T
    tangent = float(((e * e) * (dist * (2.0 - dist))) @ w)
    return TailMoments(mean, second, tangent)


def tail_sums(law, beta: float, t, dmin, log_tail_prob) -> tuple[np.ndarray, np.ndarray]:
    """E[e | D > t] and E[e·(D − D_(1)) | D > t], e = exp(−β(D − D_(1))), for arrays of tails at once.

    The same quadrature as :func:`tail_moments` (one row of panels per tail start), for the β_{1/2}
    estimators, which evaluate the far keys of every replicate at many β.

    Parameters
    ----------
    law : KeyLaw
        A law with an exact ``distance_logpdf``.
    beta : float
        β ≥ 0.
    t, dmin, log_tail_prob : array_like, shape (R,)
        Per replicate: D_(m), D_(1) and log P(D > D_(m)).

    Returns
    -------
    (ndarray, ndarray), each of shape (R,)
    """
    t = np.asarray(t, dtype=float)
    dmin = np.broadcast_to(np.asarray(dmin, dtype=float), t.shape)
    log_tail_prob = np.broadcast_to(np.asarray(log_tail_prob, dtype=float), t.shape)
    s0, s1 = np.zeros(t.shape), np.zeros(t.shape)
    # rows whose every node has β(D − D_(1)) ≥ β(t − D_(1)) > 745.2 sum to exactly 0.0: skip their quadrature
    live = np.flatnonzero(~(beta * (t - dmin) > _EXP_ZERO))
    if live.size:
        theta, dtheta = _panels(_edges(beta, t[live]))
        dist, w = _density_weights(law, theta, dtheta, t[live, None], log_tail_prob[live, None])
        r = dist - dmin[live, None]
        with np.errstate(under="ignore"):
            ew = np.exp(-beta * r) * w
        s0[live], s1[live] = ew.sum(axis=1), (ew * r).sum(axis=1)
    return s0, s1


def bernstein_upper(count: float, var: float, bound: float, mean: float, log_inv_fail: float) -> float:
    """Upper bound on a sum of ``count`` i.i.d. terms in [0, bound] with per-term mean and variance,
    exceeded with probability at most e^{−log_inv_fail} (Bernstein's inequality)."""
    if count <= 0:
        return 0.0
    a = bound * log_inv_fail / 3.0
    s = a + math.sqrt(a * a + 2.0 * count * max(var, 0.0) * log_inv_fail)
    return count * mean + s
