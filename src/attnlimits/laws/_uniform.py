"""Keys uniform on the sphere S^{d−1} (:ref:`theory-model`), and on a great subsphere through the query."""

from __future__ import annotations

import math

import numpy as np

from .._validation import check_dimension, check_int
from ._base import Draw, KeyLaw, uniform_directions

# The theory's special functions (and ._beta_tail) load scipy, so they are imported where used, not here:
# importing the package (and the CLI's --help) stays light.

__all__ = ["UniformSphere", "Subsphere", "uniform_distances", "uniform_distances_torch"]


def uniform_distances(rng: np.random.Generator, size: int, d: int) -> np.ndarray:
    """Draw D = 1 − ⟨q,K⟩ for K uniform on S^{d−1}, exactly and with O(1) work per key (:ref:`theory-model`).

    d = 2: D = 2 sin²(πU/2); d = 3: D = 2U (⟨q,K⟩ is uniform on [−1, 1]); d ≥ 4: Ulrich's (1984)
    symmetric-beta construction, ⟨q,K⟩ = ρ cos(2πU2) with ρ = √(1 − V), V = U1^{2/(d−2)} (ρ is the radius
    of the projection of K on a 2-plane through q), written as D = V/(1 + ρ) + 2ρ sin²(πU2): a sum of two
    non-negative terms, so D keeps full relative precision near 0. Two uniforms per key, whatever d.
    """
    if d == 3:
        u = rng.random(size)
        u *= 2.0
        return u
    if d == 2:
        u = rng.random(size)
        u *= np.pi / 2.0
        np.sin(u, out=u)
        u *= u
        u *= 2.0
        return u
    v = rng.random(size)
    np.log(v, out=v)
    v *= 2.0 / (d - 2)
    np.exp(v, out=v)  # V = U1^{2/(d−2)}
    rho = 1.0 - v
    np.sqrt(rho, out=rho)  # ρ = √(1 − V)
    out = rng.random(size)
    out *= np.pi
    np.sin(out, out=out)
    out *= out
    out *= rho
    out *= 2.0  # 2ρ sin²(πU2)
    rho += 1.0
    np.divide(v, rho, out=v)  # 1 − ρ = V/(1 + ρ)
    out += v
    return out


def uniform_distances_torch(torch, gen, size: int, k: int, device):
    """D for keys uniform on S^{k−1}, in float64 on a torch ``device`` from the ``torch.Generator`` ``gen``:
    the formulas of :func:`uniform_distances` (k = 2, 3 closed form; k ≥ 4 Ulrich's symmetric beta).

    Parameters
    ----------
    torch : module
        The torch module (passed in: importing the laws never imports torch).
    gen : torch.Generator
        The stream the uniforms come from.
    size : int
        Number of distances.
    k : int
        Dimension of the ambient space of the sphere S^{k−1}.
    device : torch.device

    Returns
    -------
    torch.Tensor
        ``size`` distances, float64.
    """
    f64 = torch.float64
    if k == 3:
        return torch.empty(size, dtype=f64, device=device).uniform_(0.0, 2.0, generator=gen)
    if k == 2:
        u = torch.rand(size, generator=gen, dtype=f64, device=device)
        return u.mul_(math.pi / 2.0).sin_().square_().mul_(2.0)
    v = torch.rand(size, generator=gen, dtype=f64, device=device)
    v.log_().mul_(2.0 / (k - 2)).exp_()  # V = U1^{2/(k−2)}
    rho = torch.sub(1.0, v).sqrt_()  # ρ = √(1 − V)
    out = torch.rand(size, generator=gen, dtype=f64, device=device)
    out.mul_(math.pi).sin_().square_().mul_(2.0).mul_(rho)  # 2ρ sin²(πU2)
    rho.add_(1.0)
    return out.add_(v.div_(rho))  # + (1 − ρ) = V/(1 + ρ)


