"""vdref.tokenizer against OpenAI's own CLIP tokenizer (SPEC 2.3).

Oracle: `clip/simple_tokenizer.py` from the PyPI package clip-anytorch (a packaging of OpenAI's CLIP
repository), installed with `pip install --no-deps clip-anytorch`; the tests that need it skip with a
message when it is missing. Its module file is loaded on its own, so torch/torchvision imports in
`clip/__init__.py` do not matter.

SPEC 2.3 runs ftfy with `fix_encoding=False`, while OpenAI's `basic_clean` calls `ftfy.fix_text(text)` with
default arguments (mojibake repair on). The oracle is therefore OpenAI's code with its `ftfy` module
reference replaced by one whose `fix_text` passes `fix_encoding=False`; everything else (html.unescape,
whitespace, lower, pattern, BPE, vocabulary) is OpenAI's, unchanged. The fixture corpus
(Tests/Fixtures/tokenizer/corpus.json) is also checked to be what vdref produces now.
"""

from __future__ import annotations

import importlib.util
import json
import os
import types

import ftfy
import numpy as np
import pytest

from vdref import token_corpus as make_token_corpus
from vdref import tokenizer as vtok

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = make_token_corpus.corpus_strings()
FIXTURE = os.path.join(HERE, "..", "..", "..", "Tests", "Fixtures", "tokenizer", "corpus.json")


@pytest.fixture(scope="module")
def ours() -> vtok.Tokenizer:
    return vtok.Tokenizer()


@pytest.fixture(scope="module")
def openai():
    """OpenAI's SimpleTokenizer with ftfy.fix_text(..., fix_encoding=False) as SPEC 2.3 fixes."""
    spec = importlib.util.find_spec("clip")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("OpenAI's CLIP tokenizer is not installed: pip install --no-deps clip-anytorch")
    folder = list(spec.submodule_search_locations)[0]
    path = os.path.join(folder, "simple_tokenizer.py")
    if not os.path.exists(path):
        pytest.skip(f"{path} is missing: pip install --no-deps clip-anytorch")
    module_spec = importlib.util.spec_from_file_location("openai_clip_simple_tokenizer", path)
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    module.ftfy = types.SimpleNamespace(fix_text=lambda text: ftfy.fix_text(text, fix_encoding=False))
    return module.SimpleTokenizer(bpe_path=vtok.DEFAULT_BPE_PATH)


def openai_tokenize(tok, text: str, context_length: int) -> list[int]:
    """`clip.tokenize(text, context_length, truncate=True)` without torch: SOT + ids + EOT, cut, pad."""
    ids = [tok.encoder["<|startoftext|>"]] + tok.encode(text) + [tok.encoder["<|endoftext|>"]]
    if len(ids) > context_length:
        ids = ids[:context_length]
        ids[-1] = tok.encoder["<|endoftext|>"]
    return ids + [0] * (context_length - len(ids))


def test_corpus_is_large_and_varied():
    assert len(CORPUS) >= 300
    assert "a photo of a cat" in CORPUS and "" in CORPUS and " " in CORPUS
    assert any("<|endoftext|>" in s for s in CORPUS)


def test_check_value(ours):
    assert ours.tokenize("a photo of a cat", 77)[:8].tolist() == [49406, 320, 1125, 539, 320, 2368, 49407, 0]
    assert ours.encode("a photo of a cat") == [320, 1125, 539, 320, 2368]


def test_vocabulary(ours, openai):
    assert len(ours.merges) == 48894 and len(ours.encoder) == 49408
    assert ours.encoder == openai.encoder
    assert (ours.sot, ours.eot) == (49406, 49407)


def test_sha256_is_checked(tmp_path):
    bad = tmp_path / "bpe.txt.gz"
    bad.write_bytes(b"not the vocabulary")
    with pytest.raises(ValueError, match="SHA-256"):
        vtok.Tokenizer(str(bad))


@pytest.mark.parametrize("text", CORPUS, ids=range(len(CORPUS)))
def test_encode_matches_openai(ours, openai, text):
    assert ours.encode(text) == openai.encode(text)


def test_tokenize_matches_openai(ours, openai):
    for text in CORPUS:
        for n in (77, 16, 2):
            assert ours.tokenize(text, n).tolist() == openai_tokenize(openai, text, n), (text, n)


def test_truncation_and_padding(ours):
    short = ours.tokenize("a photo of a cat", 16)
    assert short.dtype == np.int64 and short.shape == (16,)
    assert short.tolist() == [49406, 320, 1125, 539, 320, 2368, 49407] + [0] * 9
    long_text = "word " * 100
    body = ours.encode(long_text)
    assert len(body) == 100
    cut = ours.tokenize(long_text, 77).tolist()
    assert cut[0] == 49406 and cut[-1] == 49407 and cut[1:76] == body[:75]
    exact = ours.tokenize("a photo of a cat", 7).tolist()
    assert exact == [49406, 320, 1125, 539, 320, 2368, 49407]
    one_short = ours.tokenize("a photo of a cat", 6).tolist()
    assert one_short == [49406, 320, 1125, 539, 320, 49407]
    assert ours.tokenize("", 4).tolist() == [49406, 49407, 0, 0]
    assert ours.tokenize("   \n\t ", 3).tolist() == [49406, 49407, 0]
    assert ours.tokenize("anything", 1).tolist() == [49407]
    with pytest.raises(ValueError):
        ours.tokenize("x", 0)


def test_special_strings(ours):
    assert ours.encode("<|startoftext|>") == [49406]
    assert ours.encode("a<|endoftext|>b") == [320, 49407, 321]
    # Lower-casing comes before splitting, so upper-case spellings are special too (as in CLIP).
    assert ours.encode("<|ENDOFTEXT|>") == [49407]
    assert 49407 not in ours.encode("<| endoftext |>")


def test_fixture_corpus_is_current(ours):
    if not os.path.exists(FIXTURE):
        pytest.skip(f"{FIXTURE} not written yet: python3 tools/reference/make_token_corpus.py")
    with open(FIXTURE, encoding="ascii") as f:
        rows = json.load(f)
    assert [r["text"] for r in rows] == CORPUS
    for r in rows:
        assert r["ids77"] == ours.tokenize(r["text"], 77).tolist()
        assert r["ids16"] == ours.tokenize(r["text"], 16).tolist()
