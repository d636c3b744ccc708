"""One step of self-attention dynamics on the sphere, blocked so memory stays O(n·block) (:ref:`theory-limit-laws`).

Every particle x_i is a query, all n particles are keys and values (V = I):
x_i ← T_i / |T_i|, T_i = Σ_j e^{β⟨x_i,x_j⟩} x_j / Σ_j e^{β⟨x_i,x_j⟩}.

The kernel e^{β(⟨x_i,x_j⟩−1)} is symmetric, so each block pair (I, J ≥ I) is exponentiated once and used
for both the rows of I and the rows of J: half the exponentials of the dense n×n computation. The shift by
the known maximum (⟨x_i,x_i⟩ = 1, the diagonal term) replaces the usual row-max pass of a log-sum-exp;
the diagonal term e^0 = 1 keeps every denominator ≥ 1. Values and denominators come from one matrix
product against [X, 1]. ⟨x_i,x_j⟩ − 1 is rounded at ~1e−16, a relative error β·1e−16 in each weight —
harmless for the β ≲ 1e6 of these experiments (:ref:`theory-model`'s D-form is needed at n ~ 1e12, not here).

Backends: NumPy, and torch (imported only when asked for) on CPU or CUDA, chosen by the package's one resolver
(``attnlimits._backend.resolve_backend``); with torch, ``kernel="sdpa"`` (heat only) runs torch's fused
scaled_dot_product_attention on query chunks instead.
"""

from __future__ import annotations

import numpy as np

from .._backend import BACKENDS, DEVICES, import_torch
from .._backend import resolve_backend as _resolve
from .._validation import InputError, check_choice, check_int

__all__ = ["BACKENDS", "DEVICES", "KERNELS", "resolve_backend", "attention_step", "attention_step_dense", "default_cutoff",
           "spatial_order"]

#: Kernels of the torch backend (heat only): the blocked symmetric kernel, or torch's fused SDPA.
KERNELS = ("blocked", "sdpa")


def resolve_backend(backend: str, device: str = "cpu", dtype: str = "float64"):
    """The heat dynamics' backend module: the package's resolver (``attnlimits._backend.resolve_backend``),
    then the torch module for ``backend="torch"``.

    Parameters
    ----------
    backend, device, dtype : str
        See :data:`~attnlimits.heat.BACKENDS`, :data:`~attnlimits.heat.DEVICES`,
        ``attnlimits._backend.DTYPES``.

    Returns
    -------
    module or None
        ``torch`` for the torch backend, None for numpy.

    Raises
    ------
    InputError
        As ``attnlimits._backend.resolve_backend`` (one line).
    """
    backend, _, _ = _resolve(backend, device, dtype)
    return import_torch() if backend == "torch" else None


def default_block(backend: str, device: str) -> int:
    """Query rows per block: small on CPU (cache), large on a GPU (occupancy)."""
    return 4096 if device == "cuda" else 256


def default_cutoff(n: int) -> float:
    """log n + 40: a skipped tile holds weights < e^{−cutoff}, so the mass dropped from a particle's sums is
    below n·e^{−cutoff} = e^{−40} ≈ 4e−18 of its denominator (≥ 1) — under float64 rounding."""
    return float(np.log(n) + 40.0)


