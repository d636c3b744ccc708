"""The output vector of a zonal key law from one scalar per key: an exact scalar recursion (issue 13).

For a zonal law (the keys' law is invariant under rotations fixing the query: uniform keys, vMF centred on
the query, a great subsphere through it; :attr:`KeyLaw.zonal_dimension`) the tangent components are
P⊥K_i = r_i U_i with r_i = √(D_i(2 − D_i)) and U_i i.i.d. uniform on the unit sphere of q⊥ ≅ R^m,
independent of the distances. The output needs only two scalars of T = Σ_i a_i U_i, a_i = w_i r_i:

    |P⊥O|² = |S + a_(1) U_(1)|²,      |O − K_(1)|² = (Σ_i w_i D_i − D_(1))² + |S − b U_(1)|²,

with S = Σ_{i≠(1)} a_i U_i and b = r_(1)(1 − w_(1)). For independent rotation-invariant X, Y in R^m,

    |X + Y|² = |X|² + |Y|² + 2|X||Y|c = (|X| − |Y|)² + 2|X||Y|·u,      u = 1 + c,

where c, the cosine between X and Y, is independent of |X|, |Y| and u/2 ~ Beta((m−1)/2, (m−1)/2) (m = 1:
c = ±1); X + Y is again rotation invariant. u has the law of the distance D of a key uniform on S^{m−1}, so
it is drawn by :func:`~attnlimits.laws.uniform_distances` (O(1) work whatever m). The sum S is therefore
built from the radii a_i alone, merging two partial sums at a time; the last step uses one more u for
both |S + a_(1)U_(1)|² = (|S| − a_(1))² + 2a_(1)|S|u and |S − bU_(1)|² = (|S| − b)² + 2b|S|(2 − u).
Every expression is a sum of non-negative terms, so no squared radius can come out negative (the clamp at
0 holds by construction) and small results keep their relative precision; radii are merged relative to
the largest one, so no square underflows. This is exact in law: the numbers differ draw by draw from the
vector path's (which draws m Gaussians per key) and agree in law (tested). Everything is float64, with
e_i = e^{−β(D_i − D_min)} in place of w_i = e_i/S0 until the end, and 1 − w_(1) = Σ_{i≠(1)} e_i/S0 summed
directly (not 1 − 1/S0, which cancels when one key dominates).

Merge order and streams (part of the definition of the results). The pairing depends on the keys' indices
only, never on chunks, caching or workers. The leaves of stream block b (keys b·B … b·B + B − 1) are its
keys that weigh (β(D − D_min) < 745.2: the others are exactly 0.0 in float64), in key order, the nearest key
(the first at D_min) among them as an empty leaf, a = 0, added at the end.

- Inside block b the L leaves merge as a complete binary tree over their order, (0, 1), (2, 3), … level by
  level, an odd last node going up alone. The block draws its L − 1 values of u in one call from the
  stream at spawn key ``(2, b)`` below the replicate's seed (numpy: PCG64 and :func:`zonal_u`; torch, for
  laws drawn on the device: a torch generator there seeded from the same child, and the device version of
  the same formulas) and uses them in merge order.
- Across blocks the block sums merge along the binary tree of block indices (two subtrees merge at their
  lowest common ancestor; blocks without leaves are skipped), in the order of a left-to-right stack (a
  merge happens as soon as no later block can join the right subtree first), with u from the stream at
  spawn key ``(3,)``: its first draw is the nearest key's u, then one per cross-block merge, in order.
"""

from __future__ import annotations

import math

import numpy as np

from .._rng import generator
from ..laws._uniform import uniform_distances
from ._reduction import _EXP_ZERO

#: Slack of :func:`may_weigh` (above 745.2, so rounding cannot drop a key that weighs).
_NEAR_SLACK = 746.0

__all__ = ["zonal_u", "merge_radii", "tree_radius", "may_weigh", "ZonalOutput", "zonal_output"]


