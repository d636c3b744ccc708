"""Every recipe applies exactly what it says, on a tiny random Llama (GQA: 4 query heads on 2 kv heads) at
T = 64 → 128: the modified model's attention probabilities, every row of every layer, equal
softmax(M_h(n)·scale·⟨q, k⟩) computed separately — q and k from the projections hooked in the same pass, rotated
here with transformers' inverse frequencies and no attention factor, M from the published formulas — to 1e-5
(float32 model against a float64 reference); its SDPA output equals those probabilities times V. A reference
with another multiplier fails, so the check can fail. The losses from the final hidden states in chunks equal
transformers' LlamaForCausalLM per-token cross-entropy.
"""

import numpy as np
import pytest

from attnlimits.extrapolate import (RECIPES, AttentionRecorder, IsoSchedule, applied, attention_check, iso_nodes,
                                    lm_head, projection_hooks, query_multipliers, recipe_rope, token_losses)

T, L = 64, 128


def _ids(lm, length=L, seed=1):
    import torch

    rng = np.random.default_rng(seed)
    return torch.as_tensor(rng.integers(1000, lm.tokenizer.vocab_size, length), dtype=torch.long)


def _schedule(lm, seed=0):
    rng = np.random.default_rng(seed)
    nodes = iso_nodes(T)
    r = 1.0 + np.cumsum(rng.uniform(0.0, 0.08, (lm.layers, lm.heads, nodes.size)), axis=-1)
    return IsoSchedule(n_train=T, nodes=nodes, uniform=1.0 + np.linspace(0.02, 0.3, nodes.size), per_head=r,
                       source=np.full((lm.layers, lm.heads), "audit", dtype=object))


def _run(lm, name, schedule, rows, *, reference=None):
    import torch

    rope = recipe_rope(name, dict(lm.model.config.rope_parameters), T)
    g = query_multipliers(name, T, L, lm.heads, schedule)
    layers = list(range(lm.layers))
    rec = AttentionRecorder(rows=rows, check_rows=rows, check_layers=layers)
    with applied(lm, rope=rope, multipliers=g, recorder=rec), projection_hooks(lm, layers) as store, torch.no_grad():
        hidden = lm.model(input_ids=_ids(lm)[None], use_cache=False).last_hidden_state[0]
        ref = reference or name
        check = attention_check(lm, rec, store, ref, recipe_rope(ref, dict(lm.model.config.rope_parameters), T), T,
                                schedule)
    return check, rec, hidden


@pytest.mark.parametrize("name", list(RECIPES))
def test_every_row_matches_the_reference(tiny_lm, name):
    rows = np.arange(L)
    check, rec, _ = _run(tiny_lm, name, _schedule(tiny_lm), rows)
    assert check["layers"] == [0, 1] and check["rows"] == rows.tolist()
    assert check["max_abs_error"] <= 1e-5, check
    assert check["output_error"] <= 1e-4, check
    assert check["passed"]
    for layer, p in rec.probabilities.items():  # probabilities: ≥ 0, sum to 1, causal
        assert np.all(p >= 0) and np.allclose(p.sum(-1), 1.0, atol=1e-12)
        assert np.all(np.triu(p[0], 1) == 0.0)
        np.testing.assert_allclose(rec.max_weight[layer], p.max(-1), atol=1e-5)  # float32 max weights agree


@pytest.mark.parametrize("family", ["mistral", "qwen3"])
@pytest.mark.parametrize("name", ["yarn", "yarn_iso"])
def test_sliding_window_and_qk_norms(tmp_path_factory, family, name):
    """A sliding window of 40 < T (Mistral: the model's own boolean mask reaches the recorder, the reference masks
    the window itself) and q/k RMS norms before RoPE (Qwen 3: the reference passes the hooked projections
    through them)."""
    from _tiny_lm import save_tiny_lm

    from attnlimits.models import load_model

    lm = load_model(save_tiny_lm(tmp_path_factory.mktemp(family), family=family))
    assert (lm.specs[0].sliding_window == 40) == (family == "mistral")
    check, rec, _ = _run(lm, name, _schedule(lm), np.arange(L))
    assert check["max_abs_error"] <= 1e-5 and check["output_error"] <= 1e-4, check
    if family == "mistral":
        p = rec.probabilities[0]
        assert np.all(p[:, 100, :61] == 0.0) and np.all(p[:, 100, 61:101] > 0)  # keys 61 … 100 only


@pytest.mark.parametrize("name, wrong", [("yarn", "yarn_noscale"), ("yarn_iso", "yarn_iso_uniform"),
                                         ("yarn_qwen", "yarn_llama4"), ("none", "linear")])
def test_a_wrong_reference_fails(tiny_lm, name, wrong):
    """The check can fail: the reference of another recipe (multiplier or frequencies) is far off."""
    check, _, _ = _run(tiny_lm, name, _schedule(tiny_lm), np.arange(L), reference=wrong)
    assert check["max_abs_error"] > 1e-3 and not check["passed"]


def test_none_changes_nothing(tiny_lm):
    """The unmodified recipe through the scaled attention function is the model's own SDPA pass."""
    import torch

    _, _, hidden = _run(tiny_lm, "none", None, np.arange(4))
    tiny_lm.model.set_attn_implementation("sdpa")
    try:
        with torch.no_grad():
            own = tiny_lm.model(input_ids=_ids(tiny_lm)[None], use_cache=False).last_hidden_state[0]
    finally:
        tiny_lm.model.set_attn_implementation("eager")
    assert torch.equal(hidden, own)
    assert tiny_lm.model.config._attn_implementation == "eager" and not hasattr(
        tiny_lm.attention_modules[0][1], "_attnlimits_state")


@pytest.mark.parametrize("fixture", ["tiny_lm", "small_lm"])  # untied head (from the safetensors), tied head
def test_chunked_losses_are_transformers_cross_entropy(request, fixture):
    import torch
    from transformers import AutoModelForCausalLM

    lm = request.getfixturevalue(fixture)
    ids = _ids(lm)
    with torch.no_grad():
        hidden = lm.model(input_ids=ids[None]).last_hidden_state[0]
        ours = token_losses(hidden, ids, lm_head(lm), chunk=24)
        full = AutoModelForCausalLM.from_pretrained(lm.path, local_files_only=True).eval()
        logits = full(input_ids=ids[None]).logits[0, :-1]
        theirs = torch.nn.functional.cross_entropy(logits, ids[1:], reduction="none").double().numpy()
    assert ours.shape == (L - 1,)
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-5)
