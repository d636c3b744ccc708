"""The exact finite-n integrals of :ref:`theory-exact-identities` at every d, n and β (the quadrature behind :mod:`._exact`).

Formulation. With X = βD, s = ln u, τ = s − x, the count
measure n·dG of X and γ_p(τ) = e^{pτ − e^τ}/Γ(p):

* n·Q(s) = ∫ (1 − e^{−e^{s−x}}) n dG(x),  Φ(s) = φ(e^s)^{n−1} = exp((n−1) log1p(−Q));
* E Σ w^p = ∫ Φ(s) k_p(s) ds, k_p(s) = ∫ γ_p(s − x) n dG(x)  (p = 1 gives the normalisation E Σ w = 1);
* E Σ w X = ∫ Φ k_{1,x} ds (the defect β(1 − ⟨q,O⟩)), E Σ w² D(2 − D) = ∫ Φ k_{2,D(2−D)} ds (E|P⊥O|²);
* 1 − E Σ w² = E Σ_{i≠j} w_i w_j = ((n−1)/n) ∫ k_1(s)² φ^{n−2} ds (all terms positive: relative accuracy
  where the IPR tends to 1);
* E max w = ∫ ds ∫ γ_1(s − x) ψ(x)^{n−1} n dG(x), 1 − ψ(x) = Q(s) + ∫_0^x e^{−e^{s−x'}} dG(x');
* 1 − E max w = ∫ ds ∫ γ_1(s − x) (1 − G)^{n−1} (1 − (1 − J/(1 − G))^{n−1}) n dG(x),
  J(x) = ∫_x^∞ (1 − e^{−e^{s−x'}}) dG(x').

Nodes. The count measure lives on the fixed panels of :class:`._counts.CountGrid` (one expected-count
factor e per panel), scaled by β. Where a panel is at most one unit wide in x the kernel is resolved by
its own nodes ("fine" panels, dense keys: small β or the bulk). Where panels are wider (fewer than one
key per unit of x: the supercritical side, and the bulk at high d), the kernel's scale is the finer one,
so on those panels each s gets its own Gauss–Legendre panels in τ = s − x (width 1 for τ ∈ [−8, 3], 4 down
to τ = −80) with the density evaluated there; the part of such a panel below x = s − 5 enters as its
exact count (e^{−e^{5}} < e^{−148}: the kernel is 1 there), the part above the window is dropped. Keys
more than 40 + log n above s enter through exact exponential tail sums e^{ps} Σ_k c_k h_k e^{−p x_k}
(the kernel is e^{pτ} to 4e−18 there; the max-weight integrands are below e^{−40}/n). Keys that cannot
hold the maximum (more than 3200 expected keys between them and s) are left out of the max-weight sums.
The outer integral over s uses 8-node panels between the panel boundaries (thinned to ≥ 1 apart and cut
into pieces of at most max(1, width/4)), widening below the nearest plausible key, from 46 units below
it upwards until φ^{n−1} has underflowed and the max-weight integrands have decayed.

Where β is so large that only the nearest pair of keys matters, :mod:`._extreme` replaces all this.
Hand-written (DESIGN.md asks why): the integrands live on two scales at once — the unit scale of the
kernel in x = βD and the scale on which the expected count changes, which at real head dimensions is
t_n/α_n in D, nothing like a power law — over x up to 1e30 and counts up to 1e18; nested
``scipy.integrate.quad`` finds neither by itself and takes seconds per value (see benchmarks/bench_theory.py).
"""

from __future__ import annotations

import math

import numpy as np
from scipy import special

from ._counts import NODES
from ._measure import DistanceDensity
from ._quad_nodes import _B_FWD, _B_REV, _BELOW, _TAU, _W, _WO, _Y, _YO, _exp, _tails

__all__ = ["FiniteQuadrature"]

_PIECES_W, _PIECES_MAX = 1.0, 8
#: log expected count below which the nearest key is rare enough (e^{−30}) for coarse outer panels.
_RARE = -30.0
#: A fixed panel at most this wide in x resolves the kernel with its own nodes.
_FINE = 1.0
#: Outer panels span at least this much of s.
_MIN_OUTER = 1.0
#: Outer panels grouped into one vectorised block span at most this much of s (where fixed fine panels
#: are evaluated for every s of the block), and number at most _BLOCK_PANELS.
_BLOCK = 8.0
_BLOCK_PANELS = 12