def zonal_u(rng: np.random.Generator, size: int, m: int) -> np.ndarray:
    """``size`` i.i.d. draws of u = 1 + c, c the cosine between two independent uniform directions of R^m.

    u/2 ~ Beta((m−1)/2, (m−1)/2): the law of D = 1 − ⟨q,K⟩ for K uniform on S^{m−1} (m ≥ 2, drawn by
    :func:`~attnlimits.laws.uniform_distances` with full relative precision near u = 0); m = 1: u ∈ {0, 2}
    with probability 1/2 each (c = ±1).
    """
    if m == 1:
        return np.where(rng.random(size) < 0.5, 0.0, 2.0)
    return uniform_distances(rng, size, m)


def merge_radii(xp, x, y, u):
    """|X + Y| = √((|X| − |Y|)² + 2|X||Y|u) from the radii |X|, |Y| and u = 1 + cos(X, Y) (terms ≥ 0)."""
    return xp.sqrt((x - y) ** 2 + 2.0 * (x * y) * u)


def tree_radius(xp, radii, u) -> float:
    """|Σ_i a_i U_i| of independent rotation-invariant leaves, merged pairwise as a complete binary tree over
    their order: (0, 1), (2, 3), … level by level, an odd last node going up alone.

    Parameters
    ----------
    xp : module
        ``numpy`` or ``torch``, the arrays' library (the same code runs on both, on any torch device).
    radii : float64 array
        Leaf radii a_i ≥ 0 in key order, best scaled so that the largest is 1 (then no square underflows).
    u : float64 array
        len(radii) − 1 values of u = 1 + c (:func:`zonal_u`), one per merge, used level by level (lowest
        level first) and in order within a level.

    Returns
    -------
    float
        The radius of the sum (0.0 without leaves).
    """
    if radii.shape[0] == 0:
        return 0.0
    used = 0
    while radii.shape[0] > 1:
        half = radii.shape[0] // 2
        merged = merge_radii(xp, radii[0:2 * half:2], radii[1:2 * half:2], u[used:used + half])
        radii = xp.concatenate([merged, radii[2 * half:]])
        used += half
    return float(radii[0])


def may_weigh(red) -> float:
    """A bound, D ≤ D_min + 746/β + 4 ulp(D_min), met by every key whose weight is not 0.0
    (β(D − D_min) < 745.2) for any D_min at or below ``red.dmin`` (β > 0): a cheap superset test (one
    comparison per key; the margin covers the rounding of both sides), made exact afterwards."""
    return red.dmin + _NEAR_SLACK / red.beta + 4.0 * math.ulp(red.dmin)


