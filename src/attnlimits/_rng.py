"""Seeds and streams: one conversion point, and a fixed tree of child streams.

A run has one root :class:`numpy.random.SeedSequence`. Replicate ``i`` uses the child with spawn key
``(i,)`` below the root; below a replicate, ``(0, b)`` seeds block ``b`` of its key distances and
``(1, b)`` block ``b`` of its key directions. A stream depends only on its position in this tree, so
results do not depend on worker count, chunk size or order of evaluation.
"""

from __future__ import annotations

import numpy as np

from ._validation import check_seed

__all__ = ["as_seed_sequence", "child", "generator"]


def as_seed_sequence(seed) -> np.random.SeedSequence:
    """Convert ``seed`` (None, int, sequence of ints or SeedSequence) to a SeedSequence."""
    if isinstance(seed, np.random.SeedSequence):
        return seed
    if isinstance(seed, np.random.Generator):
        raise TypeError("pass a seed or SeedSequence, not a Generator: runs must be reproducible")
    return np.random.SeedSequence(check_seed(seed))


def child(parent: np.random.SeedSequence, *key: int) -> np.random.SeedSequence:
    """The SeedSequence at ``parent``'s spawn key extended by ``key`` (same as spawning by position)."""
    return np.random.SeedSequence(parent.entropy, spawn_key=tuple(parent.spawn_key) + tuple(int(k) for k in key),
                                  pool_size=parent.pool_size)


def generator(parent: np.random.SeedSequence, *key: int) -> np.random.Generator:
    """A PCG64 Generator seeded by ``child(parent, *key)``."""
    return np.random.Generator(np.random.PCG64(child(parent, *key)))
