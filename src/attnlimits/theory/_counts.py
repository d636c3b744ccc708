"""The count measure n·dF(t) of the distances of n keys, on panels fixed in log-probability (:ref:`theory-exact-identities`).

The exact finite-n integrals (:mod:`._finite`) integrate functions of the distance D against n·dF. At
real head dimensions F is nothing like a power law over the range that matters: at d = 4096 the n keys
sit in [1 − O(1/√d), 1 + O(1/√d)] and the nearest of them at t_n = F^{−1}(1/n), where log F is steep.
Panels are therefore placed where the *expected count* changes by a fixed factor, not where t does:

* the lower half, F ≤ 1/2: ℓ = log(n F(t)) on a grid of step 1 from the median down to ℓ = −25, then of
  step 5 down to −60;
* the upper half, F ≥ 1/2: log(n (1 − F(t))) on the same grid, from the median down to −60;

each panel further split geometrically so that t (or 2 − t) changes by at most a factor e on it (e^4 below
ℓ = −25), for the x^{α−1} behaviour of the density at both ends for small α. On every panel the density is smooth in t, and
12 Gauss–Legendre nodes in t integrate it to ~1e−13. The mass left out at both ends is e^{−60} keys, which
changes no expectation by more than e^{−60} relative (every weight is at most 1, and every expectation
computed here is at least 1/n times a count).

The grid depends on (law, n) only, never on β: the β-dependent quadrature scales it by β.
"""

from __future__ import annotations

import math
from collections import OrderedDict

import numpy as np
from scipy import special

from .._validation import InputError, check_int, check_real
from ._measure import DistanceDensity

__all__ = ["CountGrid", "check_exact_setting", "count_grid"]

#: log of the expected number of keys left out at each end of the support.
LOG_COUNT_MIN = -60.0
#: Step of the grid in log expected count.
STEP = 1.0
#: Below this log count (e^{−25} keys: every expectation is changed by at most that, relative) the step is
#: COARSE_STEP and panels are refined to a factor e^4 in t only: 1e−3 accuracy there is 1e−14 overall.
LOG_COUNT_COARSE, COARSE_STEP = -25.0, 5.0
#: Gauss–Legendre nodes per panel (shared with the integration matrices of :mod:`._quadrature`).
NODES = 10
_Y, _W = special.roots_legendre(NODES)


def check_exact_setting(law, n, beta):
    """(n, β) checked for the exact theory, whose count grids need a law with an exact distance CDF, density
    and quantile; raises InputError naming the parameter otherwise."""
    if not (getattr(law, "has_distance_law", False) and getattr(law, "has_quantile", False)) or law.local_exponent is None:
        raise InputError(f"invalid law={getattr(law, 'spec', law)!r}: the exact theory needs a key law with an exact "
                         "distance CDF, density and quantile (uniform, subsphere:K or vmf:KAPPA centred on the query)")
    n = check_int("n", n, minimum=1)
    beta = check_real("beta", beta, lower=0.0)
    return n, beta


