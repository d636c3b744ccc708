"""Named, reproducible texts: 'stdlib-docstrings' (the default) and 'pydoc-topics' (pydoc_data.topics joined in
sorted-key order), each with a record {name, sha256, chars, python}; their length in SmolLM2 tokens."""

import hashlib
import platform

import pytest

from attnlimits._validation import InputError
from attnlimits.models import pydoc_topics, read_text, stdlib_docstrings, text_record
from attnlimits.models._text import TEXT_NAMES


def test_pydoc_topics_is_the_sorted_topics():
    from pydoc_data.topics import topics

    text = read_text("pydoc-topics")
    assert text == pydoc_topics() == "\n\n".join(topics[k] for k in sorted(topics))
    assert 400_000 < len(text) < 600_000  # ~465k characters on Python 3.11


def test_default_text_is_unchanged():
    assert read_text() == read_text("stdlib-docstrings") == stdlib_docstrings()
    assert set(TEXT_NAMES) == {"stdlib-docstrings", "pydoc-topics"}


def test_text_records(tmp_path):
    for name in ("pydoc-topics", "stdlib-docstrings"):
        text = read_text(name)
        assert text_record(name) == {"name": name, "sha256": hashlib.sha256(text.encode()).hexdigest(),
                                     "chars": len(text), "python": platform.python_version()}
    assert text_record(None) == text_record("stdlib-docstrings")
    path = tmp_path / "t.txt"
    path.write_text("héllo", encoding="utf-8")
    assert text_record(path) == {"name": str(path), "sha256": hashlib.sha256("héllo".encode()).hexdigest(),
                                 "chars": 5, "python": None}
    with pytest.raises(InputError, match=r"invalid text='.*missing.txt': cannot be read .* pydoc-topics"):
        text_record(tmp_path / "missing.txt")


def test_pydoc_topics_length_in_smollm2_tokens(smollm2):
    n = len(smollm2.tokenizer(read_text("pydoc-topics"), add_special_tokens=False)["input_ids"])
    assert 100_000 < n < 130_000  # 113k on Python 3.11: enough for 8192-token windows many times over
