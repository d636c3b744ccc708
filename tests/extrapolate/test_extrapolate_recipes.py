"""Each recipe's frequencies and logit multiplier against transformers' own functions or the published formula, on
a tiny random Llama at T = 64 → 128.

- frequencies and YaRN's attention factor m: transformers' ``ROPE_INIT_FUNCTIONS`` (the rotary module the recipe
  builds must carry exactly their inverse frequencies and attention factor); m² is also YaRN's published
  (0.1·ln s + 1)² with s = 2;
- Qwen's log-n: its published rule q × max(1, ln n / ln T) (Qwen v1's modeling code; transformers has none);
- Llama 4's temperature tuning: transformers' ``Llama4TextAttention`` expression
  ``log1p(floor((position + 1) / floor_scale)) * attn_scale + 1`` with floor_scale = T, and our config reader
  (tested against transformers in tests/schedules) on a Llama 4 config with that floor scale;
- the iso multipliers: exactly the schedule's values at its nodes, 1 for n ≤ T, linear in log n between; the
  uniform one is the ``schedule --d`` path (schedule_table's β_iso/β_train).
"""

import math

import numpy as np
import pytest

from attnlimits import InputError
from attnlimits.extrapolate import (RECIPES, IsoSchedule, applied, iso_nodes, logit_multipliers, parse_recipes,
                                    query_multipliers, recipe_rope, uniform_multipliers)

T, L = 64, 128
BASE = {"rope_type": "default", "rope_theta": 10000.0}


def test_parse_recipes():
    assert parse_recipes(None) == list(RECIPES)
    assert parse_recipes("yarn_iso, none") == ["none", "yarn", "yarn_iso"]  # RECIPES order, reference added
    for bad in ("yarn,foo", "", "yarn,,none"):
        with pytest.raises(InputError, match="recipes"):
            parse_recipes(bad)


def test_rope_parameters():
    assert recipe_rope("none", BASE, T) is None
    assert recipe_rope("linear", BASE, T) == {"rope_theta": 10000.0, "rope_type": "linear", "factor": 2.0}
    yarn = {"rope_theta": 10000.0, "rope_type": "yarn", "factor": 2.0, "original_max_position_embeddings": T}
    assert recipe_rope("yarn", BASE, T) == yarn
    for name in ("yarn_noscale", "yarn_qwen", "yarn_llama4", "yarn_iso", "yarn_iso_uniform"):
        assert recipe_rope(name, BASE, T) == {**yarn, "attention_factor": 1.0}


@pytest.mark.parametrize("name", list(RECIPES))
def test_rotary_is_transformers(tiny_lm, name):
    """The rotary module a recipe builds: transformers' inverse frequencies and attention factor, bit for bit."""
    import copy

    import torch
    from transformers.modeling_rope_utils import ROPE_INIT_FUNCTIONS

    rope = recipe_rope(name, dict(tiny_lm.model.config.rope_parameters), T)
    original = tiny_lm.model.rotary_emb
    with applied(tiny_lm, rope=rope):
        rot = tiny_lm.model.rotary_emb
        assert (rot is original) == (rope is None)
        assert tiny_lm.model.config.rope_parameters == (rope or BASE)
        config = copy.deepcopy(tiny_lm.model.config)
        kind = config.rope_parameters["rope_type"]
        fn = type(rot).compute_default_rope_parameters if kind == "default" else ROPE_INIT_FUNCTIONS[kind]
        inv, factor = fn(config)
        assert torch.equal(rot.inv_freq, inv) and rot.attention_scaling == factor
    assert tiny_lm.model.rotary_emb is original and tiny_lm.model.config.rope_parameters == BASE
    default, _ = type(original).compute_default_rope_parameters(tiny_lm.model.config)
    if name == "linear":
        assert torch.equal(inv, default / 2)
    if name == "yarn":  # transformers' m, and YaRN's published m² = (0.1 ln s + 1)² at s = 2
        from attnlimits.schedules import yarn

        assert factor == pytest.approx(0.1 * math.log(2) + 1, rel=1e-15)
        assert factor ** 2 == pytest.approx(float(yarn(L, T)), rel=1e-15)
        np.testing.assert_allclose(logit_multipliers(name, T, L, 4), factor ** 2, rtol=1e-15)
    elif RECIPES[name].rope.startswith("yarn"):
        assert factor == 1.0


def test_no_query_multiplier():
    for name in ("none", "linear", "yarn", "yarn_noscale"):
        assert query_multipliers(name, T, L, 4) is None
    for name in ("none", "linear", "yarn_noscale"):
        assert np.array_equal(logit_multipliers(name, T, L, 4), np.ones((4, L)))


