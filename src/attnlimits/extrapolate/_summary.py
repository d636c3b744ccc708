"""Per-head selectivity each recipe leaves: the max weight of sampled query rows at [T/2, T) and [T, 2T), with
its change, summarised over heads."""

from __future__ import annotations

import math

import numpy as np

__all__ = ["max_weight_summary"]


def _mean_se(x: np.ndarray) -> tuple:
    """Mean and SE (sd/√n) of the last axis."""
    n = x.shape[-1]
    se = x.std(axis=-1, ddof=1) / math.sqrt(n) if n > 1 else np.full(x.shape[:-1], np.nan)
    return x.mean(axis=-1), se


def max_weight_summary(short: dict, long: dict, reference: str | None = "none") -> dict:
    """Per recipe and head, the mean max weight of the sampled rows in [T/2, T) and [T, 2T) with SEs, the change
    (long − short of the same recipe, and long − short of ``reference``: the head as trained, at T), and their
    medians over heads.

    Parameters
    ----------
    short, long : dict of str to numpy.ndarray
        Recipe → max weights, shape (layers, heads, rows): the rows sampled in [T/2, T) and in [T, 2T), every
        window's pooled (the same rows for every recipe).
    reference : str, optional
        The recipe whose [T/2, T) value is "the one the head had" (``none``: the unmodified model); ignored when
        absent from ``short``.

    Returns
    -------
    dict
        Recipe → ``median_short``, ``median_long``, ``median_delta`` (own), ``median_delta_vs_reference`` (None
        without the reference), ``rows`` ([short, long]), and ``heads``: per (layer, head) ``short``,
        ``short_se``, ``long``, ``long_se``, ``delta``, ``delta_vs_reference``.

    Examples
    --------
    >>> s = {"none": np.full((1, 1, 4), 0.5)}
    >>> l = {"none": np.array([[[0.3, 0.4, 0.3, 0.4]]])}
    >>> round(max_weight_summary(s, l)["none"]["median_delta"], 6)
    -0.15
    """
    ref = short.get(reference) if reference is not None else None
    ref_mean = None if ref is None else _mean_se(ref)[0]
    out = {}
    for name in short:
        ms, ss = _mean_se(short[name])
        ml, sl = _mean_se(long[name])
        delta = ml - ms
        dref = None if ref_mean is None else ml - ref_mean
        heads = []
        for li in range(ms.shape[0]):
            for h in range(ms.shape[1]):
                heads.append({"layer": li, "head": h, "short": float(ms[li, h]), "short_se": float(ss[li, h]),
                              "long": float(ml[li, h]), "long_se": float(sl[li, h]), "delta": float(delta[li, h]),
                              "delta_vs_reference": None if dref is None else float(dref[li, h])})
        out[name] = {"median_short": float(np.median(ms)), "median_long": float(np.median(ml)),
                     "median_delta": float(np.median(delta)),
                     "median_delta_vs_reference": None if dref is None else float(np.median(dref)),
                     "rows": [int(short[name].shape[-1]), int(long[name].shape[-1])], "heads": heads}
    return out
