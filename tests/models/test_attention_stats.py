"""Mask-aware attention statistics: padding never enters, a uniform row has entropy log n."""

import numpy as np

from attnlimits.models import attention_stats


def test_padding_never_enters():
    T, n = 6, 4  # second sequence has 4 real tokens and 2 pads
    probs = np.zeros((1, 2, 1, T, T))
    probs[0, 0, 0] = 1.0 / T
    probs[0, 1, 0, :, :n] = 1.0 / n
    probs[0, 1, 0, n:, :] = 1.0 / T  # garbage rows of padded queries
    mask = np.array([[1] * T, [1] * n + [0] * (T - n)])
    st = attention_stats(probs, mask)
    # real queries only: 6 rows with entropy log 6 and 4 rows with entropy log 4
    np.testing.assert_allclose(st["entropy"][0, 0], (6 * np.log(6) + 4 * np.log(4)) / 10)
    np.testing.assert_allclose(st["effective_support"][0, 0], (6 * 6 + 4 * 4) / 10)
    np.testing.assert_allclose(st["max_weight"][0, 0], (6 / 6 + 4 / 4) / 10)
    assert st["visible"] == 5.0


def test_one_hot_rows():
    probs = np.eye(5)[None, None, None]
    st = attention_stats(probs, np.ones((1, 5), dtype=int))
    assert st["max_weight"][0, 0] == 1.0 and st["entropy"][0, 0] == 0.0 and st["effective_support"][0, 0] == 1.0
