"""Interpolation on Chebyshev–Lobatto nodes with an error estimate from the coefficients, shared by the
sink-aware batches across queries' β (:mod:`._sinks`) and the audit's iso-multiplier roots
(:mod:`attnlimits.schedules._audit`).

Hand-written (DESIGN.md asks why): ``numpy.polynomial.chebyshev`` interpolates at first-kind points, and the
nodes here must nest (5, 9, 17 Lobatto points reuse every earlier value); barycentric evaluation lets each
query be read at its own point.
"""

from __future__ import annotations

import numpy as np

__all__ = ["chebyshev_coefficients", "chebyshev_interpolate", "chebyshev_nodes", "chebyshev_tail", "logit_pair",
           "logit_tail", "expit_pair"]

#: Floor of a probability or its complement before its log (a value that underflowed to 0 reads as e^{−690}).
_TINY = 1e-300


def chebyshev_nodes(k: int) -> np.ndarray:
    """The k Chebyshev–Lobatto nodes cos(πj/(k − 1)) on [−1, 1], descending (k ≥ 2)."""
    return np.cos(np.pi * np.arange(k) / (k - 1))  # Chebyshev–Lobatto on [−1, 1], descending


def chebyshev_coefficients(values: np.ndarray) -> np.ndarray:
    """Chebyshev coefficients (K, ...) of the interpolant through values (K, ...) at the Lobatto nodes."""
    K = values.shape[0]
    j = np.arange(K)
    T = np.cos(np.pi * np.outer(j, j) / (K - 1))
    T[:, 0] *= 0.5
    T[:, -1] *= 0.5
    c = (2.0 / (K - 1)) * np.tensordot(T, values, axes=(1, 0))
    c[0] *= 0.5
    c[-1] *= 0.5
    return c


def chebyshev_tail(c: np.ndarray) -> np.ndarray:
    """Error estimate of the interpolant with Chebyshev coefficients c (K, ...): where the last two have fallen
    by at least 4 from the two before (geometric decay with ratio r ≤ 1/2 over the last steps), the neglected
    tail is at most max|c_{K−2..K−1}|·r/(1 − r) ≤ that maximum, and the interpolation error (aliasing
    included) at most twice the tail: 2 max|c_{K−2..K−1}|; elsewhere the sum of the last three magnitudes."""
    a = np.abs(c)
    last = np.maximum(a[-1], a[-2])
    before = np.maximum(a[-3], a[-4])
    return np.where(last <= before / 4.0, 2.0 * last, a[-3:].sum(axis=0))


def chebyshev_interpolate(values: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Barycentric interpolation on the Chebyshev–Lobatto nodes: values (K, Q, ...) at each query's t (Q,)."""
    K = values.shape[0]
    nodes = chebyshev_nodes(K)
    w = (-1.0) ** np.arange(K)
    w[0] *= 0.5
    w[-1] *= 0.5
    diff = t[None, :] - nodes[:, None]  # (K, Q)
    exact = diff == 0.0
    with np.errstate(divide="ignore", invalid="ignore"):
        c = w[:, None] / diff
    c = np.where(exact.any(axis=0)[None, :], exact.astype(float), c)
    shape = (K, t.size) + (1,) * (values.ndim - 2)
    c = c.reshape(shape)
    return (c * values).sum(axis=0) / c.sum(axis=0)


def logit_pair(p: np.ndarray, c: np.ndarray) -> np.ndarray:
    """log p − log c for a probability p given with its complement c = 1 − p, each computed on its own (no
    cancellation near 0 or 1); either floored at 1e−300."""
    return np.log(np.maximum(p, _TINY)) - np.log(np.maximum(c, _TINY))


def logit_tail(logits: np.ndarray, p: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Error estimate, in the probability, of the interpolant of the logits (K, ...) at the nodes: the tail of
    their Chebyshev coefficients times the largest p(1 − p) = dp/dlogit over the nodes."""
    return chebyshev_tail(chebyshev_coefficients(logits)) * np.max(p * c, axis=0)


def expit_pair(logit: np.ndarray) -> tuple:
    """(p, 1 − p) from the logit, each without cancellation."""
    from scipy import special

    return special.expit(logit), special.expit(-logit)
