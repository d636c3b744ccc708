"""The population map T_β(x) = ∫ y e^{β⟨x,y⟩} ρ(y) dσ / ∫ e^{β⟨x,y⟩} ρ(y) dσ (:ref:`theory-limit-laws`), and its error.

Quadrature on S^1 and S^2, written in a frame attached to x so that the tangential part (the O(1/β) signal)
is summed directly instead of as a difference of O(1) numbers:

- S^1: y = cos φ·x + sin φ·x⊥, weight e^{−2β sin²(φ/2)} ρ(y); the trapezoid rule in φ (spectrally accurate
  for a smooth periodic integrand) with N ≈ 40√β + 512 nodes, enough to resolve the Gaussian of width β^{−1/2}.
- S^2: t = 1 − ⟨x,y⟩ is uniform under σ (Archimedes), dσ = dt dφ/(4π). With t = s² the tangential factor
  s√(2−t) is smooth; Gauss–Legendre in s on pieces whose ends double in βt, trapezoid in φ.

Hand-written rather than ``scipy.integrate`` because the integrand is a spike of width β^{−1/2} whose
tangential first moment must be resolved to O(β^{−2}) relative accuracy; adaptive cubature on the whole
sphere loses it. In d ≥ 4: Monte Carlo with keys drawn from the tilted law vMF(x, β) itself, weighted by
ρ, with antithetic tangents (y and its reflection through x) so that the leading tangential noise cancels.
"""

from __future__ import annotations

import numpy as np

from .._rng import as_seed_sequence, generator
from .._validation import InputError, check_choice, check_int, check_real
from ._density import as_density
from ._drift import first_order_map

__all__ = ["population_map", "population_map_error"]

METHODS = ("auto", "quadrature", "montecarlo")


def population_map(density, x, beta: float, *, d: int | None = None, method: str = "auto",
                   nodes: int | None = None, samples: int = 200_000, seed=None, return_se: bool = False):
    """T_β(x) for keys with density ρ on S^{d−1} (:ref:`theory-limit-laws`, "Backward heat equation").

    Parameters
    ----------
    density : SphereDensity, callable or key law
        ρ (see :func:`as_density`); a callable needs ``d``.
    x : array_like, shape (m, d) or (d,)
        Query points (normalised here).
    beta : float
        β > 0.
    d : int, optional
        Dimension, ≥ 2 (default ``x.shape[-1]``); must match ρ and the rows of ``x``.
    method : {"auto", "quadrature", "montecarlo"}
        "auto": quadrature for d ∈ {2, 3}, Monte Carlo otherwise.
    nodes : int, optional
        Azimuthal trapezoid nodes (S^1: the only nodes; S^2: default 64). Raise it for densities with
        high-frequency azimuthal structure.
    samples : int
        Antithetic pairs per point for Monte Carlo.
    seed : int or SeedSequence, optional
        Monte Carlo seed (point i uses child stream i).
    return_se : bool
        Also return the standard error per component (zeros for quadrature).

    Returns
    -------
    numpy.ndarray, or (T, se)
        T_β(x), same shape as ``x``. To first order T_β(x) = A_d(β)[x + β^{−1}∇_S log ρ(x)]
        (:func:`first_order_map`); the difference is O(β^{−2}).

    Examples
    --------
    >>> from attnlimits.heat import HarmonicDensity, first_order_map
    >>> rho, x = HarmonicDensity(2, 2, 0.3), np.array([[0.6, 0.8]])
    >>> t = population_map(rho, x, 400.0)
    >>> first = first_order_map(2, 400.0, x, rho.grad_log_pdf(x))
    >>> bool(np.linalg.norm(t - first) < 1e-5 < np.linalg.norm(first - x * (first @ x.T)))
    True
    """
    x = np.asarray(x, dtype=float)
    d = x.shape[-1] if d is None else check_int("d", d, minimum=2)
    rho = as_density(density, d)
    if rho.d != d or x.shape[-1] != d:
        raise InputError(f"invalid x of shape {x.shape}: expected rows of length d={rho.d}")
    beta = check_real("beta", beta, lower=0.0, lower_open=True)
    method = check_choice("method", method, METHODS)
    if method == "auto":
        method = "quadrature" if d in (2, 3) else "montecarlo"
    if method == "quadrature" and d not in (2, 3):
        raise InputError(f"invalid method='quadrature' for d={d}: quadrature is for d in {{2, 3}}; use 'montecarlo'")
    pts = np.atleast_2d(x) / np.linalg.norm(np.atleast_2d(x), axis=1, keepdims=True)
    if method == "quadrature":
        out = _circle(rho, pts, beta, nodes) if d == 2 else _sphere2(rho, pts, beta, nodes)
        se = np.zeros_like(out)
    else:
        samples = check_int("samples", samples, minimum=2)
        out, se = _montecarlo(rho, pts, beta, samples, as_seed_sequence(seed))
    if x.ndim == 1:
        out, se = out[0], se[0]
    return (out, se) if return_se else out


