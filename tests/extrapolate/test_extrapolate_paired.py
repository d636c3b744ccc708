"""The paired bookkeeping on planted cases whose answers are known by hand: block sums and their ratio-estimator
SE, pooling over windows, paired differences on the same tokens (a constant shift has SE 0 however noisy the
tokens; a per-block shift has the SE of its block values), the max-weight summary, and the token ranges."""

import math

import numpy as np
import pytest

from attnlimits import InputError
from attnlimits.extrapolate import block_sums, loss_summary, max_weight_summary, ratio_mean_se, window_ranges


def test_block_sums_cut_at_the_range():
    x = np.arange(20.0)
    s, c = block_sums(x, 5, 19, 4)  # positions 5..18: blocks [5,9) [9,13) [13,17) [17,19)
    assert c.tolist() == [4, 4, 4, 2]
    assert s.tolist() == [sum(range(5, 9)), sum(range(9, 13)), sum(range(13, 17)), 17 + 18]
    s, c = block_sums(x, 10, 99, 8)  # hi clipped to the array
    assert c.tolist() == [8, 2] and s.sum() == sum(range(10, 20))


def test_ratio_se_equal_blocks_is_sd_of_block_means():
    rng = np.random.default_rng(0)
    means = rng.normal(size=7)
    mean, se = ratio_mean_se(means * 256, np.full(7, 256))
    assert mean == pytest.approx(means.mean())
    assert se == pytest.approx(means.std(ddof=1) / math.sqrt(7))
    assert math.isnan(ratio_mean_se([3.0], [2])[1])


def test_paired_differences_on_a_planted_case():
    """Two windows of 2T = 1024 positions, T = 512: 2 blocks of 256 per window in [T, 2T − 1) (the last of 255)
    and 2 in [0, T), pooled to 4. The reference's per-token losses are noisy; recipe 'shift' is the reference
    + 0.1 on every token, recipe 'blocks' the reference + δ_b on block b."""
    rng = np.random.default_rng(1)
    T = 512
    windows = [rng.gamma(2.0, 1.2, 2 * T - 1) for _ in range(2)]  # per-position losses, positions 0 … 2T − 2
    delta = np.array([0.3, -0.1, 0.2, 0.0])  # one per pooled block of [T, 2T): window 0 blocks 0, 1; window 1 …
    sums = {"yarn": [], "shift": [], "blocks": []}
    counts = []
    for w, x in enumerate(windows):
        s, c = block_sums(x, T, 2 * T)
        bump = np.concatenate([np.full(256, delta[2 * w]), np.full(255, delta[2 * w + 1])])
        sums["yarn"].append(s)
        sums["shift"].append(block_sums(np.concatenate([x[:T], x[T:] + 0.1]), T, 2 * T)[0])
        sums["blocks"].append(block_sums(np.concatenate([x[:T], x[T:] + bump]), T, 2 * T)[0])
        counts.append(c)
    counts = np.concatenate(counts)
    assert counts.tolist() == [256, 255, 256, 255]
    out = loss_summary({k: np.concatenate(v) for k, v in sums.items()}, counts, "yarn")
    tokens = np.concatenate([x[T:] for x in windows])
    assert out["yarn"]["mean"] == pytest.approx(tokens.mean(), rel=1e-12)
    assert out["yarn"]["tokens"] == 1022 and out["yarn"]["blocks"] == 4 and out["yarn"]["diff"] is None
    assert out["shift"]["mean"] == pytest.approx(tokens.mean() + 0.1, rel=1e-12)
    assert out["shift"]["diff"]["mean"] == pytest.approx(0.1, rel=1e-12)
    assert out["shift"]["diff"]["se"] == pytest.approx(0.0, abs=1e-12)  # paired: the noise of the text cancels
    # unpaired it does not: a constant shift leaves every block's s_b − μ·c_b, hence the SE, as the reference's
    assert out["shift"]["se"] == pytest.approx(out["yarn"]["se"], rel=1e-10) and out["yarn"]["se"] > 0
    d = (delta * counts).sum() / counts.sum()
    assert out["blocks"]["diff"]["mean"] == pytest.approx(d, rel=1e-12)
    by_hand = math.sqrt(4 / 3 * np.sum((delta * counts - d * counts) ** 2)) / counts.sum()
    assert out["blocks"]["diff"]["se"] == pytest.approx(by_hand, rel=1e-12)
    with pytest.raises(ValueError, match="blocks"):
        loss_summary({"yarn": np.zeros(4), "x": np.zeros(3)}, counts, "yarn")


def test_max_weight_summary_planted():
    short = {"none": np.full((2, 3, 4), 0.5), "x": np.full((2, 3, 4), 0.6)}
    long = {"none": np.full((2, 3, 5), 0.4), "x": np.full((2, 3, 5), 0.45)}
    long["x"][1, 2] = [0.9, 0.9, 0.9, 0.9, 0.9]
    out = max_weight_summary(short, long, "none")
    assert out["none"]["median_delta"] == pytest.approx(-0.1) and out["none"]["rows"] == [4, 5]
    x = out["x"]
    assert x["median_delta"] == pytest.approx(-0.15) and x["median_delta_vs_reference"] == pytest.approx(-0.05)
    last = x["heads"][-1]
    assert (last["layer"], last["head"]) == (1, 2) and last["delta_vs_reference"] == pytest.approx(0.4)
    assert last["long_se"] == 0.0 and len(x["heads"]) == 6
    assert max_weight_summary({"x": short["x"]}, {"x": long["x"]}, "none")["x"]["median_delta_vs_reference"] is None


def test_window_ranges():
    assert window_ranges(1000, 64, 3) == [[64, 192], [192, 320], [320, 448]]
    assert window_ranges(1000, 64, 1, bos=1) == [[64, 191]]
    with pytest.raises(InputError, match=r"train-length=400.*1,000 tokens.*--windows"):
        window_ranges(1000, 400, 1)
