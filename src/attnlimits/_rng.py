"""Seeds and streams: one conversion point, and one way to derive child streams.

A run has one root :class:`numpy.random.SeedSequence`, made by :func:`as_seed_sequence` from None, an
int ≥ 0, a sequence of ints ≥ 0 or a SeedSequence. Its entropy is recorded with every result, so the run
can be repeated. A :class:`numpy.random.Generator` is refused (:class:`~attnlimits.InputError`): a
Generator does not expose the entropy it was made from, so a result drawn from it could not record its
root; pass the seed (or SeedSequence) the Generator was made from instead.

Children are SeedSequences below a parent, by position in a tree (never by worker or order of evaluation):

- :func:`child` (positional): spawn key ``parent.spawn_key + key``. Replicate ``i`` of a run uses
  ``(i,)`` below the root; below a replicate, ``(0, b)`` seeds block ``b`` of its key distances and
  ``(1, b)`` block ``b`` of its key directions.
- :func:`named_child` (by name): spawn key ``parent.spawn_key`` followed by the first 16 bytes of
  sha256(canonical JSON of ``key``) as four little-endian 32-bit words. The parent's entropy and spawn key
  are kept whole (never truncated). Claims (``Context.seed_for``), sweep cells (``cell_seed``) and the
  reproduce grids all derive their streams this way, so a stream depends only on the root and its name.
"""

from __future__ import annotations

import hashlib

import numpy as np

from ._json import canonical_json
from ._validation import check_seed

__all__ = ["as_seed_sequence", "child", "generator", "named_child", "name_words"]


def as_seed_sequence(seed) -> np.random.SeedSequence:
    """The run's root SeedSequence: the one conversion point for seeds.

    Parameters
    ----------
    seed : None, int, sequence of int or numpy.random.SeedSequence
        None: fresh entropy from the OS; an int in [0, 2^128 − 1] or a sequence of such ints: that entropy;
        a SeedSequence: itself.

    Returns
    -------
    numpy.random.SeedSequence

    Raises
    ------
    InputError
        Anything else, with one line. A :class:`numpy.random.Generator` is refused on purpose (see the module
        docstring: every result records its root entropy, which a Generator does not expose).
    """
    seed = check_seed(seed)
    if isinstance(seed, np.random.SeedSequence):
        return seed
    return np.random.SeedSequence(seed)


def child(parent: np.random.SeedSequence, *key: int) -> np.random.SeedSequence:
    """The SeedSequence at ``parent``'s spawn key extended by ``key`` (same as spawning by position).

    Parameters
    ----------
    parent : numpy.random.SeedSequence
    *key : int
        Positions below ``parent`` (each ≥ 0).

    Returns
    -------
    numpy.random.SeedSequence
        Entropy and pool size of ``parent``, spawn key ``parent.spawn_key + key``.
    """
    return np.random.SeedSequence(parent.entropy, spawn_key=tuple(parent.spawn_key) + tuple(int(k) for k in key),
                                  pool_size=parent.pool_size)


def name_words(key) -> tuple[int, ...]:
    """The spawn-key words of the name ``key``: the first 16 bytes of sha256(canonical JSON of ``key``) as four
    little-endian 32-bit words (a tuple name is written as a JSON list).

    Parameters
    ----------
    key : JSON-ready value
        A dict, list/tuple, number or string (see :func:`attnlimits._json.canonical_json`).

    Returns
    -------
    tuple of int
        Four words in [0, 2^32).
    """
    digest = hashlib.sha256(canonical_json(key).encode()).digest()
    return tuple(int.from_bytes(digest[i:i + 4], "little") for i in range(0, 16, 4))


def named_child(parent: np.random.SeedSequence, key) -> np.random.SeedSequence:
    """The child of ``parent`` named ``key``: :func:`child` at the words :func:`name_words` of ``key``.

    Parameters
    ----------
    parent : numpy.random.SeedSequence
    key : JSON-ready value
        The child's name, e.g. ``["critical", "exact", 1000, 1.0]`` or a sweep cell's grid values.

    Returns
    -------
    numpy.random.SeedSequence
    """
    return child(parent, *name_words(key))


def generator(parent: np.random.SeedSequence, *key: int) -> np.random.Generator:
    """A PCG64 Generator seeded by ``child(parent, *key)``.

    Parameters
    ----------
    parent : numpy.random.SeedSequence
    *key : int
        Positions below ``parent``.

    Returns
    -------
    numpy.random.Generator
    """
    return np.random.Generator(np.random.PCG64(child(parent, *key)))
