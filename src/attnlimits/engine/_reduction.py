"""One streaming reduction from which every weight statistic is finished (DESIGN: one reduction, many
statistics).

With D_min the running minimum distance and e_i = exp(−β(D_i − D_min)) ∈ (0, 1], the pass keeps
S0 = Σ e_i, S1 = Σ e_i (D_i − D_min), S2 = Σ e_i², the k smallest distances, and (β = 0 only) Σ D_i.
When a chunk lowers the minimum by δ the sums are rescaled exactly: S0 ← f S0, S1 ← f (S1 + δ S0),
S2 ← f² S2 with f = e^{−βδ}. Then max weight = 1/S0, IPR = S2/S0², entropy = β S1/S0 + log S0 and
Σ w_i D_i = S1/S0 + D_min, with no subtraction that cancels (:ref:`theory-model`: compute in D, log-sum-exp
shifted by the smallest D).
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["ReductionSums", "WeightReduction", "WEIGHT_STATISTICS"]

#: exp(−x) is exactly 0.0 in float64 for x above this.
_EXP_ZERO = 745.2

#: Statistics finished from the weights alone (no key directions needed).
WEIGHT_STATISTICS = ("max_weight", "ipr", "entropy", "effective_support", "nearest_distance", "inner", "defect")


class ReductionSums:
    """The running sums of a streaming softmax reduction and the formulas that finish every statistic from
    them, shared by the numpy and torch reductions and the order-statistics sampler.

    Parameters
    ----------
    beta : float
        Inverse temperature β.
    dmin : float
        D_min, the smallest distance.
    s0, s1, s2 : float
        S0 = Σe_i, S1 = Σe_i(D_i − D_min), S2 = Σe_i², with e_i = e^{−β(D_i − D_min)}.
    smallest : ndarray
        The k smallest distances.
    """

    def __init__(self, beta: float, dmin: float = math.inf, s0: float = 0.0, s1: float = 0.0, s2: float = 0.0,
                 smallest: np.ndarray | None = None):
        self.beta = float(beta)
        self.dmin = dmin
        self.s0, self.s1, self.s2 = s0, s1, s2
        self.smallest = np.empty(0) if smallest is None else smallest

    def weight_of(self, dist: np.ndarray) -> np.ndarray:
        """Final weights of keys at distances ``dist`` (valid once every chunk has been folded in)."""
        return np.exp(-self.beta * (dist - self.dmin)) / self.s0

    @property
    def mean_distance(self) -> float:
        """Σ w_i D_i = 1 − ⟨q,O⟩ (= S1/S0 + D_min at every β, 0 included)."""
        return self.s1 / self.s0 + self.dmin

    def finish(self) -> dict:
        """Every weight statistic of the keys seen so far, and the ``top_weights`` in decreasing order."""
        s0 = self.s0
        entropy = self.beta * self.s1 / s0 + math.log(s0)
        mean_d = self.mean_distance
        top = np.sort(self.weight_of(self.smallest))[::-1]
        return {
            "max_weight": 1.0 / s0,
            "ipr": self.s2 / (s0 * s0),
            "entropy": entropy,
            "effective_support": math.exp(entropy),
            "nearest_distance": self.dmin,
            "inner": 1.0 - mean_d,
            "defect": self.beta * mean_d,
            "top_weights": top,
        }


class WeightReduction(ReductionSums):
    """Streaming, numerically stable reduction of softmax weights w_i ∝ exp(−β D_i) over chunks.

    Parameters
    ----------
    beta : float
        Inverse temperature β ≥ 0.
    k : int
        How many of the largest weights to keep.

    Examples
    --------
    >>> r = WeightReduction(beta=1.0, k=2)
    >>> r.update(np.array([0.0, 1.0]))
    >>> r.update(np.array([1.0]))
    >>> print(f"{r.finish()['max_weight']:.6f}")  # 1 / (1 + 2/e)
    0.576117
    """

    def __init__(self, beta: float, k: int = 10):
        super().__init__(beta)
        self.k = int(k)
        self.count = 0
        self._buf = (np.empty(0), np.empty(0), np.empty(0, dtype=bool))

    def _buffers(self, size: int):
        if self._buf[0].size < size:
            self._buf = (np.empty(size), np.empty(size), np.empty(size, dtype=bool))
        return tuple(b[:size] for b in self._buf)

    def update(self, dist: np.ndarray) -> None:
        """Fold a chunk of distances into the running sums."""
        if dist.size == 0:
            return
        m = float(dist.min())
        if m < self.dmin:
            if self.count:
                delta = self.dmin - m
                f = math.exp(-self.beta * delta)
                self.s1 = f * (self.s1 + delta * self.s0)
                self.s0 *= f
                self.s2 *= f * f
            self.dmin = m
        # Keys with β(D − D_min) > 745.2 weigh exactly 0.0 in float64 (exp underflows), and feeding exp such
        # arguments takes libm's slow path (up to 20× slower). So: where no key can reach that far (D ≤ 2),
        # fold the chunk as it is; where few keys weigh, fold only those; otherwise zero the rest by hand.
        # All three give the same sums up to the order of additions.
        if self.beta * (2.0 - self.dmin) <= _EXP_ZERO:
            self._fold(dist)
        else:
            weighs = self._buffers(dist.size)[2]
            np.less_equal(dist, self.dmin + _EXP_ZERO / self.beta, out=weighs)
            count = int(np.count_nonzero(weighs))
            if 4 * count < dist.size:
                self._fold(dist[weighs])
            else:
                self._fold(dist, zero=np.logical_not(weighs, out=weighs))
        self.count += dist.size
        if self.smallest.size < self.k or m < self.smallest.max():
            self._update_smallest(dist)

    def _fold(self, dist: np.ndarray, zero: np.ndarray | None = None) -> None:
        """Add e_i, e_i (D_i − D_min) and e_i² of a chunk to S0, S1, S2 (entries ``zero`` weigh exactly 0)."""
        shifted, e, _ = self._buffers(dist.size)
        np.subtract(dist, self.dmin, out=shifted)
        np.multiply(shifted, -self.beta, out=e)
        if zero is not None:
            np.copyto(e, 0.0, where=zero)
        np.exp(e, out=e)
        if zero is not None:
            np.copyto(e, 0.0, where=zero)
        self.s0 += float(e.sum())
        # einsum, not BLAS dot: a threaded BLAS call per chunk costs more than the sum on a busy machine.
        self.s1 += float(np.einsum("i,i->", e, shifted))
        self.s2 += float(np.einsum("i,i->", e, e))

    def _update_smallest(self, dist: np.ndarray) -> None:
        if self.smallest.size >= self.k:
            cand = dist[dist < self.smallest.max()]
        else:
            cand = dist
        if cand.size > self.k:
            cand = np.partition(cand, self.k - 1)[: self.k]
        merged = np.concatenate([self.smallest, cand])
        if merged.size > self.k:
            merged = np.partition(merged, self.k - 1)[: self.k]
        self.smallest = merged
