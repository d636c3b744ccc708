"""GGUF checkpoints without SmolLM2: a tiny random Llama written with gguf.GGUFWriter is converted once into the
cache (weights equal to the written ones; Q8_0 tensors within half a quantization step), found again by its
SHA-256 without reconversion, and its extracted q/k reproduce its eager attention; every refusal is one
InputError line: not GGUF, truncated, unsupported architecture, a setting transformers drops, too big."""

import json
import os

import numpy as np
import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")
gguf = pytest.importorskip("gguf")
pytest.importorskip("accelerate")

from _tiny_gguf import D_HEAD, N_HEAD, N_KV, write_tiny_gguf  # noqa: E402

from attnlimits._validation import InputError  # noqa: E402
from attnlimits.models import cache_root, load_model, read_gguf_info, token_windows  # noqa: E402
from attnlimits.models import _gguf, _gguf_cache, _gguf_checks  # noqa: E402

TEXT = ("the cat in the hat sat on the mat; an ant ran in the sand and the man ran after it, then the cat "
        "sat in the sun and the hat fell in the sand.")


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """A tiny Q8_0/F32 GGUF file, its written weights, and a cache it was converted into once."""
    folder = tmp_path_factory.mktemp("tiny-gguf")
    path = folder / "tiny.gguf"
    state = write_tiny_gguf(path, quantize_ffn=True)
    cache = tmp_path_factory.mktemp("cache")
    lm = load_model(path, cache_dir=cache)
    return path, state, cache, lm


def test_metadata(tiny):
    path, _, _, _ = tiny
    info = read_gguf_info(path)
    assert (info.architecture, info.model_type, info.quantization) == ("llama", "llama", "Q8_0")
    assert info.metadata["attention.head_count"] == N_HEAD and info.metadata["attention.head_count_kv"] == N_KV
    assert info.metadata["rope.freq_base"] == 10000.0 and info.metadata["tokenizer.add_bos_token"] is False
    assert "rope_freqs.weight" not in info.tensor_names


def test_conversion_keeps_weights_and_names_the_source(tiny):
    path, state, cache, lm = tiny
    info = read_gguf_info(path)
    assert info.float32_bytes == 4 * sum(w.size for w in state.values())
    assert lm.causal and (lm.layers, lm.heads, lm.kv_heads, lm.d_head) == (2, N_HEAD, N_KV, D_HEAD)
    assert lm.name == "tiny"
    sha = _gguf_cache.file_sha256(path)
    assert lm.source == {"file": str(path.resolve()), "sha256": sha, "quantization": "Q8_0", "dequantized": True,
                         "cache": str(cache / "gguf" / sha)}
    assert lm.path == cache / "gguf" / sha and (lm.path / "model.safetensors").is_file()
    assert not [p for p in (cache / "gguf").iterdir() if p.name != sha]  # no temporary directory left
    loaded = {k: v.numpy() for k, v in lm.model.state_dict().items()}
    for name, written in state.items():
        if name == "lm_head.weight":  # not part of the base model that extraction loads
            continue
        got = loaded[name.removeprefix("model.")]
        if ".mlp." in name:  # Q8_0: blocks of 32, step d = max|w|/127 stored as float16, values rounded to
            # the nearest step: error ≤ d/2 + 127·|d − fp16(d)| ≤ d·(1/2 + 127·2⁻¹¹)
            step = np.abs(written.reshape(-1, 32)).max(axis=1, keepdims=True) / 127
            assert np.all(np.abs(got - written).reshape(-1, 32) <= step * (0.5 + 127 * 2.0**-11) + 1e-7)
        else:  # F32 tensors (q and k through llama.cpp's row permutation and back) are exact
            np.testing.assert_array_equal(got, written)


def test_cache_hit_does_not_convert_again(tiny, monkeypatch):
    path, _, cache, lm = tiny
    stamp = (lm.path / "source.json").stat().st_mtime_ns

    def no_conversion(*args, **kwargs):
        raise AssertionError("converted again")

    monkeypatch.setattr(_gguf_cache, "_convert", no_conversion)
    again = load_model(path, cache_dir=cache)
    assert again.path == lm.path and again.source == lm.source
    assert (lm.path / "source.json").stat().st_mtime_ns == stamp
    record = json.loads((lm.path / "source.json").read_text())
    assert record["sha256"] == lm.source["sha256"] and record["architecture"] == "llama"
    # a directory holding the file names it too; the environment variable moves the cache
    monkeypatch.setenv("ATTNLIMITS_CACHE_DIR", str(cache))
    assert cache_root() == cache
    assert load_model(path.parent).path == lm.path


