"""Gauss–Legendre nodes, partial-integration matrices and exponential helpers shared by the exact finite-n
quadratures (:mod:`._finite`, :mod:`._sink_quadrature`) and the Poisson–Kingman one (:mod:`._pk_quadrature`)."""

from __future__ import annotations

import numpy as np
from numpy.polynomial import legendre
from scipy import special

from ._counts import NODES

__all__: list[str] = []  # private helpers, imported by name

#: Kernel panels in τ = s − x (descending): width 1 on [−8, 3] (where e^{pτ − e^τ} turns), 4 below (where
#: the kernel is e^{pτ}: 12 nodes integrate e^{−8} across a panel to 1e−13) and 2 above (e^{−e^τ} < e^{−20}).
_TAU = np.concatenate([[5.0, 3.0], np.arange(2.0, -8.5, -1.0), np.arange(-12.0, -80.5, -4.0)])
_BELOW = 5.0


def _integration_matrices(y):
    """(B_fwd, B_rev): values at the Gauss–Legendre nodes y ↦ ∫_{−1}^{y_i} and ∫_{y_i}^{1} of their
    interpolating polynomial (the partial integrals inside a panel)."""
    n = y.size
    fwd = np.empty((n, n))
    for j in range(n):
        coef = np.zeros(n)
        coef[j] = 1.0
        fwd[:, j] = legendre.legval(y, legendre.legint(coef, lbnd=-1.0))
    full = np.zeros(n)
    full[0] = 2.0
    inv = np.linalg.inv(legendre.legvander(y, n - 1))
    return fwd @ inv, (full[None, :] - fwd) @ inv


_Y, _W = special.roots_legendre(NODES)
_B_FWD, _B_REV = _integration_matrices(_Y)
_NO = 8
_YO, _WO = special.roots_legendre(_NO)
#: exp below this argument is taken as 0 (:func:`_exp`; e^{−707} ≈ 1e−307, at the edge of the normal range).
_LOG_TINY = -707.0


def _exp(z, where=None):
    """exp(z), exactly 0 below e^{−707} (and where ``where`` is False): numpy's exp is ~10× slower on
    arguments that underflow, which most nodes far from the kernel's peak are."""
    live = z > _LOG_TINY
    return np.exp(z, out=np.zeros(np.shape(z)), where=live if where is None else live & where)


def _tails(terms):
    """log Σ over panels ≥ j of Σ_k exp(terms[i, panel, k]), for j = 0..P (−inf at P), for each i."""
    with np.errstate(divide="ignore", invalid="ignore"):
        per = special.logsumexp(terms, axis=2)
    per = np.where(np.isfinite(per), per, -np.inf)
    rev = np.logaddexp.accumulate(per[:, ::-1], axis=1)[:, ::-1]
    return np.concatenate([rev, np.full((rev.shape[0], 1), -np.inf)], axis=1)
