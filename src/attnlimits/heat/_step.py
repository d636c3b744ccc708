"""One step of self-attention dynamics on the sphere, blocked so memory stays O(n·block) (SPEC §3).

Every particle x_i is a query, all n particles are keys and values (V = I):
x_i ← T_i / |T_i|, T_i = Σ_j e^{β⟨x_i,x_j⟩} x_j / Σ_j e^{β⟨x_i,x_j⟩}.

The kernel e^{β(⟨x_i,x_j⟩−1)} is symmetric, so each block pair (I, J ≥ I) is exponentiated once and used
for both the rows of I and the rows of J: half the exponentials of the dense n×n computation. The shift by
the known maximum (⟨x_i,x_i⟩ = 1, the diagonal term) replaces the usual row-max pass of a log-sum-exp;
the diagonal term e^0 = 1 keeps every denominator ≥ 1. Values and denominators come from one matrix
product against [X, 1]. ⟨x_i,x_j⟩ − 1 is rounded at ~1e−16, a relative error β·1e−16 in each weight —
harmless for the β ≲ 1e6 of these experiments (SPEC §1's D-form is needed at n ~ 1e12, not here).

Backends: NumPy, and torch (imported here, only when asked for) on CPU or CUDA.
"""

from __future__ import annotations

import numpy as np

from .._validation import InputError, check_choice, check_int

__all__ = ["BACKENDS", "DEVICES", "resolve_backend", "attention_step", "attention_step_dense"]

BACKENDS = ("numpy", "torch")
DEVICES = ("cpu", "cuda")
DTYPES = ("float64", "float32")


def resolve_backend(backend: str, device: str = "cpu", dtype: str = "float64"):
    """Validate (backend, device, dtype); return the torch module when backend is torch, else None.

    Raises InputError (one line) for torch without torch installed, cuda without torch or a GPU.
    """
    backend = check_choice("backend", backend, BACKENDS)
    device = check_choice("device", device, DEVICES)
    check_choice("dtype", dtype, DTYPES)
    if backend == "numpy":
        if device != "cpu":
            raise InputError(f"invalid device={device!r} for backend='numpy': expected 'cpu' (use --backend torch for cuda)")
        return None
    try:
        import torch
    except ImportError:
        raise InputError("invalid backend='torch': torch is not installed (pip install 'attnlimits[torch]'); "
                         "use backend='numpy'") from None
    if device == "cuda" and not torch.cuda.is_available():
        raise InputError("invalid device='cuda': torch sees no CUDA GPU; use device='cpu'")
    return torch


def default_block(backend: str, device: str) -> int:
    """Query rows per block: small on CPU (cache), large on a GPU (occupancy)."""
    return 4096 if device == "cuda" else (256 if backend == "numpy" else 512)


def attention_step(x, beta: float, *, block: int | None = None, backend: str = "numpy", device: str = "cpu"):
    """One renormalised self-attention step x_i ← T_i/|T_i| for all particles (see module docstring).

    Parameters
    ----------
    x : numpy.ndarray or torch.Tensor, shape (n, d)
        Unit rows; a torch tensor for the torch backend (on ``device``, any float dtype).
    beta : float
        β > 0.
    block : int, optional
        Query rows per block; memory is O(n·block).

    Returns
    -------
    Same type, dtype and device as ``x``.
    """
    block = check_int("block", block if block is not None else default_block(backend, device), minimum=1)
    if backend == "torch":
        return _step_torch(x, float(beta), block)
    return _step_numpy(np.asarray(x), float(beta), block)


def _step_numpy(x: np.ndarray, beta: float, block: int) -> np.ndarray:
    n, d = x.shape
    xa = np.concatenate([x, np.ones((n, 1), dtype=x.dtype)], axis=1)
    acc = np.zeros((n, d + 1), dtype=x.dtype)
    for a in range(0, n, block):
        b = min(a + block, n)
        s = x[a:b] @ x[a:].T  # (B, n−a): this block against itself and every later block
        s -= 1.0
        s *= beta
        np.exp(s, out=s)
        acc[a:b] += s @ xa[a:]
        if b < n:
            acc[b:] += s[:, b - a:].T @ xa[a:b]
    out = acc[:, :d] / acc[:, d:]
    out /= np.linalg.norm(out, axis=1, keepdims=True)
    return out


def _step_torch(x, beta: float, block: int):
    import torch

    n, d = x.shape
    xa = torch.cat([x, torch.ones((n, 1), dtype=x.dtype, device=x.device)], dim=1)
    acc = torch.zeros((n, d + 1), dtype=x.dtype, device=x.device)
    for a in range(0, n, block):
        b = min(a + block, n)
        s = x[a:b] @ x[a:].T
        s.sub_(1.0).mul_(beta).exp_()
        acc[a:b] += s @ xa[a:]
        if b < n:
            acc[b:] += s[:, b - a:].T @ xa[a:b]
    out = acc[:, :d] / acc[:, d:]
    return torch.nn.functional.normalize(out, dim=1)


def attention_step_dense(x: np.ndarray, beta: float) -> np.ndarray:
    """The same step from the dense n×n softmax (O(n²) memory): the reference the blocked step must match."""
    x = np.asarray(x, dtype=float)
    s = beta * (x @ x.T)
    s -= s.max(axis=1, keepdims=True)
    w = np.exp(s)
    w /= w.sum(axis=1, keepdims=True)
    out = w @ x
    return out / np.linalg.norm(out, axis=1, keepdims=True)