def test_default_cache_location(monkeypatch, tmp_path):
    monkeypatch.delenv("ATTNLIMITS_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache_root() == tmp_path / "attnlimits"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_root() == tmp_path / "home" / ".cache" / "attnlimits"
    assert cache_root(tmp_path / "x") == tmp_path / "x"


def test_matches_eager_attention_and_follows_the_bos_setting(tiny, tmp_path):
    from test_decoder_attention import _check_against_eager

    _, _, _, lm = tiny
    ids, mask = token_windows(lm, TEXT, window=24)
    assert lm.tokenizer.bos_token_id is not None and ids[0, 0] != lm.tokenizer.bos_token_id  # add_bos_token = False
    _check_against_eager(lm)
    path = tmp_path / "bos.gguf"
    write_tiny_gguf(path, add_bos=True, seed=1)
    with_bos = load_model(path, cache_dir=tmp_path / "cache")
    ids, mask = token_windows(with_bos, TEXT, window=24)
    assert np.all(ids[:, 0] == with_bos.tokenizer.bos_token_id)


def test_progress_reports_each_tensor(tmp_path):
    path = tmp_path / "p.gguf"
    write_tiny_gguf(path, seed=2)
    calls = []
    load_model(path, cache_dir=tmp_path / "cache", progress=lambda done, total: calls.append((done, total)))
    total = len(read_gguf_info(path).tensor_names) + 2
    assert calls[0] == (0, total) and calls[-1] == (total, total)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)


def test_interrupted_conversion_leaves_nothing(tmp_path, monkeypatch):
    path = tmp_path / "i.gguf"
    write_tiny_gguf(path, seed=3)
    from transformers import AutoTokenizer

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(AutoTokenizer, "from_pretrained", interrupted)  # after the weights were written
    with pytest.raises(KeyboardInterrupt):
        load_model(path, cache_dir=tmp_path / "cache")
    assert list((tmp_path / "cache" / "gguf").iterdir()) == []
    monkeypatch.undo()
    assert load_model(path, cache_dir=tmp_path / "cache").source["quantization"] == "F32"


def test_stale_temporary_directory_of_a_dead_process_is_swept(tmp_path):
    gone = tmp_path / "cache" / "gguf" / ".tmp-999999999-abc-x"
    gone.mkdir(parents=True)
    path = tmp_path / "s.gguf"
    write_tiny_gguf(path, seed=4)
    load_model(path, cache_dir=tmp_path / "cache")
    assert not gone.exists()


def _one_line(exc) -> str:
    msg = str(exc.value)
    assert "\n" not in msg
    return msg


