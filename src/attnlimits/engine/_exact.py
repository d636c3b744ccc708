"""The exact engine: all n keys drawn and reduced in a streaming pass, memory independent of n.

Keys are drawn in fixed blocks of ``STREAM_BLOCK`` keys; block ``b`` of a replicate takes its distances
from the stream at spawn key ``(0, b)`` and its directions from ``(1, b)`` below the replicate's seed
(:mod:`attnlimits._rng`), so a result does not depend on the chunk size used to reduce it.

Pass 1 folds the distances into a :class:`WeightReduction`. When the output vector is asked for, pass 2
revisits the blocks (cached when small, else drawn again from the same streams) and uses the keys whose
weight is not exactly zero in float64 (β(D − D_min) < 745.2), which above the critical scale are a handful.
For a zonal law (:attr:`KeyLaw.zonal_dimension` set) it runs the exact scalar recursion of
:mod:`._zonal` (one scalar draw per key, streams ``(2, b)`` and ``(3,)``); otherwise it rebuilds the tangent
components P⊥K of those keys (:func:`finish_output`, stream ``(1, b)``).
"""

from __future__ import annotations

import numpy as np

from .._rng import generator
from ._reduction import _EXP_ZERO, WeightReduction
from ._zonal import may_weigh, zonal_output

__all__ = ["attend_exact", "STREAM_BLOCK", "finish_output"]

#: Keys per random-stream block (part of the definition of the stream: changing it changes results).
STREAM_BLOCK = 1 << 16
#: Pass 1 keeps its draws for pass 2 below this many keys.
_CACHE_KEYS = 1 << 22
#: Above that, for a zonal law, pass 1 keeps the keys that may weigh (:func:`._zonal.may_weigh` with the
#: running D_min, a superset of the final β(D − D_min) < 745.2), up to this many; more, and pass 2 draws the
#: blocks again.
_NEAR_KEYS = 1 << 20
#: Rows × dimension of tangent vectors materialised at once in pass 2.
_TANGENT_ELEMENTS = 1 << 21


def _blocks(n: int):
    for b, start in enumerate(range(0, n, STREAM_BLOCK)):
        yield b, min(STREAM_BLOCK, n - start)