class ZonalOutput:
    """Pass 2 of a zonal law: block by block, the leaf radii a_i of the keys that weigh and their tree sum,
    and the stack that merges the block sums; then |P⊥O|² and |O − K_(1)|² (see the module docstring).

    Parameters
    ----------
    red : ReductionSums
        The finished pass-1 sums (β, D_min, S0, S1 on the host).
    m : int
        Tangent dimension of the law (:attr:`KeyLaw.zonal_dimension`).
    seed : SeedSequence
        The replicate's seed (stream ``(3,)``: the nearest key's u, then the cross-block merges).
    """

    def __init__(self, red, m: int, seed: np.random.SeedSequence):
        self.beta, self.dmin, self.s0, self.s1 = red.beta, red.dmin, red.s0, red.s1
        self.m = int(m)
        self._rng = generator(seed, 3)
        self._u_nearest = float(zonal_u(self._rng, 1, self.m)[0])
        self._stack: list[tuple[int, float]] = []  # (block index, |Σ| of its subtree), left to right
        self._nearest_r2 = None  # r_(1)² = D_(1)(2 − D_(1))
        self._rest = 0.0  # Σ_{i≠(1)} e_i over the keys that weigh: S0 − 1 without the cancellation

    def add_block(self, xp, b: int, dist, draw_u) -> None:
        """Fold block ``b`` of the stream: float64 distances ``dist`` (a numpy array or a torch tensor on any
        device), in key order, of every key of the block or of a superset of those that weigh (pass 1's
        kept keys); ``draw_u(count)`` draws ``count`` u from the block's stream ``(2, b)``.

        The leaves are the keys that weigh (e_i = e^{−β(D_i − D_min)} is not 0.0 in float64) in key order,
        the nearest key among them as an empty leaf (a = 0: it is added at the end); a block of L leaves
        draws its L − 1 values of u in one call."""
        dmin = self.dmin
        if self.beta * (2.0 - dmin) >= _EXP_ZERO:  # some keys may weigh 0.0: keep those that do not
            d = dist[dist <= may_weigh(self)]
            d = d[(d - dmin) * self.beta < _EXP_ZERO]
            if d.shape[0] == 0:
                return
        else:
            d = dist
        e = xp.exp((d - dmin) * -self.beta)
        if self._nearest_r2 is None:
            hit = xp.where(d == dmin)[0]
            if hit.shape[0]:
                j = int(hit[0])
                d1 = float(d[j])
                self._nearest_r2 = d1 * (2.0 - d1)
                e[j] = 0.0
        self._rest += float(e.sum())
        a = e * xp.sqrt(d * (2.0 - d))  # e_i r_i
        top = float(a.max())
        if top == 0.0:  # only keys without a tangent part (at the query or its antipode, or the nearest)
            return
        leaves = a.shape[0]
        self._push(b, top * tree_radius(xp, a / top, draw_u(leaves - 1) if leaves > 1 else a[:0]))

    def _push(self, b: int, radius: float) -> None:
        # two neighbours merge once no later block can join the right one first: when the right one's lowest
        # common ancestor with the new block is not below its lowest common ancestor with the left one
        stack = self._stack
        while len(stack) >= 2 and (stack[-2][0] ^ stack[-1][0]).bit_length() <= (stack[-1][0] ^ b).bit_length():
            self._merge_top()
        stack.append((b, radius))

    def _merge_top(self) -> None:
        (b, x), (_, y) = self._stack[-2], self._stack.pop()
        self._stack[-1] = (b, _sum_radius(x, y, float(zonal_u(self._rng, 1, self.m)[0])))

    def finish(self) -> dict:
        """``tangent_sq`` = |P⊥O|² and ``output_gap_sq`` = |O − K_(1)|² (after every block was added)."""
        while len(self._stack) >= 2:
            self._merge_top()
        s0 = self.s0
        s = self._stack[0][1] / s0 if self._stack else 0.0  # |S|
        r1 = math.sqrt(self._nearest_r2)
        a, b = r1 / s0, r1 * (self._rest / s0)  # a_(1) = w_(1) r_(1), b = r_(1)(1 − w_(1))
        u = self._u_nearest
        radial = self.s1 / s0  # Σ w_i D_i − D_(1)
        return {"tangent_sq": _sum_radius(s, a, u) ** 2,
                "output_gap_sq": radial * radial + _sum_radius(s, b, 2.0 - u) ** 2}


def _sum_radius(x: float, y: float, u: float) -> float:
    """|X + Y| = √((|X| − |Y|)² + 2|X||Y|u) for radii x, y, computed relative to the larger one."""
    top = max(x, y)
    if top == 0.0:
        return 0.0
    x, y = x / top, y / top
    return top * math.sqrt((x - y) ** 2 + 2.0 * x * y * u)


def zonal_output(law, red, blocks, seed: np.random.SeedSequence) -> dict:
    """Pass 2 on the host (numpy) for a zonal ``law``: ``blocks`` yields ``(b, distances)`` for the stream
    blocks in order (all the block's keys, or pass 1's kept keys: a superset of those that weigh, in key
    order); returns ``tangent_sq`` and ``output_gap_sq`` (:class:`ZonalOutput`)."""
    m = law.zonal_dimension
    out = ZonalOutput(red, m, seed)
    for b, dist in blocks:
        out.add_block(np, b, dist, lambda count, b=b: zonal_u(generator(seed, 2, b), count, m))
    return out.finish()