def test_refusals_of_the_file(tmp_path):
    text = tmp_path / "notes.gguf"
    text.write_text("hello")
    with pytest.raises(InputError, match=r"not a GGUF file \(bad magic\); expected a \.gguf file") as exc:
        load_model(text)
    assert _one_line(exc).startswith(f"invalid model={str(text)!r}")
    good = tmp_path / "good.gguf"
    write_tiny_gguf(good)
    data = good.read_bytes()
    for cut in (len(data) // 2, 40):
        short = tmp_path / f"short{cut}.gguf"
        short.write_bytes(data[:cut])
        with pytest.raises(InputError, match="truncated or corrupt GGUF file") as exc:
            load_model(short, cache_dir=tmp_path / "cache")
        _one_line(exc)
    other = tmp_path / "gpt2.gguf"
    write_tiny_gguf(other, arch="gpt2")
    with pytest.raises(InputError, match="unsupported GGUF architecture 'gpt2'") as exc:
        load_model(other, cache_dir=tmp_path / "cache")
    _one_line(exc)
    two = tmp_path / "two"
    two.mkdir()
    (two / "a.gguf").write_bytes(data)
    (two / "b.gguf").write_bytes(data)
    with pytest.raises(InputError, match="holds 2 .gguf files"):
        load_model(two)
    assert not (tmp_path / "cache").exists()  # every refusal came before any work


@pytest.mark.parametrize("extra, rope_freqs, match", [
    ({"rope.scaling.type": "yarn", "rope.scaling.factor": 4.0}, False, r"rope\.scaling\.type='yarn'"),
    ({"rope.scaling.type": "linear", "rope.scaling.factor": 2.0}, False, r"rope\.scaling\.type='linear'"),
    ({}, True, "rope_freqs tensor"),
    ({"attention.sliding_window": 16}, False, r"attention\.sliding_window=16"),
    ({"attn_logit_softcapping": 30.0}, False, r"attn_logit_softcapping=30\.0"),
    ({"attention.scale": 0.5}, False, r"attention\.scale=0\.5"),
])
def test_refuses_a_setting_the_loader_drops(tmp_path, extra, rope_freqs, match):
    path = tmp_path / "dropped.gguf"
    write_tiny_gguf(path, extra=extra, rope_freqs=rope_freqs)
    with pytest.raises(InputError, match=match) as exc:
        load_model(path, cache_dir=tmp_path / "cache")
    assert "refused rather than measuring the wrong attention" in _one_line(exc)
    assert not (tmp_path / "cache").exists()  # refused before the weights were read


def test_gemma_query_scale_and_softcap_rules():
    """llama.cpp's Gemma rules where the file is silent: soft-cap 50 (Gemma 2); query scalar key_length, or
    n_embd / n_head for the 27B; a config that differs is reported."""
    import transformers

    meta = {"block_count": 26, "embedding_length": 2304, "attention.head_count": 8, "attention.key_length": 256}
    info = _gguf.GGUFInfo(path=None, architecture="gemma2", model_type="gemma2", quantization="Q8_0",
                          float32_bytes=0, metadata=meta)
    config = transformers.Gemma2Config(head_dim=256, query_pre_attn_scalar=256, attn_logit_softcapping=50.0,
                                       sliding_window=4096)
    assert _gguf_checks.dropped_settings(info, config) == []
    config.query_pre_attn_scalar = 224
    assert "query_pre_attn_scalar (the query scale)=256.0" in _gguf_checks.dropped_settings(info, config)[0]
    big = _gguf.GGUFInfo(path=None, architecture="gemma2", model_type="gemma2", quantization="Q8_0", float32_bytes=0,
                         metadata={**meta, "block_count": 46, "embedding_length": 4608, "attention.head_count": 32,
                                   "attention.key_length": 128})
    config = transformers.Gemma2Config(head_dim=128, query_pre_attn_scalar=256, sliding_window=4096)
    assert "=144.0 but the loaded model has 256" in _gguf_checks.dropped_settings(big, config)[0]
    config.query_pre_attn_scalar, config.attn_logit_softcapping = 144, None
    assert "attn_logit_softcapping=50.0" in _gguf_checks.dropped_settings(big, config)[0]


def test_mistral_default_window_is_not_added():
    """llama.cpp stores Mistral models as 'llama' and applies no sliding window to them; where transformers
    builds a Mistral config from such a file it adds its default window of 4096, which the converted config drops
    (and a window the file does set is kept)."""
    import transformers

    info = _gguf.GGUFInfo(path=None, architecture="llama", model_type="mistral", quantization="Q4_0", float32_bytes=0)
    config = transformers.MistralConfig(num_hidden_layers=1)
    assert config.sliding_window == 4096 and _gguf_checks.dropped_settings(info, config)
    fixed = _gguf_cache._fixed_config(info, config)
    assert fixed.sliding_window is None and _gguf_checks.dropped_settings(info, fixed) == []
    windowed = _gguf.GGUFInfo(path=None, architecture="llama", model_type="mistral", quantization="Q4_0",
                              float32_bytes=0, metadata={"attention.sliding_window": 4096})
    assert _gguf_cache._fixed_config(windowed, config).sliding_window == 4096


def test_too_big_for_memory_is_refused_before_any_work(tmp_path, monkeypatch):
    path = tmp_path / "big.gguf"
    write_tiny_gguf(path)
    info = read_gguf_info(path)
    monkeypatch.setattr(_gguf_checks, "memory_available", lambda: _gguf_checks.HEADROOM + info.float32_bytes)  # not ×2
    with pytest.raises(InputError, match=r"dequantized to float32 it needs about .* GiB is available \(MemAvailable\)") as exc:
        load_model(path, cache_dir=tmp_path / "cache")
    _one_line(exc)
    assert not (tmp_path / "cache").exists()
    with pytest.raises(InputError, match="fits in memory"):
        _gguf_checks.check_memory(info, converting=False, available=info.float32_bytes)
    _gguf_checks.check_memory(info, converting=False, available=_gguf_checks.HEADROOM + info.float32_bytes)


def test_memory_available_reads_proc_meminfo():
    value = _gguf_checks.memory_available()
    if os.path.exists("/proc/meminfo"):
        assert value is not None and value > 0
    else:
        assert value is None
