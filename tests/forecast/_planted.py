"""Shared by the forecast tests: a synthetic causal "model" whose answer is known: one head, i.i.d. unit keys uniform on S^{d−1}, and a sink
key at position 0 whose score S_q = a0 + b·ln n drifts in log n (n = p + 1 the visible count)."""

from __future__ import annotations

import numpy as np
from attnlimits.models import KeyExtraction

D, BETA, A0, SLOPE = 8, 20.0, 0.45, 0.05
#: Scaled-down bins: the same geometry as the defaults (fit at n < 128, targets four and eight times further).
OPTIONS = dict(origin=(64, 128), validation_origin=(32, 64), targets=((256, 512), (512, 1024)), block=8,
               measure_block=32, pooled_queries=32, oracle_queries=128, resamples=10, beta_groups=1)


def sink_score(n):
    """The planted sink's score S_q at visible count n."""
    return A0 + SLOPE * np.log(np.asarray(n, dtype=float))


def planted_extraction(seed: int, *, tokens: int = 1024, windows: int = 1, d: int = D, beta: float = BETA,
                       slope: float = SLOPE) -> KeyExtraction:
    """A KeyExtraction of one layer and head: keys uniform unit vectors except position 0 (e_0); the query at
    position p is β·(a e_0 + √(1 − a²) u) with u uniform in e_0⊥ and a = A0 + slope·ln(p + 1)."""
    rng = np.random.default_rng(seed)
    T = tokens * windows
    keys = rng.normal(size=(T, d))
    keys /= np.linalg.norm(keys, axis=1, keepdims=True)
    pos = np.tile(np.arange(tokens), windows)
    keys[pos == 0] = np.eye(d)[0]
    u = rng.normal(size=(T, d))
    u[:, 0] = 0.0
    u /= np.linalg.norm(u, axis=1, keepdims=True)
    a = A0 + slope * np.log(pos + 1.0)
    q = beta * (a[:, None] * np.eye(d)[0][None, :] + np.sqrt(1 - a * a)[:, None] * u)
    return KeyExtraction(queries=q[None, None].astype(np.float32), keys=keys[None, None].astype(np.float32), scale=1.0,
                         window=np.repeat(np.arange(windows), tokens), model="planted-sink", position=pos, causal=True,
                         specs=None, layers=[0], heads=[0], kv_heads=[0])