def test_qwen_logn_is_the_published_rule():
    g = query_multipliers("yarn_qwen", T, L, 4)
    n = np.arange(1, L + 1)
    expected = np.where(n > T, np.log(n) / np.log(T), 1.0)  # q × max(1, ln n / ln T)
    np.testing.assert_allclose(g, np.broadcast_to(expected, (4, L)), rtol=1e-15)
    assert np.array_equal(logit_multipliers("yarn_qwen", T, L, 4), g)  # attention factor 1: M = g


def test_llama4_is_transformers_expression():
    import torch

    from attnlimits.schedules import config_multiplier

    g = query_multipliers("yarn_llama4", T, L, 4)
    positions = torch.arange(L)
    # transformers' Llama4TextAttention (NoPE layers), with floor_scale = T and attn_scale 0.1
    scales = torch.log1p(torch.floor((positions.float() + 1.0) / T)) * 0.1 + 1.0
    np.testing.assert_allclose(g, np.broadcast_to(scales.double().numpy(), (4, L)), rtol=1e-6)
    cfg = {"model_type": "llama4_text", "num_hidden_layers": 1, "no_rope_layers": [0], "attn_temperature_tuning": True,
           "floor_scale": T, "attn_scale": 0.1, "max_position_embeddings": L}
    cm = config_multiplier(cfg, np.arange(1, L + 1), layer=0)
    np.testing.assert_allclose(g[0], cm.multiplier, rtol=1e-15)
    assert g[0, T - 2] == 1.0 and g[0, T - 1] > 1.0  # the floor counts n = p + 1: already > 1 at n = T


def _planted(seed=0, layers=2, heads=4):
    rng = np.random.default_rng(seed)
    nodes = iso_nodes(T)
    r = 1.0 + np.cumsum(rng.uniform(0.0, 0.05, (layers, heads, nodes.size)), axis=-1)
    uniform = 1.0 + np.linspace(0.01, 0.2, nodes.size)
    return IsoSchedule(n_train=T, nodes=nodes, uniform=uniform, per_head=r,
                       source=np.full((layers, heads), "audit", dtype=object))


def test_iso_nodes():
    nodes = iso_nodes(T)
    assert nodes.size == 16 and nodes[0] > T and nodes[-1] == 2 * T and np.all(np.diff(nodes) > 0)
    np.testing.assert_allclose(np.log(nodes), np.log(T) + np.log(2) * np.arange(1, 17) / 16, atol=0.5 / T)
    with pytest.raises(InputError, match="train-length"):
        iso_nodes(16)


def test_iso_multiplier_per_head():
    s = _planted()
    g = query_multipliers("yarn_iso", T, L, 4, s)
    assert g.shape == (2, 4, L)
    assert np.all(g[..., :T] == 1.0)  # n = p + 1 ≤ T
    np.testing.assert_allclose(g[..., s.nodes - 1], s.per_head, rtol=1e-15)  # the schedule at its nodes
    n0, n1 = s.nodes[3], s.nodes[4]
    for n in range(n0 + 1, n1):  # linear in log n between nodes
        w = (math.log(n) - math.log(n0)) / (math.log(n1) - math.log(n0))
        np.testing.assert_allclose(g[..., n - 1], (1 - w) * s.per_head[..., 3] + w * s.per_head[..., 4], rtol=1e-14)
    n = T + 1  # between (T, 1) and the first node
    w = (math.log(n) - math.log(T)) / (math.log(s.nodes[0]) - math.log(T))
    np.testing.assert_allclose(g[..., n - 1], 1 - w + w * s.per_head[..., 0], rtol=1e-14)
    assert np.array_equal(logit_multipliers("yarn_iso", T, L, 4, s), g)  # replaces m²


def test_iso_uniform_is_one_for_every_head():
    s = _planted()
    g = query_multipliers("yarn_iso_uniform", T, L, 4, s)
    assert g.shape == (4, L) and np.all(g == g[0])
    np.testing.assert_allclose(g[0, s.nodes - 1], s.uniform, rtol=1e-15)
    with pytest.raises(InputError, match="schedule"):
        query_multipliers("yarn_iso", T, L, 4)


def test_uniform_schedule_is_the_schedule_d_path():
    from attnlimits.laws import UniformSphere
    from attnlimits.schedules import schedule_table

    nodes = [96, 128]
    r, b = uniform_multipliers(16, T, nodes)
    table = schedule_table(UniformSphere(16), T, nodes)
    assert b == table["beta_train"]
    np.testing.assert_allclose(r, [row["beta_iso"] / table["beta_train"] for row in table["rows"]], rtol=1e-12)
    assert 1.0 < r[0] < r[1]
