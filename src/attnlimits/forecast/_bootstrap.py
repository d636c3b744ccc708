"""Block bootstrap over the fitting window: blocks of consecutive queries are drawn with replacement within
each stratum (the fitting bin, and the part of the trend window below it), and, independently, blocks of
consecutive key positions (every query of a window sees the same keys, so the laws' randomness is mostly the
keys'); every estimate is refitted on each resample (:func:`~._fit.fit_estimate`). Per-query values are
autocorrelated, so single queries are never resampled alone."""

from __future__ import annotations

import numpy as np

__all__ = ["block_resample", "bootstrap_forecasts"]


def block_resample(index, block: int, rng) -> np.ndarray:
    """A block-bootstrap resample of ``index`` (consecutive order): ⌈len/block⌉ blocks of ``block``
    consecutive entries, with uniformly random starts (circular), concatenated and cut to len(index).

    Parameters
    ----------
    index : array of int
        The stratum, in order.
    block : int
        Block length.
    rng : numpy.random.Generator
        Random stream.

    Returns
    -------
    ndarray of int
        Entries of ``index`` (with repeats), the same length.
    """
    index = np.asarray(index)
    L = index.size
    if L == 0:
        return index.copy()
    b = min(block, L)
    starts = rng.integers(0, L, -(-L // b))
    pos = (starts[:, None] + np.arange(b)[None, :]).ravel() % L
    return index[pos[:L]]


def bootstrap_forecasts(data, origin_idx, lower_idx, ns, *, options, rng) -> dict:
    """{kind: array (resamples, len(ns))} of the forecasts refitted on block resamples of the fitting window.

    Parameters
    ----------
    data : WindowData
        The trend window's per-query data.
    origin_idx, lower_idx : array of int
        The fitting bin and the rest of the trend window (indices into ``data.rows``), each in order.
    ns : sequence of int
        Target visible counts.
    options : ForecastOptions
        Resamples, block, threshold, β groups, variants.
    rng : numpy.random.Generator
        Random stream of this head.

    Returns
    -------
    dict
        kind → (resamples, len(ns)) float array.
    """
    from ._fit import fit_estimate
    from ._kinds import forecast_values

    draws = []
    span = int(max(int(p.max()) for p in data.key_position)) + 1
    for _ in range(options.resamples):
        o = block_resample(origin_idx, options.block, rng)
        low = block_resample(lower_idx, options.block, rng)
        counts = np.bincount(block_resample(np.arange(span), options.block, rng), minlength=span)
        est = fit_estimate(data, o, np.concatenate([low, o]), options.sink_threshold, key_counts=counts)
        draws.append(forecast_values(est, ns, groups=options.beta_groups, variants=options.variants))
    return {k: np.array([d[k] for d in draws], dtype=float) for k in draws[0]}