def attend_exact(law, n: int, beta: float, seed: np.random.SeedSequence, *, k: int = 10,
                 output: bool = True, chunk_size: int = STREAM_BLOCK, sinks=()) -> dict:
    """One replicate: a query attending to ``n`` i.i.d. keys of ``law`` at inverse temperature β.

    Weights w_i = e^{−βD_i}/Σ_j e^{−βD_j}, computed in D with the log-sum-exp shifted by the smallest D
    (:ref:`theory-model`).

    Parameters
    ----------
    law : KeyLaw
        The key law.
    n : int
        Number of keys (memory is O(min(n, STREAM_BLOCK)·d) whatever n).
    beta : float
        Inverse temperature β ≥ 0.
    seed : SeedSequence
        The replicate's seed; its child (0, b) seeds block b's distances, (1, b) its directions (vector
        path) or (2, b) and (3,) the scalar recursion of a zonal law.
    k : int
        Number of top weights to report.
    output : bool
        Also build the output vector O = Σ w_i K_i (``tangent_sq`` = ‖P⊥O‖², ``output_gap_sq`` = ‖O − K_(1)‖²);
        without it only pass 1 runs.
    chunk_size : int
        Keys per reduction step (≤ STREAM_BLOCK is useful; results agree to rounding whatever it is).
    sinks : sequence of float
        Scores s_j of fixed keys beside the n random ones (:ref:`theory-sinks`), in the units of ⟨q,K⟩: each enters the
        softmax at distance a_j = 1 − s_j (logit β s_j), folded in after the random keys by the same shifted
        reduction (so the replicate is shifted by its own largest logit, sink or not). Needs ``output``
        False: a fixed score gives no key direction.

    Returns
    -------
    dict
        ``max_weight, ipr, entropy, effective_support, nearest_distance, inner, defect, top_weights`` and,
        with ``output``, ``tangent_sq, output_gap_sq``. With sinks the weights run over all m + n keys
        (``inner`` = Σ w⟨q,K⟩ counts s_j for sink j), ``nearest_distance`` stays the random keys' nearest,
        and ``sink_weight`` (their total) and ``sink_weight_0``, ``sink_weight_1``, … are added.
    """
    red = WeightReduction(beta, k)
    zonal = output and law.zonal_dimension is not None
    cache = [] if output and n <= _CACHE_KEYS else None
    near = _NearKeys() if zonal and cache is None and beta > 0.0 else None
    for b, size in _blocks(n):
        draw = law.draw(generator(seed, 0, b), size)
        for start in range(0, size, chunk_size):
            red.update(draw.distances[start:start + chunk_size])
        if cache is not None:
            cache.append(draw)
        elif near is not None and not near.add(b, draw.distances, red):
            near = None
    if len(sinks):
        nearest = red.dmin
        a = 1.0 - np.asarray(sinks, dtype=float)
        red.update(a)
        stats = red.finish()
        stats["nearest_distance"] = nearest
        w = red.weight_of(a)
        stats["sink_weight"] = float(w.sum())
        stats.update({f"sink_weight_{j}": float(v) for j, v in enumerate(w)})
        return stats
    stats = red.finish()
    if output:
        draws = cache if cache is not None else (law.draw(generator(seed, 0, b), size) for b, size in _blocks(n))
        if not zonal:
            stats.update(finish_output(law, red, ((b, draw) for b, draw in enumerate(draws)), seed))
        elif near is not None:
            stats.update(zonal_output(law, red, near, seed))
        else:
            stats.update(zonal_output(law, red, ((b, draw.distances) for b, draw in enumerate(draws)), seed))
    return stats


class _NearKeys(list):
    """Pass 1's record, block by block, of the keys that may still weigh: ``(b, distances)``."""

    kept = 0

    def add(self, b: int, dist: np.ndarray, red: WeightReduction) -> bool:
        """Keep block b's keys under :func:`may_weigh` of the running D_min; False once over _NEAR_KEYS
        (pass 2 then draws the blocks again: same keys, same result)."""
        near = dist[dist <= may_weigh(red)]
        if near.size:
            self.append((b, near))
            self.kept += near.size
        return self.kept <= _NEAR_KEYS


def finish_output(law, red: WeightReduction, draws, seed) -> dict:
    """Pass 2: |P⊥O|² and |O − K_(1)|² from the keys whose final weight is non-zero.

    ``draws`` yields ``(block, Draw)`` for every block in order; block b's directions come from the
    stream ``(1, b)`` below ``seed``, consumed in key order.
    """
    beta, dmin = red.beta, red.dmin
    total = None
    nearest = None
    for b, draw in draws:
        dist = draw.distances
        if beta == 0.0:
            sel = np.arange(dist.size)
        else:
            sel = np.flatnonzero(beta * (dist - dmin) < _EXP_ZERO)
        if sel.size == 0:
            continue
        rng = generator(seed, 1, b)
        rows = max(1, _TANGENT_ELEMENTS // law.d)
        for start in range(0, sel.size, rows):
            idx = sel[start:start + rows]
            tang = law.tangents(draw, idx, rng)
            part = red.weight_of(dist[idx]) @ tang
            total = part if total is None else total + part
            if nearest is None:
                hit = np.flatnonzero(dist[idx] == dmin)
                if hit.size:
                    nearest = tang[hit[0]]
    tangent_sq = float(total @ total)
    radial_gap = red.mean_distance - dmin
    diff = total - nearest
    return {"tangent_sq": tangent_sq, "output_gap_sq": radial_gap * radial_gap + float(diff @ diff)}