def attention_step(x, beta: float, *, block: int | None = None, backend: str = "numpy", device: str = "cpu",
                   cutoff: float | None | str = "auto", kernel: str = "blocked"):
    """One renormalised self-attention step x_i ← T_i/‖T_i‖ for all particles (see module docstring).

    Parameters
    ----------
    x : numpy.ndarray or torch.Tensor, shape (n, d)
        Unit rows; a torch tensor for the torch backend (on ``device``, any float dtype).
    beta : float
        β > 0.
    block : int, optional
        Query rows per block; memory is O(n·block).
    backend, device : str
        ``numpy`` (CPU) or ``torch`` (``cpu`` or ``cuda``, where ``x`` lives); see :func:`resolve_backend`.
    cutoff : float, "auto" or None
        Skip a pair of blocks when every weight between them is below e^{−cutoff}, as certified by a cap
        bound: blocks are sets of nearby particles (sorted by angle on S^1, leaves of a k-d tree
        otherwise), each inside a cap of centre c and angular radius r, and no two points of caps I, J are closer
        than max(0, ∠(c_I, c_J) − r_I − r_J). "auto" (default): log n + 40, so the dropped mass is below
        e^{−40} relative — the result equals the dense step to float64 rounding. None: every tile (dense
        O(n²) work). The work stays O(n²) in the worst case (β small or particles clustered).
    kernel : {"blocked", "sdpa"}
        "blocked": the symmetric tiled step above. "sdpa" (torch only): torch's fused
        ``scaled_dot_product_attention`` with q = k = v = x and scale β, called on chunks of ``block`` query
        rows (default 4096) so memory stays O(n·block) even where it falls back to its math kernel (float64
        on CUDA); no tile skipping. On a CPU it is the faster of the two at β where few tiles can be skipped.

    Returns
    -------
    Same type, dtype and device as ``x``.
    """
    kernel = check_choice("kernel", kernel, KERNELS)
    if kernel == "sdpa":
        if backend != "torch":
            raise InputError(f"invalid kernel='sdpa' for backend={backend!r}: the fused kernel is torch's; use backend='torch'")
        return _step_sdpa(x, float(beta), check_int("block", block if block is not None else 4096, minimum=1))
    block = check_int("block", block if block is not None else default_block(backend, device), minimum=1)
    n = x.shape[0]
    if isinstance(cutoff, str):
        check_choice("cutoff", cutoff, ("auto",))
        cutoff = default_cutoff(n)
    if backend == "torch":
        return _step_torch(x, float(beta), block, cutoff)
    return _step_numpy(np.asarray(x), float(beta), block, cutoff)


def spatial_order(x: np.ndarray, block: int) -> np.ndarray:
    """A permutation that makes consecutive blocks of ``block`` rows spatially compact (for the cap bound).

    S^1: sort by angle. d ≥ 3: a k-d tree — split at a multiple of ``block`` near the median of the coordinate
    with the largest spread, recursively, so every block but the last has exactly ``block`` rows.
    """
    n, d = x.shape
    if d == 2:
        return np.argsort(np.arctan2(x[:, 1], x[:, 0]), kind="stable")
    leaves = []
    stack = [np.arange(n)]
    while stack:
        idx = stack.pop()
        if len(idx) <= block:
            leaves.append(idx)
            continue
        pts = x[idx]
        axis = int(np.argmax(pts.max(axis=0) - pts.min(axis=0)))
        m = block * max(1, int(round(len(idx) / (2 * block))))  # a multiple of block, < len(idx)
        part = np.argpartition(pts[:, axis], m - 1)
        stack.append(idx[part[m:]])  # popped after the left half: the remainder stays last
        stack.append(idx[part[:m]])
    return np.concatenate(leaves)