def _circle(rho, pts, beta, nodes):
    n = check_int("nodes", nodes, minimum=16) if nodes is not None else int(40 * np.sqrt(beta)) + 512
    phi = 2.0 * np.pi * np.arange(n) / n - np.pi
    perp = np.column_stack([-pts[:, 1], pts[:, 0]])
    c, s = np.cos(phi), np.sin(phi)
    y = c[None, :, None] * pts[:, None, :] + s[None, :, None] * perp[:, None, :]
    w = np.exp(-2.0 * beta * np.sin(phi / 2.0) ** 2)[None, :] * rho.pdf(y.reshape(-1, 2)).reshape(len(pts), n)
    den = w.sum(axis=1)
    radial = (w * c).sum(axis=1) / den
    tangential = (w * s).sum(axis=1) / den
    return radial[:, None] * pts + tangential[:, None] * perp


def _frame3(pts):
    """Two unit vectors completing each row of ``pts`` to an orthonormal frame of R^3."""
    a = np.zeros_like(pts)
    idx = np.argmin(np.abs(pts), axis=1)
    a[np.arange(len(pts)), idx] = 1.0
    e1 = a - np.sum(a * pts, axis=1, keepdims=True) * pts
    e1 /= np.linalg.norm(e1, axis=1, keepdims=True)
    return e1, np.cross(pts, e1)


def _sphere2(rho, pts, beta, nodes):
    m = check_int("nodes", nodes, minimum=8) if nodes is not None else 64
    gl_x, gl_w = np.polynomial.legendre.leggauss(32)
    t_edges = [0.0]
    step = 0.5 / beta
    while t_edges[-1] < 2.0:
        t_edges.append(min(2.0, max(step, 2.0 * t_edges[-1])))
        step *= 2.0
    s_edges = np.sqrt(np.array(t_edges))
    s_nodes, s_weights = [], []
    for a, b in zip(s_edges[:-1], s_edges[1:]):
        s_nodes.append(0.5 * (b - a) * gl_x + 0.5 * (a + b))
        s_weights.append(0.5 * (b - a) * gl_w)
    s = np.concatenate(s_nodes)
    ws = np.concatenate(s_weights) * 2.0 * s  # dt = 2s ds
    t = s * s
    radial_t = 1.0 - t
    tang_t = s * np.sqrt(2.0 - t)
    phi = 2.0 * np.pi * np.arange(m) / m
    cphi, sphi = np.cos(phi), np.sin(phi)
    e1, e2 = _frame3(pts)
    # y[p, i, j] = (1−t_i) x_p + tang_i (cos φ_j e1_p + sin φ_j e2_p)
    dirs = cphi[None, :, None] * e1[:, None, :] + sphi[None, :, None] * e2[:, None, :]  # (P, M, 3)
    y = radial_t[None, :, None, None] * pts[:, None, None, :] + tang_t[None, :, None, None] * dirs[:, None, :, :]
    dens = rho.pdf(y.reshape(-1, 3)).reshape(len(pts), len(s), m)
    w = (ws * np.exp(-beta * t))[None, :, None] * dens
    den = w.sum(axis=(1, 2))
    radial = np.einsum("pij,i->p", w, radial_t) / den
    c1 = np.einsum("pij,i,j->p", w, tang_t, cphi) / den
    c2 = np.einsum("pij,i,j->p", w, tang_t, sphi) / den
    return radial[:, None] * pts + c1[:, None] * e1 + c2[:, None] * e2


