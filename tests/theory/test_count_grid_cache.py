"""The count grids of the exact theory are cached by the law's cache_key, in a bounded LRU cache: equal
parametric laws share a grid, laws known by their data (cache_key = the law itself) never do, and the cache
never holds more than its bound."""

import numpy as np

from attnlimits.laws import Subsphere, UniformSphere, VonMisesFisher
from attnlimits.theory import _counts
from attnlimits.theory._counts import count_grid


def test_equal_laws_share_a_grid_and_different_ones_do_not():
    assert count_grid(UniformSphere(3), 100) is count_grid(UniformSphere(3), 100)
    assert count_grid(UniformSphere(3), 100) is not count_grid(Subsphere(8, 3), 100)  # same law of D, other class
    # κ = 1 + 1e−9 prints as "vmf:1:0" like κ = 1: the spec is a label, the cache_key holds the exact κ
    a, b = VonMisesFisher(3, 1.0), VonMisesFisher(3, 1.0 + 1e-9)
    assert a.spec == b.spec and count_grid(a, 100) is not count_grid(b, 100)


def test_the_cache_is_bounded_and_least_recently_used():
    size, law = _counts._GRID_CACHE_SIZE, UniformSphere(3)
    _counts._GRIDS.clear()  # a cache only: clearing it changes no value
    grids = [count_grid(law, n) for n in range(10, 10 + size)]  # full
    assert count_grid(law, 10) is grids[0]  # a hit, now the most recently used
    count_grid(UniformSphere(4), 5)  # one more: the least recently used (n = 11) goes
    assert len(_counts._GRIDS) == size
    assert (law.cache_key, 11) not in _counts._GRIDS and (law.cache_key, 10) in _counts._GRIDS
    again = count_grid(law, 11)  # rebuilt, to the same numbers
    assert again is not grids[1]
    np.testing.assert_array_equal(again.log_dens, grids[1].log_dens)