def _active_pairs(x: np.ndarray, beta: float, block: int, cutoff: float) -> np.ndarray:
    """Boolean (nb, nb): True where some weight between blocks I and J may exceed e^{−cutoff}."""
    n, d = x.shape
    nb = -(-n // block)
    pad = nb * block - n
    xs = np.concatenate([x, np.repeat(x[-1:], pad, axis=0)]) if pad else x
    xs = xs.reshape(nb, block, d)
    mean = xs.mean(axis=1)
    norm = np.linalg.norm(mean, axis=1)
    centre = mean / np.where(norm > 1e-12, norm, 1.0)[:, None]
    cos_r = np.min(np.einsum("bkd,bd->bk", xs, centre), axis=1)
    radius = np.where(norm > 1e-12, np.arccos(np.clip(cos_r, -1.0, 1.0)), np.pi)
    gap = np.arccos(np.clip(centre @ centre.T, -1.0, 1.0)) - radius[:, None] - radius[None, :]
    closest = np.clip(gap, 0.0, np.pi)
    # β(1 − cos θ) = 2β sin²(θ/2); a small safety margin absorbs rounding in the bound itself
    return 2.0 * beta * np.sin(closest / 2.0) ** 2 <= cutoff + 1e-6


def _tiles(x_np, beta, block, cutoff):
    """(order, list of (a, b, column index array for J ≥ I)) — None order when every tile is computed."""
    n = x_np.shape[0]
    if cutoff is None:
        return None, [(a, min(a + block, n), None) for a in range(0, n, block)]
    order = spatial_order(x_np, block)
    active = _active_pairs(x_np[order], beta, block, cutoff)
    tiles = []
    for i, a in enumerate(range(0, n, block)):
        js = np.flatnonzero(active[i, i:]) + i  # always contains i itself
        cols = np.concatenate([np.arange(j * block, min((j + 1) * block, n)) for j in js])
        tiles.append((a, min(a + block, n), cols))
    return order, tiles


def _step_numpy(x: np.ndarray, beta: float, block: int, cutoff) -> np.ndarray:
    n, d = x.shape
    order, tiles = _tiles(x, beta, block, cutoff)
    if order is not None:
        x = x[order]
    xa = np.concatenate([x, np.ones((n, 1), dtype=x.dtype)], axis=1)
    acc = np.zeros((n, d + 1), dtype=x.dtype)
    for a, b, cols in tiles:
        keys = x[a:] if cols is None else x[cols]
        s = (beta * x[a:b]) @ keys.T  # (B, ·): this block against itself and the later blocks
        s -= beta  # β(⟨x_i,x_j⟩ − 1) ≤ 0 up to rounding; one pass fewer than (s − 1)·β
        np.minimum(s, 0.0, out=s)  # that rounding is ~β·1e−16: at huge β it would exponentiate to inf
        np.fill_diagonal(s[:, :b - a], 0.0)  # ⟨x_i,x_i⟩ = 1 exactly (not 1 ± 1e−16, which β = 1e30 turns to e^{∓1e14})
        np.exp(s, out=s)
        acc[a:b] += s @ (xa[a:] if cols is None else xa[cols])
        if cols is None:
            if b < n:
                acc[b:] += s[:, b - a:].T @ xa[a:b]
        elif len(cols) > b - a:
            acc[cols[b - a:]] += s[:, b - a:].T @ xa[a:b]
    out = acc[:, :d] / acc[:, d:]
    out /= np.linalg.norm(out, axis=1, keepdims=True)
    if order is not None:
        back = np.empty_like(out)
        back[order] = out
        out = back
    return out


def _step_torch(x, beta: float, block: int, cutoff):
    import torch

    n, d = x.shape
    order, tiles = _tiles(x.detach().double().cpu().numpy(), beta, block, cutoff) if cutoff is not None \
        else _tiles(np.empty((n, 0)), beta, block, None)
    if order is not None:
        order_t = torch.from_numpy(order).to(x.device)
        x = x[order_t]
    xa = torch.cat([x, torch.ones((n, 1), dtype=x.dtype, device=x.device)], dim=1)
    acc = torch.zeros((n, d + 1), dtype=x.dtype, device=x.device)
    neg_beta = torch.full((1, 1), -beta, dtype=x.dtype, device=x.device)
    for a, b, cols in tiles:
        if cols is None:
            keys, vals = x[a:], xa[a:]
        else:
            cols_t = torch.from_numpy(cols).to(x.device)
            keys, vals = x[cols_t], xa[cols_t]
        s = torch.addmm(neg_beta, x[a:b], keys.T, alpha=beta).clamp_(max=0.0)  # β⟨x_i,x_j⟩ − β ≤ 0
        s[:, :b - a].diagonal().zero_()  # ⟨x_i,x_i⟩ = 1 exactly (see _step_numpy)
        s.exp_()
        acc[a:b] += s @ vals
        if cols is None:
            if b < n:
                acc[b:] += s[:, b - a:].T @ xa[a:b]
        elif len(cols) > b - a:
            acc.index_add_(0, cols_t[b - a:], s[:, b - a:].T @ xa[a:b])
    out = torch.nn.functional.normalize(acc[:, :d] / acc[:, d:], dim=1)
    if order is not None:
        back = torch.empty_like(out)
        back[order_t] = out
        out = back
    return out


def _step_sdpa(x, beta: float, block: int):
    import torch

    keys = x[None, None]
    out = torch.empty_like(x)
    for a in range(0, x.shape[0], block):
        q = x[a:a + block][None, None]
        out[a:a + block] = torch.nn.functional.scaled_dot_product_attention(q, keys, keys, scale=beta)[0, 0]
    return torch.nn.functional.normalize(out, dim=1)


def attention_step_dense(x: np.ndarray, beta: float) -> np.ndarray:
    """The same step from the dense n×n softmax (O(n²) memory): the reference the blocked step must match.

    Parameters
    ----------
    x : array_like, shape (n, d)
        Unit rows (the particles).
    beta : float
        β > 0.

    Returns
    -------
    numpy.ndarray, shape (n, d)
        T_i/‖T_i‖ with T_i = Σ_j e^{β⟨x_i,x_j⟩} x_j / Σ_j e^{β⟨x_i,x_j⟩}, in float64.
    """
    x = np.asarray(x, dtype=float)
    s = beta * (x @ x.T)
    s -= s.max(axis=1, keepdims=True)
    w = np.exp(s)
    w /= w.sum(axis=1, keepdims=True)
    out = w @ x
    return out / np.linalg.norm(out, axis=1, keepdims=True)