class FiniteQuadrature:
    """All integrals of the module docstring for n keys of ``law`` at β > 0, on the grid ``grid``.

    Parameters
    ----------
    law : KeyLaw
        A law with a known distance CDF (uniform, subsphere, vMF centred on the query).
    grid : CountGrid
        Its count grid for this n.
    beta : float
        β > 0.
    powers : tuple of float
        The p of E Σ w^p to compute.
    max_weight : bool
        Compute E max w and 1 − E max w (the costlier part).
    max_only : bool
        Compute only the direct integral of E max w (``max``; the other entries stay 0).
    moments : bool
        Compute the moments (``power``, ``norm``, ``defect``, ``tangent_sq``, ``one_minus_ipr``; else they
        stay 0): E max w alone needs none of them.
    """

    def __init__(self, law, grid, beta: float, powers=(2.0,), max_weight: bool = True, max_only: bool = False,
                 moments: bool = True):
        self.law, self.g, self.beta = law, grid, float(beta)
        self.max_only = max_only  # only E max w (its direct integral): what a root search on it needs
        self.moments = moments and not max_only
        self.n = grid.n
        self.powers = tuple(float(p) for p in powers)
        self.want_max = max_weight
        self._dens = DistanceDensity(law)
        self._lgam = {p: float(special.gammaln(p)) for p in self.powers}
        # τ above this: e^{pτ − e^τ} and e^{−e^τ} are 0 in float64, and e^{pτ} stays finite
        self._tt_max = min(300.0, 700.0 / max((2.0,) + self.powers))
        # keys above s + this enter through the tail sums (kernel e^{pτ} to 4e−18); the max-weight integrands,
        # which have none, are below e^{−40}/n there (E max w ≥ 1/n)
        self._above = 40.0 + math.log(self.n)
        # leave out the kernel panels of a block that lie outside their run for every s (about half of them at
        # d = 64: the same sums without zero terms, ~1.3× faster); :class:`._sink_quadrature.SinkQuadrature`,
        # which cuts panels at each query's x*, keeps them
        self._drop_empty = True

    # ------------------------------------------------------------------ fixed panels scaled by β
    def _setup(self):
        g, b = self.g, self.beta
        self.xb = b * g.t_b
        self.x = b * g.t
        self.d2 = g.t * g.tbar
        self.fine = np.diff(self.xb) <= _FINE
        self._wd = np.exp(g.log_dens)
        self._fixed = bool(np.any(g.log_fix))
        lw = g.log_dens + np.log(g.weights)[None, :]
        self._lw = lw
        lw = np.where(self.fine[:, None], lw, -np.inf)  # wide panels never enter the tail sums
        terms = {"q": lw - self.x}
        if self.moments:
            with np.errstate(divide="ignore"):
                terms["k1x"] = lw + np.log(self.x) - self.x
                terms["k2d"] = lw + np.log(self.d2) - 2.0 * self.x
            terms.update({p: lw - p * self.x for p in self.powers})
        self.tails = dict(zip(terms, _tails(np.stack(list(terms.values())))))

    def _outer(self):
        """Outer panel ends in s (ascending)."""
        g, xb = self.g, self.xb
        with np.errstate(over="ignore"):
            s_l = -float(special.logsumexp(self._lw - self.x))  # n E e^{−X} e^{s} = 1 here
        lc = g.log_n + g.log_f_b
        rare = xb[min(int(np.searchsorted(lc, _RARE)), xb.size - 1)]  # the nearest key is below with prob. e^{−30}
        s_start = min(s_l, rare) - _BELOW
        big = np.flatnonzero(lc >= math.log(1000.0))
        s_hi = max((xb[big[0]] if big.size else xb[-1]) + _BELOW, s_start + 1.0)
        pts = [np.array([s_start, s_hi]), xb[(xb > s_start) & (xb < s_hi)]]
        if s_start < xb[0]:
            pts.append(np.arange(s_start, min(xb[0], s_hi), _MIN_OUTER))
        if s_hi > xb[-1]:
            pts.append(np.arange(xb[-1], s_hi, _MIN_OUTER))
        pts = np.unique(np.concatenate(pts))
        keep = [pts[0]]
        for v in pts[1:-1]:
            if v - keep[-1] >= _MIN_OUTER * max(1.0, 1e-15 * abs(v)):
                keep.append(v)
        if pts[-1] - keep[-1] < 0.5 * _MIN_OUTER and len(keep) > 1:
            keep[-1] = pts[-1]
        else:
            keep.append(pts[-1])
        # a panel w wide is cut into pieces of at most max(1, E/4), E the width of the count panel it lies
        # in: unit scale where the kernel sets it, E/4 where the count does (wide panels: the integrands
        # vary only as the expected count, by e per panel), and at most 8; below the rare end
        # (probability e^{−25}) one piece is accurate enough
        keep = np.array(keep)
        w = np.diff(keep)
        mid = (keep[1:] + keep[:-1]) / 2.0
        j = np.clip(np.searchsorted(xb, mid) - 1, 0, xb.size - 2)
        inside = (mid > xb[0]) & (mid < xb[-1])
        scale = np.where(inside, np.maximum(_PIECES_W, (xb[j + 1] - xb[j]) / 4.0), _PIECES_W)
        k = np.clip(np.ceil(w / scale - 1e-9), 1, _PIECES_MAX).astype(int)
        k[keep[1:] <= xb[min(int(np.searchsorted(lc, _RARE + 5.0)), xb.size - 1)]] = 1
        i = np.repeat(np.arange(k.size), k)  # piece r of panel i: keep[i] + (keep[i+1] − keep[i])·r/k[i]
        r = np.arange(1, i.size + 1) - np.repeat(np.cumsum(k) - k, k)
        parts = [keep[:1], keep[i] + (keep[i + 1] - keep[i]) * r / k[i]]
        # below s_start every key is more than 5 units above s (or e^{−30}-rare): the integrands are
        # e^{ps}(A + B e^{s} + …) times φ^{n−1} = exp(−e^{s − s_l}), smooth, so panels widen to 8
        depth = 46.0 / min((1.0,) + self.powers)
        widths = np.minimum(2.0 ** np.arange(0, 64), 8.0)
        down = s_start - np.cumsum(widths)
        down = down[: int(np.searchsorted(-down, -(s_start - depth))) + 1][::-1]
        return np.concatenate([down] + parts)

    # ------------------------------------------------------------------ one block of s values
    def _block_nodes(self, s):
        """Nodes of the inner integrals for the s values ``s`` (one block): x, the count weights n dG per
        node (without the Gauss–Legendre weights) and D(2 − D) (only for the moments), each (S, panels,
        NODES); the lumps (S, panels), the count below the first panel and the first panel left to the tail
        sums. A block of fixed fine panels alone has the same nodes for every s: its arrays are (1, panels,
        NODES) and (1, panels), broadcast in the arithmetic (and what depends on the nodes alone is
        computed once)."""
        g, xb, P = self.g, self.xb, self.xb.size - 1
        j0 = int(min(max(np.searchsorted(xb, s[0] - _BELOW, "right") - 1, 0), P))
        j1 = int(min(max(np.searchsorted(xb, s[-1] + self._above, "left"), j0), P))
        below = math.exp(g.log_n + g.log_f_b[j0])
        parts = []
        if j1 > j0:
            fine = self.fine[j0:j1]
            cuts = np.flatnonzero(np.diff(fine.astype(np.int8))) + 1
            for a, bnd in zip(np.concatenate([[0], cuts]), np.concatenate([cuts, [j1 - j0]])):
                ja, jb = j0 + int(a), j0 + int(bnd)
                if fine[a]:
                    parts.append((self.x[None, ja:jb], self._wd[None, ja:jb],
                                  self.d2[None, ja:jb] if self.moments else None, np.zeros((1, jb - ja))))
                else:
                    parts.append(self._coarse(s, ja, jb))
        if not parts:
            z = np.zeros((s.size, 0, NODES))
            return z, z, z, np.zeros((s.size, 0)), below, j1
        if len(parts) == 1:
            x, wd, d2, lumps = parts[0]
        else:
            x, wd, d2, lumps = (None if a[0] is None else np.concatenate(
                [np.broadcast_to(b, (s.size,) + b.shape[1:]) for b in a], axis=1) for a in zip(*parts))
        return x, wd, d2, lumps, below, j1

    def _coarse(self, s, ja, jb):
        """Kernel panels in τ for each s, clipped to the run of wide panels [xb[ja], xb[jb]]; the exact count
        of the run below s − 5 as a lump before its first panel."""
        g, b = self.g, self.beta
        a_x, b_x = self.xb[ja], self.xb[jb]
        lo = np.clip(s[:, None] - _TAU[None, :-1], a_x, b_x)
        hi = np.clip(s[:, None] - _TAU[None, 1:], a_x, b_x)
        if self._drop_empty:
            # kernel panels that lie outside the run for every s of the block carry nothing: left out (their
            # starts, a_x or b_x, never move the max-weight cut); the lump goes before the first one kept
            keep = np.flatnonzero((hi > lo).any(axis=0))
            if keep.size < lo.shape[1]:
                keep = keep if keep.size else np.zeros(1, dtype=int)
                lo, hi = lo[:, keep], hi[:, keep]
        half = (hi - lo) / 2.0
        x = ((hi + lo) / 2.0)[:, :, None] + half[:, :, None] * _Y[None, None, :]
        t = x / b
        live = half > 0
        if self._dens.closed_form:  # two logs a node: cheaper over the whole array than gathered
            with np.errstate(divide="ignore", invalid="ignore"):
                ld = g.log_n + self._dens.log_density(t, 2.0 - t) - math.log(b) + np.log(half)[:, :, None]
            wd = _exp(ld, live[:, :, None])  # empty panels (half = 0) carry nothing
        else:
            # a law's own density (an estimated law: costly) only on the kernel panels inside the run (half > 0;
            # the others, clipped to an end of the run, carry nothing): the same values node by node
            wd = np.zeros(x.shape)
            if live.any():
                xl, tl = x[live], t[live]
                with np.errstate(divide="ignore", invalid="ignore"):
                    ld = g.log_n + self._dens.log_density(tl, 2.0 - tl)
                    if self._fixed:  # the CDF's mass fix of each node's panel
                        ld = ld + g.log_fix[self._count_panel(xl, ja, jb)]
                    ld = ld - math.log(b) + np.log(half[live])[:, None]
                wd[live] = _exp(ld)
        cut = np.clip(s - _BELOW, a_x, b_x)
        inside = cut > a_x  # the lump is 0 elsewhere: the law's CDF only where it is used
        lfa, lsfa = g.log_f_b[ja], g.log_sf_b[ja]
        cnt = np.zeros(s.shape)
        if inside.any():
            lf, lsf = self.law.distance_log_cdf_sf(cut[inside] / b)
            with np.errstate(invalid="ignore"):
                if lfa < math.log(0.5):
                    c_in = np.exp(g.log_n + lfa) * np.expm1(lf - lfa)
                else:
                    c_in = -np.exp(g.log_n + lsfa) * np.expm1(lsf - lsfa)
            cnt[inside] = np.maximum(c_in, 0.0)
        lump = np.zeros(half.shape)
        lump[:, 0] = cnt
        return x, wd, (t * (2.0 - t) if self.moments else None), lump

    def _count_panel(self, x, ja, jb):
        """Index of the count panel (in [ja, jb)) of each node of the kernel panels x (rows ascending): one
        search per row's first and last node, per node only in the rows that straddle a boundary."""
        xb = self.xb
        ends = np.clip(np.searchsorted(xb, x[:, [0, -1]], side="right") - 1, ja, jb - 1)
        j = np.repeat(ends[:, :1], x.shape[1], axis=1)
        split = ends[:, 0] != ends[:, 1]
        if split.any():
            j[split] = np.clip(np.searchsorted(xb, x[split], side="right") - 1, ja, jb - 1)
        return j

    def _block(self, s):
        """The inner integrals at the s values ``s``, each (S,): ``Qn`` = n·Q(s) and, as asked, k_p (by p),
        ``k1``, ``k1x``, ``k2d`` and the max-weight integrands ``M`` and ``OM`` (module docstring). Signs
        are folded where that saves a pass over the nodes: ``fjm`` = −n dG q."""
        n = self.n
        x, wd, d2, lumps, below, j1 = self._block_nodes(s)
        tails = {k: v[j1] for k, v in self.tails.items()}
        with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
            tt = s[:, None, None] - x
            if x.size and s[-1] - x[:, :, 0].min() > self._tt_max:  # (the first node of a panel is its lowest)
                np.minimum(tt, self._tt_max, out=tt)
            e = np.exp(tt)
            ne = -e
            fjm = np.expm1(ne)
            fjm *= wd  # −n dG (1 − e^{−e^τ}) per node
            tot_j = -(fjm @ _W)  # n dG q per panel
            q_tail = np.exp(s + tails["q"])
            qn = below + lumps.sum(axis=1) + tot_j.sum(axis=1) + q_tail
            out = {"Qn": qn}
            # keys above X_cut never hold the maximum: there ψ^{n−1} ≤ exp(−(n−1)·½·3200/n) (each key above
            # s + ½ adds at least ½ to n(1 − ψ)), and (1 − G)^{n−1} ≤ e^{−3200}; the max weight drops their
            # panels. The count n dG e^{−e^τ} and n dG γ_1(τ) of each node: on every panel for the moments, on
            # the first ``cut`` for the max weight alone
            cut = self._max_cut(s, x) if self.want_max and n > 1 else 0
            used = slice(None) if self.moments else slice(0, cut)
            fp = _exp(ne[:, used])
            fp *= wd[:, used]
            wg = fp * e[:, used]
            wg *= _W
            if self.moments:
                wg2 = wg * e  # … and n dG γ_2(τ) = e^τ n dG γ_1(τ)
                for p in self.powers:
                    kp = wg2 if p == 2.0 else wd * _W * _exp(p * tt - e)
                    out[p] = kp.sum(axis=(1, 2)) * math.exp(-self._lgam[p]) + np.exp(p * s + tails[p] - self._lgam[p])
                out["k1"] = wg.sum(axis=(1, 2)) + q_tail
                out["k1x"] = np.einsum("spk,spk->s", wg, x) + np.exp(s + tails["k1x"])
                out["k2d"] = np.einsum("spk,spk->s", wg2, d2) + np.exp(2.0 * s + tails["k2d"])
            if self.want_max and n > 1:
                if not self.max_only:
                    after = (np.cumsum(tot_j[:, ::-1], axis=1)[:, ::-1] - tot_j)[:, :cut]
                    jn = (after + q_tail[:, None])[:, :, None] - fjm[:, :cut] @ _B_REV.T
                wd, fp, wg, lumps = (a[:, :cut] for a in (wd, fp, wg, lumps))
                nm1 = n - 1.0
                tot_p = fp @ _W
                # n(1 − ψ) = nQ(s) + ∫_0^x e^{−e^{s−x'}} n dG(x') at each node, and ψ^{n−1}
                cnt = (qn[:, None] + np.cumsum(tot_p, axis=1) - tot_p)[:, :, None] + fp @ _B_FWD.T
                cnt *= -1.0 / n  # (in place from here: one array for the chain)
                np.log1p(np.fmax(cnt, -1.0, out=cnt), out=cnt)
                cnt *= nm1
                out["M"] = np.einsum("spk,spk->s", wg, _exp(cnt))
                if self.max_only:
                    return out
                tot_g = wd @ _W
                gn = (np.cumsum(tot_g, axis=1) - tot_g + np.cumsum(lumps, axis=1) + below)[:, :, None] + wd @ _B_FWD.T
                np.minimum(gn, float(n), out=gn)
                # (1 − G)^{n−1} (1 − (1 − J/(1 − G))^{n−1}), 0 where G = 1 (the ratio is 1 there). In place:
                # ``ratio`` ends as −(1 − (1 − J/(1 − G))^{n−1}) (1 − G)^{n−1}
                sf = n - gn
                ratio = np.divide(jn, sf, out=np.ones(jn.shape), where=sf > 0)
                np.negative(np.fmin(ratio, 1.0, out=ratio), out=ratio)
                np.log1p(ratio, out=ratio)
                ratio *= nm1
                np.expm1(ratio, out=ratio)
                gn *= -1.0 / n
                np.log1p(gn, out=gn)
                gn *= nm1
                ratio *= _exp(gn)
                out["OM"] = -np.einsum("spk,spk->s", wg, ratio)
        return out

    def _max_cut(self, s, x):
        """Number of leading panels of a block that can hold the maximum weight (see :meth:`_block`)."""
        g, xb = self.g, self.xb
        lc = g.log_n + g.log_f_b
        j = min(int(np.searchsorted(xb, s[-1] + 0.5)), xb.size - 1)
        limit = math.log(math.exp(lc[j]) + 3200.0) if lc[j] < 700.0 else lc[j]
        k = min(int(np.searchsorted(lc, limit)), xb.size - 1)
        if k >= xb.size - 1 or x.shape[1] == 0:
            return x.shape[1]
        starts = x[:, :, 0].min(axis=0)
        return int(np.searchsorted(np.maximum.accumulate(starts), xb[k], "right"))

    def _any_fine(self, s_lo, s_hi, fine_before) -> bool:
        """True when a block of s in [s_lo, s_hi] would evaluate fixed fine panels (its cost grows with
        its span); blocks over wide panels only (per-s kernel panels) may span any range."""
        xb, P = self.xb, self.xb.size - 1
        j0 = int(min(max(np.searchsorted(xb, s_lo - _BELOW, "right") - 1, 0), P))
        j1 = int(min(max(np.searchsorted(xb, s_hi + self._above, "left"), j0), P))
        return bool(fine_before[j1] - fine_before[j0] > 0)

    # ------------------------------------------------------------------ the outer integral
    def _outer_blocks(self, ends):
        """Blocks of outer panels between the ends ``ends`` (ascending), in order: for each, its nodes s and
        weights (Gauss–Legendre, _NO per panel). A block spans at most _BLOCK_PANELS panels and, where it
        evaluates fixed fine panels (whose cost grows with its span), at most _BLOCK of s."""
        fine_before = np.concatenate([[0], np.cumsum(self.fine)])  # fine panels below each boundary
        start = 0
        while start < ends.size - 1:
            stop = start + 1
            while stop < ends.size - 1 and stop - start < _BLOCK_PANELS and (
                    ends[stop + 1] - ends[start] <= _BLOCK or not self._any_fine(ends[start], ends[stop + 1], fine_before)):
                stop += 1
            a, b = ends[start:stop], ends[start + 1:stop + 1]
            mid, half = (a + b) / 2.0, (b - a) / 2.0
            yield (mid[:, None] + half[:, None] * _YO[None, :]).ravel(), (half[:, None] * _WO[None, :]).ravel()
            start = stop

    def integrate(self) -> dict:
        """``power`` {p: E Σ w^p}, ``norm`` (E Σ w = 1 up to the quadrature error), ``defect`` E Σ w βD,
        ``tangent_sq`` E Σ w² D(2 − D), ``one_minus_ipr`` 1 − E Σ w², ``max`` and ``one_minus_max``."""
        self._setup()
        n = self.n
        ends = self._outer()
        tot = {"power": {p: 0.0 for p in self.powers}, "norm": 0.0, "defect": 0.0, "tangent_sq": 0.0,
               "one_minus_ipr": 0.0, "max": 0.0, "one_minus_max": 0.0}
        for s, wo in self._outer_blocks(ends):
            r = self._block(s)
            Q = r["Qn"] / n
            with np.errstate(divide="ignore", invalid="ignore", under="ignore"):
                l1q = np.log1p(-np.minimum(Q, 1.0))
                phi = np.exp((n - 1.0) * l1q) if n > 1 else np.ones_like(Q)
                phi2 = np.exp((n - 2.0) * l1q) if n > 2 else np.ones_like(Q)
            part = {}
            if "k1" in r:
                part = {"norm": float(wo @ (phi * r["k1"])), "defect": float(wo @ (phi * r["k1x"])),
                        "tangent_sq": float(wo @ (phi * r["k2d"])),
                        "one_minus_ipr": float(wo @ (phi2 * r["k1"] ** 2)) * (n - 1.0) / n}
            if "M" in r:
                part["max"] = float(wo @ r["M"])
            if "OM" in r:
                part["one_minus_max"] = float(wo @ r["OM"])
            small = True
            for p in self.powers if "k1" in r else ():
                v = float(wo @ (phi * r[p]))
                tot["power"][p] += v
                small &= abs(v) <= 1e-17 * abs(tot["power"][p])
            for k, v in part.items():
                tot[k] += v
                small &= abs(v) <= 1e-17 * abs(tot[k])
            if n > 1 and small and np.all((n - 1.0) * l1q < -40.0 - 2.0 * math.log(n)):
                break
        return tot