class CountGrid:
    """Panels and Gauss–Legendre nodes of n·dF(t) for n keys of ``law`` (see the module docstring).

    Attributes
    ----------
    t_b : ndarray
        Panel boundaries in t, ascending.
    log_f_b, log_sf_b : ndarray
        log F and log(1 − F) at the boundaries.
    t : ndarray, shape (panels, NODES)
        Nodes.
    log_dens : ndarray, shape (panels, NODES)
        log of n f(t)·(half panel width)·e^{log_fix}: the count density times the Jacobian of the panel
        map, so that Σ_j W_j exp(log_dens_j) h(t_j) is the panel's ∫ h n dF.
    log_fix : ndarray, shape (panels,)
        log of (F(b) − F(a))/∫_a^b f on each panel: the density is rescaled to carry the CDF's mass.
    log_f, log_sf : ndarray, shape (panels, NODES)
        log F and log(1 − F) at the nodes.
    """

    def __init__(self, law, n: int):
        self.n = int(n)
        self.log_n = math.log(self.n)
        top = math.log(0.5) + self.log_n  # log count at the median
        fine = np.arange(top, max(LOG_COUNT_COARSE, LOG_COUNT_MIN), -STEP)
        coarse = np.arange(min(LOG_COUNT_COARSE, fine[-1] - STEP), LOG_COUNT_MIN - 1e-9, -COARSE_STEP)
        grid = np.concatenate([fine, coarse, [LOG_COUNT_MIN]])[::-1] - self.log_n  # ascending log p ≤ log 1/2
        with np.errstate(divide="ignore", under="ignore"):
            other = np.log1p(-np.exp(grid))
            t_lo = np.atleast_1d(law.distance_ppf_log(grid, other))
            if law.symmetric_distance:
                tbar_hi = t_lo.copy()  # D and 2 − D have the same law: 2 − F^{-1}(1 − q) = F^{-1}(q)
            else:
                tbar_hi = 2.0 - np.atleast_1d(law.distance_ppf_log(other, grid))
        n_coarse = coarse.size + 1  # boundaries below LOG_COUNT_COARSE: refined only to a factor e^4
        t_lo = _refine_two(t_lo, n_coarse)
        tbar_hi = _refine_two(tbar_hi, n_coarse)
        knots = getattr(law, "distance_knots", None)  # where the law's density jumps (a histogram body): panel ends
        if knots is not None:
            knots = np.asarray(knots, dtype=float)
            t_lo = np.union1d(t_lo, knots[(knots > t_lo[0]) & (knots < t_lo[-1])])
            kbar = 2.0 - knots
            tbar_hi = np.union1d(tbar_hi, kbar[(kbar > tbar_hi[0]) & (kbar < tbar_hi[-1])])
        # panels: lower half in t (ascending), then the upper half in t̄ = 2 − t (descending t̄)
        lower_t = np.column_stack([t_lo[:-1], t_lo[1:]])
        upper_tbar = np.column_stack([tbar_hi[1:], tbar_hi[:-1]])[::-1]
        self.t_b = np.concatenate([t_lo, 2.0 - tbar_hi[::-1][1:]])
        self.tbar_b = np.concatenate([2.0 - t_lo, tbar_hi[::-1][1:]])
        hw = np.concatenate([(lower_t[:, 1] - lower_t[:, 0]) / 2.0, (upper_tbar[:, 0] - upper_tbar[:, 1]) / 2.0])
        t_nodes = (lower_t.sum(axis=1) / 2.0)[:, None] + ((lower_t[:, 1] - lower_t[:, 0]) / 2.0)[:, None] * _Y
        tbar_nodes = (upper_tbar.sum(axis=1) / 2.0)[:, None] - ((upper_tbar[:, 0] - upper_tbar[:, 1]) / 2.0)[:, None] * _Y
        self.t = np.concatenate([t_nodes, 2.0 - tbar_nodes])
        self.tbar = np.concatenate([2.0 - t_nodes, tbar_nodes])
        self.half = hw
        self.log_f_b, self.log_sf_b = law.distance_log_cdf_sf(self.t_b, self.tbar_b)
        with np.errstate(divide="ignore", invalid="ignore"):
            log_dens = DistanceDensity(law).log_density(self.t, self.tbar) + np.log(hw)[:, None]
            # for a law whose density is not normalised against its CDF (the smooth estimated law of
            # attnlimits.tails: to ~1 %), each panel carries exactly the probability F(b) − F(a)
            lf, lsf = self.log_f_b, self.log_sf_b
            lower = lf[:-1] < math.log(0.5)
            prob = np.where(lower, np.exp(lf[:-1]) * np.expm1(lf[1:] - lf[:-1]),
                            -np.exp(lsf[:-1]) * np.expm1(lsf[1:] - lsf[:-1]))
            raw = np.exp(special.logsumexp(log_dens + np.log(_W)[None, :], axis=1))
            self.log_fix = np.log(prob) - np.log(raw)
        if law.sphere_parameters is not None:
            # exact normalised densities (the closed forms of DistanceDensity): the mass comes from them (the vMF CDF table is the less precise of
            # the two in the far upper tail); only a failed quantile table (NaN, vMF at d ≥ 1024) is refused
            mass = float(np.sum(np.exp(log_dens) * _W))
            bad = not abs(mass - 1.0) <= 1e-6
            self.log_fix = np.zeros(hw.size)
        else:
            # panels past the end of the law's support (prob = 0, log_fix = −inf) carry nothing and are not checked
            bad = bool(np.any(~np.isfinite(self.log_fix) & (prob > 1e-12))
                       or np.any((np.abs(self.log_fix) > 0.2) & (prob > 1e-12)))
            self.log_fix = np.where(np.isfinite(self.log_fix), self.log_fix, 0.0)
        if self.t.size == 0 or bad:
            raise InputError(f"invalid law={law.spec!r} at d={law.d}: its distance quantile function or CDF is "
                             "not accurate here, so the exact theory cannot be evaluated for it")
        self.log_dens = self.log_n + log_dens + self.log_fix[:, None]
        self.log_f, self.log_sf = law.distance_log_cdf_sf(self.t, self.tbar)
        self.weights = _W


def _refine_two(tb, n_coarse: int):
    """:func:`_refine` with ratio e above the coarse boundaries (the first ``n_coarse``) and e^4 below."""
    ok = np.isfinite(tb) & (tb > 0.0)
    low, high = tb[:n_coarse][ok[:n_coarse]], tb[n_coarse - 1:][ok[n_coarse - 1:]]
    parts = [_refine(np.unique(low), math.e**4)] if low.size > 1 else []
    parts.append(_refine(np.unique(high)))
    return np.unique(np.concatenate(parts))


def _refine(tb, ratio: float = math.e):
    """Split panels geometrically so that t2/t1 ≤ ratio (lower half) and (2−t1)/(2−t2) ≤ ratio (upper)."""
    out = [tb[:1]]
    for a, b in zip(tb[:-1], tb[1:]):
        lower = a + b <= 2.0
        r = b / a if lower else (2.0 - a) / (2.0 - b)
        k = max(1, math.ceil(math.log(r) / math.log(ratio) - 1e-12)) if r > ratio else 1
        if k == 1:
            out.append(np.array([b]))
        elif lower:
            out.append(a * np.exp(np.linspace(0.0, math.log(r), k + 1)[1:]))
        else:
            out.append(2.0 - (2.0 - a) * np.exp(-np.linspace(0.0, math.log(r), k + 1)[1:]))
    return np.concatenate(out)


#: Count grids by (law.cache_key, n), least recently used first; at most _GRID_CACHE_SIZE of them (a law
#: known by its data, whose cache_key is the law itself, is kept alive only while one of its grids is).
_GRIDS: OrderedDict = OrderedDict()
_GRID_CACHE_SIZE = 64


def count_grid(law, n: int) -> CountGrid:
    """The :class:`CountGrid` of (law, n), cached by the law's ``cache_key`` (bounded, least recently used)."""
    key = (law.cache_key, int(n))
    grid = _GRIDS.get(key)
    if grid is None:
        grid = _GRIDS[key] = CountGrid(law, int(n))
        if len(_GRIDS) > _GRID_CACHE_SIZE:
            _GRIDS.popitem(last=False)
    else:
        _GRIDS.move_to_end(key)
    return grid
