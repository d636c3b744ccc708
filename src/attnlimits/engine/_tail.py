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
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["tail_moments", "TailMoments", "bernstein_upper"]

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


def _nodes(beta: float, t: float):
    """Quadrature nodes θ and weights dθ covering D ∈ (t, 2] where it matters."""
    lo = _theta(t)
    if beta > 0 and 2.0 * beta > beta * t + _X_BREAKS[1]:
        xs = beta * t + _X_BREAKS
        edges = _theta(np.minimum(xs / beta, 2.0))
        edges = np.unique(np.maximum(edges, lo))
    else:
        edges = np.linspace(lo, np.pi, 5)
    if edges.size < 2:
        edges = np.array([lo, np.pi])
    half = np.diff(edges) / 2.0
    mid = (edges[1:] + edges[:-1]) / 2.0
    theta = (mid[:, None] + half[:, None] * _GL_NODES[None, :]).ravel()
    dtheta = (half[:, None] * _GL_WEIGHTS[None, :]).ravel()
    return theta, dtheta


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
    half = np.sin(theta / 2.0)
    dist = 2.0 * half * half
    with np.errstate(divide="ignore", under="ignore", invalid="ignore"):
        logw = np.asarray(law.distance_logpdf(dist), dtype=float) + np.log(np.sin(theta)) - log_tail_prob
        w = np.where(np.isfinite(logw), np.exp(logw), 0.0) * dtheta
    keep = dist > t
    w = np.where(keep, w, 0.0)
    r = dist - dmin
    e = np.exp(-beta * r)
    x = np.stack([e, e * e, e * r])
    mean = x @ w
    second = (x * w) @ x.T
    tangent = float(((e * e) * (dist * (2.0 - dist))) @ w)
    return TailMoments(mean, second, tangent)


def bernstein_upper(count: float, var: float, bound: float, mean: float, log_inv_fail: float) -> float:
    """Upper bound on a sum of ``count`` i.i.d. terms in [0, bound] with per-term mean and variance,
    exceeded with probability at most e^{−log_inv_fail} (Bernstein's inequality)."""
    if count <= 0:
        return 0.0
    a = bound * log_inv_fail / 3.0
    s = a + math.sqrt(a * a + 2.0 * count * max(var, 0.0) * log_inv_fail)
    return count * mean + s
