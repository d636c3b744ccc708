"""β_{1/2}(n) by simulation with common random numbers: the β at which the mean max weight is 1/2.

For each replicate the nearest keys' distances are drawn once; the replicate's max weight
W(β) = 1/Σ_i e^{−β(D_i − D_(1))} is then a smooth, increasing function of β (its derivative is
W²·Σ (D_i − D_(1)) e^{−β(D_i − D_(1))} ≥ 0), so the sample mean ḡ(β) of W over replicates is smooth and
increasing, and its root ḡ(β̂) = 1/2 is found by safeguarded Newton in log β with that derivative (a few
passes over the sample). The standard error follows from the delta method:
SE(log β̂) = sd_r(W_r(β̂)) / (√R · dḡ/dlog β(β̂)).

Two ways to get the nearest distances of one replicate:

- ``dense``: all n distances drawn with ``law.draw`` (any law, n up to ~1e6); keys with
  β_lo·(D − D_(1)) > ``CUT`` are dropped — together they weigh at most n·e^{−CUT} against the nearest key's 1
  at every β ≥ β_lo, and that bound is reported as ``dropped_bound``.
- ``orderstat``: the m smallest of n distances exactly, from exponential spacings pushed through the law's
  quantile function (``law.distance_ppf_log``, SPEC §1; n up to 1e18 at a cost independent of n), with m grown
  until β_lo·(D_(m) − D_(1)) ≥ ``REACH``. The other n − m keys enter through their exact conditional mean
  (n − m)·E[e^{−β(D − D_(1))} | D > D_(m)], by Gauss–Laguerre quadrature in x = β(D − D_(m)) of the law's
  exact density. Their fluctuation around that mean is dropped: its standard deviation is below
  √(n·E[e^{−2β(D−D_(1))}; D > D_(m)]) ≤ e^{−REACH/2}·√(tail mean), reported per estimate as ``tail_share``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy import special

from .._rng import as_seed_sequence, generator
from .._validation import InputError, check_int, check_real
from ..engine._orderstat import OrderSpacings, spacing_logs

__all__ = ["BracketMiss", "HalfWeightEstimate", "NearestSample", "beta_half_crn", "estimate_beta_half", "mean_max_weight_curve",
           "nearest_block", "nearest_sample", "nested_dense_samples", "one_minus_max_weight"]

#: Dense draws: keys beyond β_lo·(D − D_(1)) > CUT are dropped (each weighs < e^{−CUT} relative to the nearest).
CUT = 40.0
#: Order statistics: m grows until β_lo·(D_(m) − D_(1)) ≥ REACH.
REACH = 20.0
#: Most nearest keys drawn exactly per replicate.
MAX_NEAREST = 1 << 16
#: Keys per block of a dense draw.
_BLOCK = 1 << 16
#: Gaps per block of rows in :meth:`NearestSample.near_sums` (a 256 KiB float32 buffer: stays in cache).
_CACHE_ELEMENTS = 1 << 16
_LAGUERRE_X, _LAGUERRE_W = special.roots_laguerre(48)


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

    @property
    def samples(self) -> int:
        return self.gaps.shape[0]

    def far_sums(self, beta: float) -> tuple[np.ndarray, np.ndarray]:
        """Per replicate, the far keys' (n − m)·E[e^{−β(D − D_(1))} | D > D_(m)] and
        (n − m)·E[(D − D_(1)) e^{−β(D − D_(1))} | D > D_(m)] (minus the first's derivative in β); zeros for
        dense samples. With s = D_(m) + x/β both are Gauss–Laguerre sums in x of the law's exact density."""
        if self.far_count is None:
            return np.zeros(self.samples), np.zeros(self.samples)
        t = self.far_start
        x = _LAGUERRE_X[None, :]
        s = t[:, None] + x / beta
        with np.errstate(divide="ignore", invalid="ignore"):
            logf = np.asarray(self.law.distance_logpdf(np.minimum(s, 2.0)), dtype=float)
        logf = np.where(s < 2.0, logf, -np.inf)
        terms = np.exp(logf) * _LAGUERRE_W[None, :]
        with np.errstate(over="ignore", under="ignore"):
            scale = self.far_count * np.exp(-beta * (t - self.d1) - self.far_log_sf) / beta
        return terms.sum(axis=1) * scale, (terms * (s - self.d1[:, None])).sum(axis=1) * scale

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
    ``seed``), enough of them for every β ≥ ``beta_lo`` (see the module docstring)."""
    n = check_int("n", n, minimum=1)
    samples = check_int("samples", samples, minimum=2)
    beta_lo = check_real("beta_lo", beta_lo, lower=0.0, lower_open=True)
    root = as_seed_sequence(seed)
    rows, d1s, extra = [], [], []
    for r in range(samples):
        rng = generator(root, r)
        if method == "dense":
            rows.append(_dense_row(law, n, rng, beta_lo))
        elif method == "orderstat":
            gaps, far = _orderstat_row(law, n, rng, beta_lo)
            rows.append(gaps)
            extra.append(far)
        else:
            raise InputError(f"invalid method={method!r}: expected dense or orderstat")
        d1s.append(rows[-1][0])
        if progress:
            progress(r + 1, samples)
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


def _orderstat_row(law, n: int, rng, beta_lo: float):
    """The m nearest of n distances (exact) and (n − m, D_(m), log P(D > D_(m)))."""
    spacings = OrderSpacings(rng, n)
    dist = np.empty(0)
    m = 64
    while True:
        m = min(m, n, MAX_NEAREST)
        have = dist.size
        spacings.extend(m)
        log_p, log_q = spacings.logs(m)
        more = np.asarray(law.distance_ppf_log(log_p[have:], log_q[have:]), dtype=float)
        dist = np.maximum.accumulate(np.concatenate([dist, more]))
        if m >= n or m >= MAX_NEAREST or beta_lo * (dist[-1] - dist[0]) >= REACH:
            break
        m *= 2
    far = n - dist.size
    return dist, (far, float(dist[-1]), -float(spacings.s[m - 1]) if far else 0.0)


@dataclass
class HalfWeightEstimate:
    """β̂_{1/2} with its standard error (of β̂ and of log β̂), the sample it came from, and ḡ on a grid."""

    n: int
    beta: float
    se: float
    log_se: float
    samples: int
    method: str
    slope: float  # dḡ/dlog β at β̂
    tail_share: float
    dropped_bound: float

    def to_dict(self) -> dict:
        return dict(self.__dict__)


def mean_max_weight_curve(sample: NearestSample, betas) -> tuple[np.ndarray, np.ndarray]:
    """(mean, SE) of the max weight over replicates at each β in ``betas`` (all ≥ the sample's β_lo)."""
    means, ses = [], []
    for b in np.atleast_1d(betas):
        w = sample.max_weights(float(b))
        means.append(w.mean())
        ses.append(w.std(ddof=1) / math.sqrt(w.size))
    return np.array(means), np.array(ses)


class BracketMiss(InputError):
    """The mean max weight does not cross the level inside the bracket; ``side`` ("low" or "high") says which
    end is on the wrong side."""

    def __init__(self, message: str, side: str):
        super().__init__(message)
        self.side = side


#: Newton stops when its step in log β is below this, or below 4 ulps of the gaps' dtype: float32 gaps are
#: multiplied by float32(β), so ḡ is a step function of β at a relative resolution of 6e−8 there.
_XTOL = 1e-10


def _newton_log_beta(sample: NearestSample, lo: float, hi: float, level: float, start: float):
    """Root x = log β of ḡ(β) − level in (lo, hi) by safeguarded Newton, with the analytic slope
    dḡ/dlog β = mean_r β W_r² Σ_i (D_i − D_(1)) e^{−β(D_i − D_(1))}: ḡ is increasing, so every evaluation
    narrows a bracket, a step leaving it is replaced by the unevaluated end (to test it) or by bisection, and
    the bracket ends are evaluated only when the iteration reaches them. Returns (x, W_r, dW_r/dlog β, slope)
    at the last evaluation, where the Newton step is below ``_XTOL`` (or the dtype's resolution)."""
    a, b = lo, hi
    a_known = b_known = False
    xtol = max(_XTOL, 4.0 * float(np.finfo(sample.gaps.dtype).eps))
    x = min(max(start, lo), hi)
    for _ in range(300):
        w, dw = sample.max_weights_and_slopes(math.exp(x))
        f, fp = float(w.mean()) - level, float(dw.mean())
        if x == lo and f >= 0.0 or x == hi and f <= 0.0:
            side = "low" if x == lo else "high"
            raise BracketMiss(f"invalid bracket beta in [{math.exp(lo):.6g}, {math.exp(hi):.6g}] at n={sample.n}: mean "
                              f"max weight is {f + level:.4g} at the {side} end, not across {level}", side)
        if f < 0.0:
            a, a_known = x, True
        else:
            b, b_known = x, True
        step = -f / fp if fp > 0.0 else math.copysign(math.inf, -f)
        if abs(step) <= xtol:
            return x, w, dw, fp
        nxt = x + step
        if not a < nxt < b:
            if nxt >= b and not b_known:
                nxt = b
            elif nxt <= a and not a_known:
                nxt = a
            else:
                nxt = 0.5 * (a + b)
        if nxt == x:  # the bracket cannot shrink further in float64
            return x, w, dw, fp
        x = nxt
    raise RuntimeError(f"Newton iteration for beta_1/2 did not converge at n={sample.n}")


def beta_half_crn(sample: NearestSample, beta_hi: float, *, level: float = 0.5,
                  start: float | None = None) -> HalfWeightEstimate:
    """Root of ḡ(β) = ``level`` in [β_lo, ``beta_hi``] with its delta-method standard error.

    The root is found by safeguarded Newton in log β from ``start`` (default: the bracket's geometric
    middle) to a step below 1e−10 (see :func:`_newton_log_beta`); SE(log β̂) = sd_r(W_r(β̂))/(√R·dḡ/dlog β).

    Raises
    ------
    BracketMiss (an InputError)
        When ḡ(β_lo) ≥ level or ḡ(β_hi) ≤ level (the bracket misses the root: widen it).
    """
    lo, hi = math.log(sample.beta_lo), math.log(beta_hi)
    x0 = 0.5 * (lo + hi) if start is None else math.log(start)
    root, w, _, slope = _newton_log_beta(sample, lo, hi, level, x0)
    beta = math.exp(root)
    log_se = float(w.std(ddof=1) / math.sqrt(w.size) / slope)
    return HalfWeightEstimate(sample.n, beta, beta * log_se, log_se, sample.samples, sample.method, slope,
                              sample.tail_share(sample.beta_lo), sample.dropped_bound)


def estimate_beta_half(law, n: int, samples: int, seed, guess: float, *, method: str = "orderstat",
                       pilot: int = 48, progress=None) -> tuple[HalfWeightEstimate, NearestSample]:
    """β̂_{1/2}(n) with its SE: a small pilot (``pilot`` replicates, its own streams) locates the root from
    ``guess`` by steps of ×3, then ``samples`` replicates bracket it in [β_p/3, 3β_p] (see :func:`beta_half_crn`);
    should the main sample's mean not cross 1/2 in that bracket (a pilot far off), the bracket widens by ×3 on
    the side that missed and the same replicates are drawn again (same streams) to the new β_lo.

    Returns the estimate and the main sample (for curves of the mean max weight)."""
    ss = as_seed_sequence(seed)
    pilot_ss = np.random.SeedSequence(ss.entropy, spawn_key=tuple(ss.spawn_key) + (1 << 30,))
    g = float(guess)
    for _ in range(12):
        s = nearest_sample(law, n, pilot, pilot_ss, g / 2.0, method=method)
        try:
            g = beta_half_crn(s, 2.0 * g, start=g).beta
            break
        except BracketMiss as miss:
            g = g / 3.0 if miss.side == "low" else g * 3.0
    else:
        raise InputError(f"invalid guess={guess!r} at n={n}: no β with mean max weight 1/2 within a factor 3^12")
    lo, hi = g / 3.0, 3.0 * g
    for _ in range(6):
        sample = nearest_sample(law, n, samples, ss, lo, method=method, progress=progress)
        try:
            return beta_half_crn(sample, hi, start=g), sample
        except BracketMiss as miss:
            if miss.side == "low":
                lo /= 3.0
            else:
                hi *= 3.0
    raise InputError(f"invalid guess={guess!r} at n={n}: the mean max weight does not cross 1/2 in "
                     f"[{lo:.6g}, {hi:.6g}]")


def nearest_block(law, n: int, samples: int, m: int, seed) -> NearestSample:
    """Vectorised order statistics: the m nearest of n distances for ``samples`` replicates at once (one stream
    below ``seed``), the other n − m keys through their conditional mean as in :func:`nearest_sample`. For
    many cheap replicates (m small), where a per-replicate loop would dominate."""
    n = check_int("n", n, minimum=2)
    m = check_int("m", m, minimum=2, maximum=n - 1)
    rng = generator(as_seed_sequence(seed), 0)
    e = rng.standard_exponential((samples, m)) / (n - np.arange(m, dtype=float))[None, :]
    s = np.cumsum(e, axis=1)
    dist = np.asarray(law.distance_ppf_log(*spacing_logs(s)), dtype=float).reshape(samples, m)
    dist = np.maximum.accumulate(dist, axis=1)
    out = NearestSample(law, n, 0.0, "orderstat", dist - dist[:, :1], dist[:, 0].copy())
    out.far_count = np.full(samples, float(n - m))
    out.far_start = dist[:, -1].copy()
    out.far_log_sf = -s[:, -1]
    return out


def one_minus_max_weight(sample: NearestSample, beta: float) -> np.ndarray:
    """1 − W_1 per replicate without cancellation: R/(1 + R), R = Σ_{i≥2} e^{−β(D_(i) − D_(1))} + far keys."""
    with np.errstate(under="ignore"):
        rest = np.exp(-beta * sample.gaps[:, 1:]).sum(axis=1) + sample.far_sum(beta)
    return rest / (1.0 + rest)
