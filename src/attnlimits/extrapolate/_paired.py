"""Mean losses with block standard errors, and paired differences between recipes on the same tokens.

Per-token losses are autocorrelated, so their SE comes from blocks of consecutive positions (256): the
positions [lo, hi) of a window are cut into blocks [lo + 256b, lo + 256(b + 1)) ∩ [lo, hi), blocks of every
window pooled. With block sums s_b over c_b tokens (b = 1 … B), the mean is the ratio μ = Σ s_b / Σ c_b and its
SE the cluster (ratio-estimator) one,

    SE(μ) = √(B/(B − 1) · Σ_b (s_b − μ c_b)²) / Σ_b c_b,

which is sd(block means)/√B when the blocks are equal. A paired difference between recipes A and R is the
same on the per-token differences: their block sums are s_b(A) − s_b(R) on the same tokens, so the blocks stay
paired and the shared variation of the text (hard passages are hard for every recipe) cancels.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["BLOCK", "block_sums", "ratio_mean_se", "loss_summary"]

#: Positions per block.
BLOCK = 256


def block_sums(losses, lo: int, hi: int, block: int = BLOCK) -> tuple:
    """Sums and counts of ``losses[p]`` over the blocks of positions [lo, hi).

    Parameters
    ----------
    losses : array_like
        Per-position values of one window (position p at index p).
    lo, hi : int
        The range of positions (hi is clipped to ``len(losses)``).
    block : int
        Positions per block (the last block may be shorter).

    Returns
    -------
    tuple of numpy.ndarray
        (sums, counts), one entry per block.

    Examples
    --------
    >>> block_sums(np.arange(10.0), 2, 9, 4)
    (array([14., 21.]), array([4, 3]))
    """
    x = np.asarray(losses, dtype=float)
    hi = min(int(hi), x.size)
    starts = np.arange(lo, hi, block)
    sums = np.add.reduceat(x[lo:hi], starts - lo) if starts.size else np.zeros(0)
    counts = np.minimum(starts + block, hi) - starts
    return sums, counts


def ratio_mean_se(sums, counts) -> tuple:
    """The mean Σs/Σc over blocks and its block (cluster) standard error (module docstring).

    Parameters
    ----------
    sums, counts : array_like
        Per block: the sum of the values and how many there are.

    Returns
    -------
    tuple
        (mean, se): floats; se is NaN with fewer than two blocks.

    Examples
    --------
    >>> ratio_mean_se([2.0, 6.0], [2, 2])
    (2.0, 1.0)
    """
    s, c = np.asarray(sums, dtype=float), np.asarray(counts, dtype=float)
    total = c.sum()
    mean = float(s.sum() / total) if total else math.nan
    B = s.size
    if B < 2:
        return mean, math.nan
    se = math.sqrt(B / (B - 1) * float(np.sum((s - mean * c) ** 2))) / float(total)
    return mean, se


def loss_summary(sums: dict, counts, reference: str) -> dict:
    """Each recipe's mean loss with its block SE, and its paired difference from ``reference``.

    Parameters
    ----------
    sums : dict of str to array_like
        Recipe → block sums of its per-token losses, over the same blocks (same tokens, same order: every
        window's blocks pooled) for every recipe.
    counts : array_like
        Tokens per block.
    reference : str
        The recipe the differences are taken from (one of ``sums``).

    Returns
    -------
    dict
        Recipe → ``mean``, ``se``, ``tokens``, ``blocks`` and ``diff``: {``mean``, ``se``} of (recipe −
        reference) on the paired blocks (None for the reference itself).
    """
    c = np.asarray(counts)
    ref = np.asarray(sums[reference], dtype=float)
    out = {}
    for name, s in sums.items():
        s = np.asarray(s, dtype=float)
        if s.shape != c.shape:
            raise ValueError(f"recipe {name!r}: {s.shape[0]} blocks, {c.shape[0]} counts")
        mean, se = ratio_mean_se(s, c)
        diff = None
        if name != reference:
            dm, ds = ratio_mean_se(s - ref, c)
            diff = {"mean": dm, "se": ds}
        out[name] = {"mean": mean, "se": se, "tokens": int(c.sum()), "blocks": int(c.size), "diff": diff}
    return out