class UniformSphere(KeyLaw):
    """Keys i.i.d. uniform on S^{d−1}: D/2 ~ Beta(α, α), α = (d−1)/2, F(t) ~ c_d t^α (:ref:`theory-model`).

    Parameters
    ----------
    d : int
        Dimension of the ambient space, in [2, 4096].

    Examples
    --------
    >>> law = UniformSphere(3)
    >>> law.local_exponent, round(float(np.exp(law.log_local_constant)), 12)
    (1.0, 0.5)
    """

    has_distance_law = True
    has_quantile = True
    symmetric_distance = True
    can_rebuild_keys = True
    vmf_concentration = 0.0

    spec_name = "uniform"

    def __init__(self, d: int):
        self.d = check_dimension(d)
        self.spec = "uniform"
        self._k = self.d  # dimension of the sphere the keys live on
        from ..theory._sphere_constants import log_uniform_constant, uniform_alpha

        self.local_exponent = uniform_alpha(self._k)
        self.log_local_constant = log_uniform_constant(self._k)

    @property
    def zonal_dimension(self) -> int:
        """m = k − 1: the tangent directions are uniform on the unit sphere of R^{k−1} (k = d for S^{d−1})."""
        return self._k - 1

    @property
    def sphere_parameters(self) -> tuple[int, float]:
        """(k, 0): uniform on S^{k−1} (k = d for the whole sphere)."""
        return self._k, 0.0

    @property
    def device_sampler(self):
        """D for keys uniform on S^{k−1}, drawn on a torch device (``uniform_distances_torch``)."""
        k = self._k

        def sample(torch, generator, size, device):
            return uniform_distances_torch(torch, generator, size, k, device)

        return sample

    @property
    def cache_key(self):
        """(class, (d,)): uniform laws of equal dimension share the theory's caches."""
        return (type(self), (self.d,))

    def draw(self, rng, size):
        return Draw(uniform_distances(rng, size, self._k))

    def tangents(self, draw, index, rng):
        dist = draw.distances[index]
        radius = np.sqrt(dist * (2.0 - dist))
        return radius[:, None] * uniform_directions(rng, len(index), self._k - 1)

    def distance_cdf(self, t):
        from ..theory._special import uniform_distance_cdf

        return uniform_distance_cdf(t, self._k)

    def distance_sf(self, t):
        from ..theory._special import uniform_distance_sf

        return uniform_distance_sf(t, self._k)

    def distance_logpdf(self, t):
        from ..theory._special import uniform_distance_logpdf

        return uniform_distance_logpdf(t, self._k)

    def distance_log_cdf_sf(self, t, tbar=None):
        """(log F(t), log(1 − F(t))), each with relative accuracy on its own side: D/2 ~ Beta(α, α) is
        symmetric, so the far side of t is the near side of t̄ = 2 − t (``laws._beta_tail``; :ref:`theory-model`)."""
        from ._beta_tail import symmetric_beta_logcdf

        t = np.asarray(t, dtype=float)
        tbar = 2.0 - t if tbar is None else np.asarray(tbar, dtype=float)
        with np.errstate(divide="ignore", invalid="ignore", under="ignore"):
            lower = t <= 1.0
            half = np.where(lower, t, tbar) / 2.0
            near = symmetric_beta_logcdf(np.clip(half, 0.0, 0.5), float(self.local_exponent))
            far = np.log1p(-np.exp(near))
            return np.where(lower, near, far), np.where(lower, far, near)

    def distance_ppf_log(self, log_p, log_q):
        """F^{-1}(p) = 2·I^{-1}_p(α, α) from log p and log(1 − p) (:ref:`theory-model`), from whichever side is
        smaller (Beta(α, α) is symmetric: F^{-1}(p) = 2 − F^{-1}(1 − p)); relative accuracy ~1e−15 at
        p down to 1e−300 wherever the result is a normal float64 (``laws._beta_tail``)."""
        log_p = np.asarray(log_p, dtype=float)
        log_q = np.asarray(log_q, dtype=float)
        lower = log_p <= log_q
        side = np.where(lower, log_p, log_q)
        a = self.local_exponent
        if a == 1.0:  # d = 3: D/2 is uniform
            x = np.exp(side)
        elif a == 0.5:  # d = 2: F(t) = (2/π) arcsin √(t/2)
            x = np.sin(np.exp(side) * (np.pi / 2.0)) ** 2
        else:
            from ._beta_tail import symmetric_beta_ppf_log

            x = symmetric_beta_ppf_log(side, a)
        return np.where(lower, 2.0 * x, 2.0 - 2.0 * x)[()]

    def draw_given_distances(self, distances):
        return Draw(np.asarray(distances, dtype=float))

    def __reduce__(self):
        return (type(self), (self.d,))


class Subsphere(UniformSphere):
    """Keys uniform on a great subsphere S^{k−1} through the query (2 ≤ k ≤ d): local exponent (k−1)/2
    whatever d (:ref:`theory-scales`) — the law of D is that of uniform keys in dimension k.

    Parameters
    ----------
    d : int
        Dimension of the ambient space, in [2, 4096].
    k : int
        Dimension of the subspace holding the subsphere, 2 ≤ k ≤ d.

    Examples
    --------
    >>> Subsphere(64, 3).local_exponent
    1.0
    """

    spec_name = "subsphere"
    spec_syntax = "subsphere:K"

    def __init__(self, d: int, k: int):
        d = check_dimension(d)
        k = check_int("subsphere dimension k", k, minimum=2, maximum=d)
        super().__init__(k)
        self.d = d
        self._k = k
        self.spec = f"subsphere:{k}"

    #: Keys on a proper subsphere have no density on the whole sphere.
    vmf_concentration = None

    @classmethod
    def from_spec(cls, arguments: str, d: int) -> Subsphere:
        """``subsphere:K``: keys on a great subsphere S^{K−1} through the query."""
        if not arguments:
            raise ValueError("subsphere needs K")
        return cls(d, int(arguments))

    @property
    def cache_key(self):
        """(class, (d, k)): subsphere laws with equal parameters share the theory's caches."""
        return (type(self), (self.d, self._k))

    def __reduce__(self):
        return (type(self), (self.d, self._k))
