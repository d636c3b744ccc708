"""Seeds: one conversion point (InputError for anything but None, ints and SeedSequences; a Generator is refused)
and one named-child derivation used by claims, sweep cells and reproduce grids, never truncating the root."""

from __future__ import annotations

import numpy as np
import pytest

from attnlimits import InputError
from attnlimits._rng import as_seed_sequence, child, generator, name_words, named_child


def _state(ss):
    return ss.generate_state(4).tolist()


@pytest.mark.parametrize("seed", [0, 7, 2**128 - 1, [1, 2, 3], np.int64(5)])
def test_ints_and_sequences_are_entropy(seed):
    expected = np.random.SeedSequence([int(s) for s in seed] if isinstance(seed, list) else int(seed))
    assert _state(as_seed_sequence(seed)) == _state(expected)


def test_seed_sequence_is_itself_and_none_is_fresh():
    ss = np.random.SeedSequence(3, spawn_key=(1, 2))
    assert as_seed_sequence(ss) is ss
    assert as_seed_sequence(None).entropy != as_seed_sequence(None).entropy


@pytest.mark.parametrize("bad", [-1, 2**128, 1.5, "x", object(), [], [1, -2], True])
def test_anything_else_is_a_one_line_input_error(bad):
    with pytest.raises(InputError, match="invalid seed=") as err:
        as_seed_sequence(bad)
    assert "\n" not in str(err.value)


def test_a_generator_is_refused_with_the_reason():
    with pytest.raises(InputError, match="invalid seed=Generator.*entropy") as err:
        as_seed_sequence(np.random.default_rng(0))
    assert "\n" not in str(err.value)


def test_positional_children_are_spawned_children():
    root = np.random.SeedSequence(11)
    spawned = root.spawn(3)[2]
    assert _state(child(np.random.SeedSequence(11), 2)) == _state(spawned)
    assert _state(child(spawned, 0, 4)) == _state(spawned.spawn(1)[0].spawn(5)[4])
    a, b = generator(root, 1).random(3), np.random.Generator(np.random.PCG64(child(root, 1))).random(3)
    assert a.tolist() == b.tolist()


def test_named_children_keep_the_whole_root_and_depend_only_on_the_name():
    big = 2**100 + 12345
    ss = named_child(np.random.SeedSequence(big, spawn_key=(9,)), {"n": 10, "d": 3})
    assert ss.entropy == big and ss.spawn_key == (9, *name_words({"d": 3, "n": 10}))
    truncated = named_child(np.random.SeedSequence(big % (1 << 63), spawn_key=(9,)), {"n": 10, "d": 3})
    assert _state(ss) != _state(truncated)
    words = name_words(["critical", "exact", 1000, 1.0])
    assert len(words) == 4 and all(0 <= w < 2**32 for w in words)
    assert name_words(("critical", "exact", 1000, 1.0)) == words != name_words(["critical", "exact", 1000, 2.0])


def test_claims_and_sweeps_use_the_one_derivation():
    from attnlimits.claims import Context
    from attnlimits.sweep._spec import cell_seed

    params = {"d": 3, "n": 1000, "lam": 1.0, "law": "uniform"}
    assert _state(cell_seed(5, params)) == _state(named_child(np.random.SeedSequence(5), params))
    ctx = Context(seed=5)
    assert _state(ctx.seed_for("sub", 3, 100, 2.0)) == _state(named_child(np.random.SeedSequence(5), ["sub", 3, 100, 2.0]))
    assert _state(ctx.seed_for("sub", 3, 100, 2.0)) != _state(ctx.seed_for("sub", 3, 100, 3.0))
