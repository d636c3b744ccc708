"""SmolLM2-135M-Instruct at a pretend T = 512 → 1024 on one window of pydoc-topics, every recipe (slow: the
audit of 270 heads for yarn_iso's schedule dominates; 2 nodes here, 16 in the command): the exactness check passes
for every recipe on the real model; the losses are per-token cross-entropies of a trained model on English prose;
the unmodified model, in distribution at 1024 (trained at 8192), predicts [T, 2T) better than [0, T) (more
context)."""

import json

import numpy as np
import pytest

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def result(smollm2):
    from attnlimits._json import to_jsonable
    from attnlimits.extrapolate import run_extrapolation

    return to_jsonable(run_extrapolation(smollm2, 512, windows=1, points=2, schedule_queries=16, workers=2))


def test_every_recipe_runs_exactly(result):
    from attnlimits.extrapolate import RECIPES

    json.dumps(result, allow_nan=False)
    assert list(result["recipes"]) == list(RECIPES)
    assert result["check_passed"], {k: (c["max_abs_error"], c["output_error"]) for k, c in result["check"].items()}
    assert result["check"]["yarn_iso"]["layers"] == [0, 15, 29]


def test_losses_and_selectivity(result):
    none = result["recipes"]["none"]
    assert none["loss_long"]["mean"] < none["loss_short"]["mean"]
    for name, r in result["recipes"].items():
        for part in ("loss_long", "loss_short"):
            assert 0.0 < r[part]["mean"] < np.log(49152), (name, part)  # below the uniform guess's ln V
            assert r[part]["blocks"] == 2 and np.isfinite(r[part]["se"])
        assert len(r["max_weight"]["heads"]) == 270
    sched = result["schedule"]
    assert len(sched["heads"]) == 270 and sched["fallback_heads"] < 270
    assert sched["token_range"] == [0, 512] and result["frozen"]["token_ranges"]["windows"] == [[512, 1536]]
