"""Nearest-keys samples of R replicates, to evaluate every replicate's max weight at many β (common random
numbers): the samples behind the β_{1/2} estimators (:mod:`attnlimits.claims._halfweight`).

For each replicate the nearest keys' distances are drawn once; its max weight
W(β) = 1/Σ_i e^{−β(D_i − D_(1))} is then a smooth, increasing function of β. Two ways to get them:

- ``dense``: all n distances drawn with ``law.draw`` (any law, n up to ~1e6); keys with
  β_lo·(D − D_(1)) > ``CUT`` are dropped — together they weigh at most n·e^{−CUT} against the nearest key's 1
  at every β ≥ β_lo, and that bound is reported as ``dropped_bound``.
- ``orderstat``: the m smallest of n distances exactly, from the nearest-keys engine
  (:func:`._nearest.nearest_keys`, n up to 1e18 at a cost independent of n), grown at β_lo until the far keys'
  share is below ``TAIL_TOL`` (it then is at every β ≥ β_lo) or m reaches ``MAX_NEAREST``
  (a :class:`~._nearest.TailToleranceWarning`). The other n − m keys enter through their exact conditional mean
  (n − m)·E[e^{−β(D − D_(1))} | D > D_(m)], by the engine's far-key quadrature (:func:`._tail.tail_sums`);
  their fluctuation around it is dropped: each weight moves by less than the far share, which is below
  ``tail_tol`` and reported per estimate as ``tail_share``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .._rng import as_seed_sequence, generator
from .._validation import InputError, check_int, check_real
from ._nearest import MAX_NEAREST, TAIL_TOL, nearest_keys, scaled_spacings, spacing_logs, warn_at_cap
from ._tail import tail_sums

__all__ = ["CUT", "NearestSample", "nearest_block", "nearest_sample", "nested_dense_samples",
           "one_minus_max_weight"]

#: Dense draws: keys beyond β_lo·(D − D_(1)) > CUT are dropped (each weighs < e^{−CUT} relative to the nearest).
CUT = 40.0
#: Keys per block of a dense draw.
_BLOCK = 1 << 16
#: Gaps per block of rows in :meth:`NearestSample.near_sums` (a 256 KiB float32 buffer: stays in cache).
_CACHE_ELEMENTS = 1 << 16


#: β values whose far sums a sample keeps (the estimators revisit a few β: a root, its bracket, a report).
_FAR_MEMO = 8


@dataclass
class NearestSample:
    """Nearest distances of R replicates, padded: ``gaps[r, i] = D_(i) − D_(1)`` (inf where absent; sorted,
    except in :func:`nested_dense_samples`, whose rows hold the nearest first and the rest unsorted), the nearest
    distance ``d1[r]``, and what is needed for the far keys' conditional mean (orderstat only)."""

    law: object
    n: int
    beta_lo: float
    method: str
    gaps: np.ndarray
    d1: np.ndarray
    far_count: np.ndarray = field(default=None)
    far_start: np.ndarray = field(default=None)
    far_log_sf: np.ndarray = field(default=None)
    dropped_bound: float = 0.0
    #: far_sums by β, for the few β a caller asks about repeatedly (a result is a pure function of β).
    _far_memo: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def samples(self) -> int:
        return self.gaps.shape[0]

    def far_sums(self, beta: float) -> tuple[np.ndarray, np.ndarray]:
        """Per replicate, the far keys' (n − m)·E[e^{−β(D − D_(1))} | D > D_(m)] and
        (n − m)·E[(D − D_(1)) e^{−β(D − D_(1))} | D > D_(m)] (minus the first's derivative in β); zeros for
        dense samples. Both by the engine's far-key quadrature (:func:`._tail.tail_sums`)."""
        if self.far_count is None:
            return np.zeros(self.samples), np.zeros(self.samples)
        hit = self._far_memo.get(float(beta))
        if hit is None:
            f0, f1 = tail_sums(self.law, beta, self.far_start, self.d1, self.far_log_sf)
            some = self.far_count > 0
            hit = (np.where(some, self.far_count * f0, 0.0), np.where(some, self.far_count * f1, 0.0))
            if len(self._far_memo) >= _FAR_MEMO:
                self._far_memo.pop(next(iter(self._far_memo)))
            self._far_memo[float(beta)] = hit
        return hit[0].copy(), hit[1].copy()

    def far_sum(self, beta: float) -> np.ndarray:
        """(n − m)·E[e^{−β(D − D_(1))} | D > D_(m)] per replicate (zero for dense samples)."""
        return self.far_sums(beta)[0]

    def near_sums(self, beta: float, *, moment: bool = False):
        """Σ_i e^{−β g_ri} per replicate over the stored gaps g (and Σ_i g_ri e^{−β g_ri} when ``moment``), in
        blocks of rows small enough to stay in cache, through one reused buffer (sums in float64)."""
        rows, width = self.gaps.shape
        step = max(1, _CACHE_ELEMENTS // max(1, width))
        buf = np.empty((min(step, rows), width), dtype=self.gaps.dtype)
        scale = self.gaps.dtype.type(-beta)
        s0 = np.empty(rows)
        s1 = np.empty(rows) if moment else None
        with np.errstate(under="ignore", invalid="ignore"):
            for i in range(0, rows, step):
                g = self.gaps[i:i + step]
                e = buf[: g.shape[0]]
                np.multiply(g, scale, out=e)
                np.exp(e, out=e)
                s0[i:i + step] = e.sum(axis=1, dtype=np.float64)
                if moment:  # padding: g = inf where e = 0
                    np.multiply(e, g, out=e, where=e > 0)
                    s1[i:i + step] = e.sum(axis=1, dtype=np.float64)
        return (s0, s1) if moment else s0

    def max_weights(self, beta: float) -> np.ndarray:
        """W_r(β) for every replicate."""
        return 1.0 / (self.near_sums(beta) + self.far_sum(beta))

    def max_weights_and_slopes(self, beta: float) -> tuple[np.ndarray, np.ndarray]:
        """W_r(β) and dW_r/dlog β = β·W_r²·Σ_i (D_i − D_(1)) e^{−β(D_i − D_(1))} (≥ 0) for every replicate."""
        s0, s1 = self.near_sums(beta, moment=True)
        f0, f1 = self.far_sums(beta)
        w = 1.0 / (s0 + f0)
        return w, beta * w * w * (s1 + f1)

    def tail_share(self, beta: float) -> float:
        """Largest share of the normaliser carried by the far keys' conditional mean, over replicates."""
        if self.far_count is None:
            return 0.0
        far = self.far_sum(beta)
        return float(np.max(far * self.max_weights(beta)))


def nested_dense_samples(law, ns, samples: int, seed, beta_lo, *, progress=None) -> list:
    """Nested dense samples: replicate r draws max(ns) keys once and the sample at n uses its first n keys, so
    the estimates at different n share randomness (their errors are correlated). ``beta_lo`` is one β_lo per n.
    Returns one :class:`NearestSample` per n (``method="dense"``).

    Each row keeps the keys within CUT/β_lo of its nearest one, nearest first and the rest in draw order (the
    max weight is a sum, so no sort is needed). Gaps are stored in float32 to halve memory where every key is
    kept (high d): a relative rounding of 6e−8 in a gap changes e^{−β·gap} by at most 6e−8·CUT ≈ 2.4e−6
    relative, far below any standard error here."""
    ns = [check_int("n", n, minimum=1) for n in ns]
    root = as_seed_sequence(seed)
    rows = [[] for _ in ns]
    d1 = np.empty((len(ns), samples))
    for r in range(samples):
        dist = law.draw(generator(root, r), max(ns)).distances
        for j, n in enumerate(ns):
            prefix = dist[:n]
            first = int(np.argmin(prefix))
            d1[j, r] = prefix[first]
            cut = d1[j, r] + CUT / beta_lo[j]
            keep = prefix <= cut
            keep[first] = False
            gaps = np.empty(int(np.count_nonzero(keep)) + 1, dtype=np.float32)
            gaps[0] = 0.0
            np.subtract(prefix[keep], d1[j, r], out=gaps[1:], casting="same_kind")
            rows[j].append(gaps)
        if progress:
            progress(r + 1, samples)
    out = []
    for j, n in enumerate(ns):
        width = max(g.size for g in rows[j])
        gaps = np.empty((samples, width), dtype=np.float32)  # pages are touched row by row as the rows are freed,
        for r in range(samples):  # so the peak stays near one copy
            g = rows[j][r]
            rows[j][r] = None
            gaps[r, : g.size] = g
            gaps[r, g.size:] = np.inf
        sample = NearestSample(law, n, beta_lo[j], "dense", gaps, d1[j].copy())
        sample.dropped_bound = float(n * math.exp(-CUT))
        out.append(sample)
    return out


def nearest_sample(law, n: int, samples: int, seed, beta_lo: float, *, method: str = "orderstat",
                   progress=None) -> NearestSample:
    """Draw the nearest distances of ``samples`` independent replicates (replicate r: stream (r,) below
    ``seed``), enough of them for every β ≥ ``beta_lo`` (see the module docstring).

    Parameters
    ----------
    law : KeyLaw
        The key law (``orderstat``: one with ``has_distance_law`` and ``has_quantile``).
    n : int
        Keys per replicate.
    samples : int
        Replicates R ≥ 2.
    seed : int, sequence of int or SeedSequence
        Root of the replicates' streams.
    beta_lo : float
        The smallest β the sample serves (> 0).
    method : {"orderstat", "dense"}
        Nearest keys by order statistics (any n) or by drawing all n distances.
    progress : callable, optional
        Called as ``progress(done, samples)``.

    Returns
    -------
    NearestSample
        Warns (:class:`~._nearest.TailToleranceWarning`, once) where replicates stopped at ``MAX_NEAREST``
        with the far keys' share above ``TAIL_TOL`` at ``beta_lo``.
    """
    n = check_int("n", n, minimum=1)
    samples = check_int("samples", samples, minimum=2)
    beta_lo = check_real("beta_lo", beta_lo, lower=0.0, lower_open=True)
    if method not in ("dense", "orderstat"):
        raise InputError(f"invalid method={method!r}: expected dense or orderstat")
    root = as_seed_sequence(seed)
    rows, d1s, extra, capped = [], [], [], []
    for r in range(samples):
        rng = generator(root, r)
        if method == "dense":
            rows.append(_dense_row(law, n, rng, beta_lo))
        else:
            near = nearest_keys(law, n, beta_lo, rng, tail_tol=TAIL_TOL, max_nearest=MAX_NEAREST)
            rows.append(near.dist)
            extra.append((near.far, float(near.dist[-1]), near.log_tail_prob if near.far else 0.0))
            bound = near.t_hi / (near.near_sum + near.t_hi)
            if near.at_cap(bound, TAIL_TOL):
                capped.append(bound)
        d1s.append(rows[-1][0])
        if progress:
            progress(r + 1, samples)
    if capped:
        warn_at_cap(min(n, MAX_NEAREST), max(capped), TAIL_TOL,
                    f"{len(capped)} of {samples} replicates, n={n}, beta_lo={beta_lo:.6g}")
    width = max(len(x) for x in rows)
    gaps = np.full((samples, width), np.inf)
    for r, row in enumerate(rows):
        gaps[r, : row.size] = row - row[0]
    out = NearestSample(law, n, beta_lo, method, gaps, np.array(d1s))
    if method == "dense":
        out.dropped_bound = float(n * math.exp(-CUT))
    else:
        far = np.array(extra, dtype=float)
        out.far_count, out.far_start, out.far_log_sf = far[:, 0], far[:, 1], far[:, 2]
        if np.all(out.far_count == 0):
            out.far_count = None
    return out


def _dense_row(law, n: int, rng, beta_lo: float) -> np.ndarray:
    kept = np.empty(0)
    best = math.inf
    for start in range(0, n, _BLOCK):
        dist = law.draw(rng, min(_BLOCK, n - start)).distances
        best = min(best, float(dist.min()))
        cut = best + CUT / beta_lo
        kept = np.concatenate([kept[kept <= cut], dist[dist <= cut]])
    return np.sort(kept)


def nearest_block(law, n: int, samples: int, m: int, seed) -> NearestSample:
    """Vectorised order statistics: the m nearest of n distances for ``samples`` replicates at once (one stream
    below ``seed``), the other n − m keys through their conditional mean as in :func:`nearest_sample`. For
    many cheap replicates (m small, fixed: no growth loop), where a per-replicate loop would dominate.

    Parameters
    ----------
    law : KeyLaw
        A law with ``has_distance_law`` and ``has_quantile``.
    n : int
        Keys per replicate (≥ 2).
    samples : int
        Replicates.
    m : int
        Nearest keys kept exactly, 2 ≤ m < n.
    seed : int, sequence of int or SeedSequence
        Stream (0,) below it gives every replicate's spacings (:func:`._nearest.scaled_spacings`).

    Returns
    -------
    NearestSample
    """
    n = check_int("n", n, minimum=2)
    m = check_int("m", m, minimum=2, maximum=n - 1)
    rng = generator(as_seed_sequence(seed), 0)
    s = np.cumsum(scaled_spacings(rng, n, 0, m, rows=samples), axis=1)
    dist = np.asarray(law.distance_ppf_log(*spacing_logs(s)), dtype=float).reshape(samples, m)
    dist = np.maximum.accumulate(dist, axis=1)
    out = NearestSample(law, n, 0.0, "orderstat", dist - dist[:, :1], dist[:, 0].copy())
    out.far_count = np.full(samples, float(n - m))
    out.far_start = dist[:, -1].copy()
    out.far_log_sf = -s[:, -1]
    return out


def one_minus_max_weight(sample: NearestSample, beta: float) -> np.ndarray:
    """1 − W_1 per replicate without cancellation: R/(1 + R), R = Σ_{i≥2} e^{−β(D_(i) − D_(1))} + far keys.

    Parameters
    ----------
    sample : NearestSample
        Sorted gaps (not :func:`nested_dense_samples`, which is fine too: the sum does not need the order).
    beta : float
        β.

    Returns
    -------
    ndarray, shape (R,)
    """
    with np.errstate(under="ignore"):
        rest = np.exp(-beta * sample.gaps[:, 1:]).sum(axis=1) + sample.far_sum(beta)
    return rest / (1.0 + rest)
