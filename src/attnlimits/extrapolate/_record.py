"""What the scaled attention function shows a recorder: the softmax rows of sampled queries, read from the query
(after the recipe's multiplier) and key that the model hands its attention, with the model's own mask.

Two uses: the max weight of every head on a sample of query rows (the selectivity each recipe leaves), and, for
the exactness check, whole probability rows in float64 with the error of the model's SDPA output against
those probabilities times the values (which ties the recorded rows to the output the model used).
"""

from __future__ import annotations

import numpy as np

__all__ = ["AttentionRecorder", "sample_rows"]


def sample_rows(n_train: int, queries: int, seed: int, window: int) -> tuple:
    """The query rows whose max weight is read in one window: ``queries`` positions drawn without replacement
    from [T/2, T) and as many from [T, 2T), sorted; seeded by (seed, window), the same for every recipe.

    Parameters
    ----------
    n_train : int
        T.
    queries : int
        Rows per range (at most T/2).
    seed : int
        Root seed.
    window : int
        The window's index (its child stream).

    Returns
    -------
    tuple of numpy.ndarray
        (rows in [T/2, T), rows in [T, 2T)).

    Examples
    --------
    >>> short, long = sample_rows(64, 4, 0, 0)
    >>> bool(short.min() >= 32 and short.max() < 64 and long.min() >= 64 and long.max() < 128)
    True
    """
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(int(window),)))
    half = n_train // 2
    q_short = min(queries, n_train - half)
    short = np.sort(rng.choice(np.arange(half, n_train), q_short, replace=False))
    long = np.sort(rng.choice(np.arange(n_train, 2 * n_train), min(queries, n_train), replace=False))
    return short, long


def _probabilities(query, key, mask, scaling, rows, dtype):
    """softmax(scaling·q_rows·kᵀ + mask) of batch 0, shape (heads, rows, keys), in ``dtype``."""
    import torch

    idx = torch.as_tensor(rows, device=query.device)
    q = query[0].index_select(1, idx).to(dtype)
    k = key[0].to(dtype)
    k = k.repeat_interleave(q.shape[0] // k.shape[0], dim=0)
    logits = float(scaling) * (q @ k.transpose(-1, -2))
    L = k.shape[1]
    if mask is None:  # SDPA's is_causal: key j visible from query position p when j ≤ p
        allowed = torch.arange(L, device=q.device)[None, :] <= idx[:, None]
        logits = logits.masked_fill(~allowed[None], float("-inf"))
    else:
        m = mask[0].index_select(-2, idx)
        if m.dtype == torch.bool:
            logits = logits.masked_fill(~m, float("-inf"))
        else:
            logits = logits + m.to(dtype)
    return torch.softmax(logits, dim=-1)


class AttentionRecorder:
    """A recorder for :func:`~attnlimits.extrapolate.applied`: per layer, the max weight of every head at ``rows``; for the
    layers in ``check_layers``, the float64 probability rows at ``check_rows`` and the SDPA output's error.

    Parameters
    ----------
    rows : array_like of int, optional
        Query positions whose max weight is kept (float32 softmax).
    check_rows : array_like of int, optional
        Query positions whose whole probability rows are kept (float64 from the model's q and k).
    check_layers : collection of int
        Layers (indices into the model's attention modules) whose rows are checked.

    Attributes
    ----------
    max_weight : dict
        layer → array (heads, len(rows)).
    probabilities : dict
        layer → array (heads, len(check_rows), keys), float64.
    output_error : dict
        layer → max ``|SDPA output − P·V|`` / max ``|V|`` over the checked rows.
    """

    def __init__(self, rows=None, check_rows=None, check_layers=()):
        self.rows = None if rows is None else np.asarray(rows, dtype=np.int64)
        self.check_rows = None if check_rows is None else np.asarray(check_rows, dtype=np.int64)
        self.check_layers = set(check_layers)
        self.max_weight: dict = {}
        self.probabilities: dict = {}
        self.output_error: dict = {}

    def __call__(self, layer, module, query, key, value, mask, scaling, output):
        """Read one layer's attention (called by the scaled attention function)."""
        import torch

        with torch.no_grad():
            if self.rows is not None and self.rows.size:
                p = _probabilities(query, key, mask, scaling, self.rows, torch.float32)
                self.max_weight[layer] = p.max(dim=-1).values.cpu().numpy()
                del p
            if layer in self.check_layers and self.check_rows is not None and self.check_rows.size:
                p = _probabilities(query, key, mask, scaling, self.check_rows, torch.float64)
                v = value[0].to(torch.float64)
                v = v.repeat_interleave(p.shape[0] // v.shape[0], dim=0)
                expected = p @ v  # (heads, rows, d)
                idx = torch.as_tensor(self.check_rows, device=output.device)
                got = output[0].index_select(0, idx).transpose(0, 1).to(torch.float64)
                self.output_error[layer] = float((got - expected).abs().max() / v.abs().max().clamp_min(1e-30))
                self.probabilities[layer] = p.cpu().numpy()