def _montecarlo(rho, pts, beta, samples, ss):
    from ..laws import VonMisesFisher

    d = pts.shape[1]
    law = VonMisesFisher(d, beta, 0.0)
    out = np.empty_like(pts)
    se = np.empty_like(pts)
    for p, x in enumerate(pts):
        rng = generator(ss, p)
        draw = law.draw(rng, samples)
        tang = law.tangents(draw, np.arange(samples), rng)  # (m, d−1) in coordinates of x⊥
        q, _ = np.linalg.qr(np.column_stack([x, np.eye(d)]))
        basis = q[:, 1:d] * np.sign(q[:, :1].T @ x)  # any orthonormal basis of x⊥ (sign is irrelevant)
        radial = 1.0 - draw.distances
        u = tang @ basis.T
        plus = rho.pdf(radial[:, None] * x + u)
        minus = rho.pdf(radial[:, None] * x - u)
        den_i = plus + minus
        num_i = (radial * den_i)[:, None] * x + (plus - minus)[:, None] * u
        mean_den = den_i.mean()
        t = num_i.mean(axis=0) / mean_den
        resid = (num_i - t[None, :] * den_i[:, None]) / mean_den
        out[p] = t
        se[p] = resid.std(axis=0, ddof=1) / np.sqrt(samples)
    return out, se


def population_map_error(density, x, betas, *, d: int | None = None, **kwargs) -> dict:
    """How fast T_β(x) approaches A_d(β)[x + β^{−1}∇_S log ρ(x)]: errors per β and the fitted power.

    Parameters
    ----------
    density, x, d
        As in :func:`population_map`.
    betas : sequence of float
        Inverse temperatures (at least two, distinct).
    **kwargs
        Passed to :func:`population_map`.

    Returns
    -------
    dict
        ``betas``, ``errors`` (max over the points of ‖T_β(x) − A_d(β)[x + ∇log ρ/β]‖), ``drift_size``
        (max ‖A_d(β)∇log ρ/β‖, the signal), ``slope`` and ``prefactor`` of the least-squares fit
        log error = log prefactor + slope·log β. :ref:`theory-limit-laws` predicts slope −2.
    """
    x = np.atleast_2d(np.asarray(x, dtype=float))
    x = x / np.linalg.norm(x, axis=1, keepdims=True)
    d = x.shape[-1] if d is None else d
    rho = as_density(density, d)
    betas = np.asarray([check_real("beta", b, lower=0.0, lower_open=True) for b in betas])
    if len(np.unique(betas)) < 2:
        raise InputError(f"invalid betas={betas.tolist()!r}: expected at least two distinct values > 0")
    grad = rho.grad_log_pdf(x)
    errors, drift = [], []
    for b in betas:
        t = population_map(rho, x, b, d=d, **kwargs)
        first = first_order_map(d, b, x, grad)
        errors.append(float(np.max(np.linalg.norm(t - first, axis=1))))
        drift.append(float(np.max(np.linalg.norm(first - _radial(first, x), axis=1))))
    slope, intercept = np.polyfit(np.log(betas), np.log(errors), 1)
    return {"betas": betas.tolist(), "errors": errors, "drift_size": drift, "slope": float(slope),
            "prefactor": float(np.exp(intercept))}


def _radial(v, x):
    return np.sum(v * x, axis=1, keepdims=True) * x
