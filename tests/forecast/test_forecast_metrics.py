"""Scores, blocks and the bootstrap's resampling: exact identities on small inputs."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from attnlimits.forecast import block_resample, block_se, grouped_betas, kind_metrics
from attnlimits.forecast._metrics import combined_interval


def test_kind_metrics_by_hand():
    f = np.array([0.30, 0.52, 0.40, 0.90, 0.10])
    y = np.array([0.32, 0.50, 0.45, 0.70, 0.12])
    p = np.array([0.20, 0.51, 0.60, 0.75, 0.12])
    m = kind_metrics(f, y, p, f - 0.05, f + 0.05)
    err = np.abs(f - y)
    assert m["median_abs_error"] == pytest.approx(np.median(err))
    assert m["coverage"] == pytest.approx(np.mean(err <= 0.05))
    assert m["median_width"] == pytest.approx(0.1)
    assert m["spearman"] == pytest.approx(stats.spearmanr(f, y).statistic)
    # wins: |f − y| < |p − y| on heads 0, 2 (1 and 3 lose; head 4 ties: 0.02 vs 0)
    assert (m["wins"], m["ties"]) == (2, 0)
    assert m["beats_persistence"] == pytest.approx(2 / 5)
    assert m["sign_test_p"] == pytest.approx(stats.binomtest(2, 5, 0.5, alternative="greater").pvalue)


def test_kind_metrics_drops_missing_and_ties():
    m = kind_metrics([0.1, np.nan, 0.3], [0.1, 0.2, 0.3], [0.1, 0.0, 0.0])
    assert m["heads"] == 2 and m["ties"] == 1 and m["wins"] == 1
    assert m["sign_test_p"] == pytest.approx(0.5)
    assert m["coverage"] is None and m["spearman"] is None


def test_block_se_and_resample():
    x = np.repeat([1.0, 3.0, 1.0, 3.0], 4)
    assert block_se(x, 4) == pytest.approx(np.std([1, 3, 1, 3], ddof=1) / 2)
    assert np.isnan(block_se(x, 16))
    idx = np.arange(100, 164)
    r = block_resample(idx, 8, np.random.default_rng(0))
    assert r.size == idx.size and set(r) <= set(idx)
    starts = r[::8]
    for k, s in enumerate(starts):  # each block is 8 consecutive entries (circular)
        assert np.array_equal(r[8 * k:8 * k + 8], idx[(np.arange(8) + (s - 100)) % 64])


def test_grouped_betas_and_interval():
    b = grouped_betas(np.arange(12.0), 3)
    assert np.array_equal(b, np.repeat([1.5, 5.5, 9.5], 4))
    lo, hi = combined_interval(0.5, 0.03, 0.04, 0.95)
    assert hi - lo == pytest.approx(2 * stats.norm.ppf(0.975) * 0.05)
