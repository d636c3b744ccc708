"""E[max weight] at many β for one (law, n): the exact values of :func:`._exact.expected_max_weight`, cheaper
than one call per β (:ref:`theory-exact-identities`).

What a batch shares. The count grid of (law, n) is built once (:func:`._counts.count_grid`, cached) and every
β scales it. :func:`._exact.expected_max_weight` computes two integrals, E max w and E[1 − max w], and reads
the first below 1/2 and the complement above; E max w increases with β. So the β are taken in ascending order,
each from the direct integral alone (:func:`._exact.max_weight_direct`, ~20 % cheaper: the nodes and their
exponentials, shared by both, are most of the cost) until one reaches 1/2, and from both integrals from there
on; at most one direct integral is spent in vain per batch. Values are the single-β values (the same nodes and
sums; where the two-integral march went on past the direct one's, it added less than 1e−17 of the total per
block; measured bitwise equal at d = 2 … 4096, n = 10 … 1e18). An integral of E[1 − max w] alone saves
nothing measurable (measured at d = 64: 25 ms against 25 ms for both), so none is offered.

Why not one quadrature for all β at once: the nodes of the inner integrals are β-dependent (x = βt, and on
wide panels per-s kernel panels in τ = s − x), so merging the blocks of several β into one array saves only
numpy's per-call overhead, and measured at d = 2, 3 and 64 the cost per outer node does not fall with the
block size (13–30 µs per node at 40 to 640 nodes a block: larger arrays leave the cache). See
benchmarks/bench_theory.py for the per-β loop against this.
"""

from __future__ import annotations

import numpy as np

from .._validation import InputError
from ._counts import check_exact_setting
from ._exact import expected_max_weight, max_weight_direct

__all__ = ["expected_max_weights"]


def expected_max_weights(law, n, betas) -> np.ndarray:
    """E max_i w_i at finite n for each β of ``betas``, exact: the values of :func:`expected_max_weight`.

    :ref:`theory-exact-identities`: n ∫_0^∞ E[Y e^{−uY} ψ(u, Y)^{n−1}] du with Y = e^{−βD}; above 1/2 from 1 − E[1 − max w]. The β are
    evaluated in ascending order, from the direct integral alone while E max w < 1/2 (module docstring), and
    each repeated β once.

    Parameters
    ----------
    law : KeyLaw
        A law with an exact distance law and quantile (uniform, subsphere, vMF centred on the query, or an
        :class:`~attnlimits.laws.EstimatedLaw`).
    n : int
        Number of keys, ≥ 1.
    betas : array_like
        Inverse temperatures β ≥ 0 (any shape).

    Returns
    -------
    numpy.ndarray
        E max w at each β, the shape of ``betas``.

    Examples
    --------
    >>> from attnlimits.laws import UniformSphere
    >>> [round(float(v), 6) for v in expected_max_weights(UniformSphere(3), 1000, [100.0, 0.0])]  # :ref:`theory-exact-identities`
    [0.179328, 0.001]
    """
    b = np.asarray(betas, dtype=float)
    flat = b.ravel()
    bad = ~(np.isfinite(flat) & (flat >= 0.0))
    if bad.any():
        raise InputError(f"invalid beta={flat[bad][0]!r}: expected a finite number >= 0")
    n = check_exact_setting(law, n, 0.0)[0]
    values = {}
    above = False
    for beta in np.unique(flat).tolist():
        if n == 1 or beta == 0.0:
            values[beta] = expected_max_weight(law, n, beta)
            continue
        if not above:
            v = max_weight_direct(law, n, beta)
            if v < 0.5:
                values[beta] = v
                continue
            above = True  # E max w increases with β: this β and every larger one need the complement
        values[beta] = expected_max_weight(law, n, beta)  # both integrals; E[1 − max w] is read
    return np.array([values[v] for v in flat.tolist()], dtype=float).reshape(b.shape)
