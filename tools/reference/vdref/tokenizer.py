"""CLIP byte-level BPE tokenizer, exactly as SPEC 2.3 defines it.

The oracle is OpenAI's `clip/simple_tokenizer.py`, with one deliberate difference the SPEC fixes:
the ftfy cleanup runs with `fix_encoding=False` (no mojibake repair). Steps:

1. cleanup: `ftfy.fix_text(text, fix_encoding=False)`, `html.unescape` twice, strip;
2. collapse whitespace runs (`regex` `\\s+`) to one space, strip, `str.lower`;
3. split with CLIP's pre-token pattern (case-insensitive); each piece to UTF-8 bytes, bytes to CLIP's
   byte-to-unicode alphabet, `</w>` on the last symbol, merges applied by rank; the exact pieces
   `<|startoftext|>` / `<|endoftext|>` become the special ids;
4. `[SOT] + ids + [EOT]`, truncated to `context_length` with the last id set to EOT, padded with 0.
"""

from __future__ import annotations

import gzip
import hashlib
import html
import os

import ftfy
import numpy as np
import regex

#: SHA-256 of the shipped `bpe_simple_vocab_16e6.txt.gz` (OpenAI CLIP's file, unchanged).
BPE_SHA256 = "924691ac288e54409236115652ad4aa250f48203de50a9e4722a6ecd48d6804a"
#: Number of merges CLIP reads: file lines 1 ..= 48894 (line 0 is a version header).
NUM_MERGES = 49152 - 256 - 2
SOT_TEXT = "<|startoftext|>"
EOT_TEXT = "<|endoftext|>"
#: CLIP's pre-token pattern (compiled case-insensitive, as in CLIP).
PATTERN = (r"""<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|"""
           r"""[^\s\p{L}\p{N}]+""")

#: The repository's one copy, the file convert-weights builds into itself (Sources/_CLIPVocabulary).
DEFAULT_BPE_PATH = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..",
                                                 "Sources", "_CLIPVocabulary", "bpe_simple_vocab_16e6.txt.gz"))


def bytes_to_unicode() -> dict[int, str]:
    """CLIP's byte -> printable character table: printable Latin-1 bytes map to themselves, the other
    68 bytes to U+0100 onwards in byte order."""
    printable = (list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1))
                 + list(range(ord("®"), ord("ÿ") + 1)))
    table = {b: chr(b) for b in printable}
    extra = 0
    for b in range(256):
        if b not in table:
            table[b] = chr(256 + extra)
            extra += 1
    return table


def load_merges(bpe_path: str | None = None) -> list[str]:
    """The 48,894 merge lines ("a b") of the vocabulary file, in rank order; checks the file's SHA-256."""
    path = bpe_path or DEFAULT_BPE_PATH
    with open(path, "rb") as f:
        blob = f.read()
    digest = hashlib.sha256(blob).hexdigest()
    if digest != BPE_SHA256:
        raise ValueError(f"{path}: SHA-256 {digest} is not the CLIP vocabulary's {BPE_SHA256}")
    lines = gzip.decompress(blob).decode("utf-8").split("\n")
    return lines[1:1 + NUM_MERGES]


def clean(text: str) -> str:
    """SPEC 2.3 steps 1-2 before splitting: ftfy (no encoding repair), html.unescape x2, whitespace, lower."""
    text = ftfy.fix_text(text, fix_encoding=False)
    text = html.unescape(html.unescape(text)).strip()
    text = regex.sub(r"\s+", " ", text).strip()
    return text.lower()


class Tokenizer:
    """CLIP BPE tokenizer (V = 49408: 256 bytes, 256 bytes+`</w>`, 48,894 merges, SOT 49406, EOT 49407)."""

    def __init__(self, bpe_path: str | None = None):
        self.merges = load_merges(bpe_path)
        self.byte_encoder = bytes_to_unicode()
        symbols = list(self.byte_encoder.values())
        vocab = symbols + [s + "</w>" for s in symbols] + [m.replace(" ", "") for m in self.merges]
        vocab += [SOT_TEXT, EOT_TEXT]
        self.encoder = {piece: i for i, piece in enumerate(vocab)}
        self.sot = self.encoder[SOT_TEXT]
        self.eot = self.encoder[EOT_TEXT]
        self.ranks = {tuple(m.split(" ")): r for r, m in enumerate(self.merges)}
        self.pattern = regex.compile(PATTERN, regex.IGNORECASE)
        self._cache: dict[str, list[int]] = {}

    def _bpe(self, piece: str) -> list[int]:
        """Ids of one byte-encoded pre-token: merge the lowest-ranked adjacent pair until none applies."""
        if piece in self._cache:
            return self._cache[piece]
        word = list(piece[:-1]) + [piece[-1] + "</w>"]
        while len(word) > 1:
            pairs = {(a, b) for a, b in zip(word, word[1:])}
            best = min(pairs, key=lambda p: self.ranks.get(p, float("inf")))
            if best not in self.ranks:
                break
            merged, i = [], 0
            while i < len(word):
                if i + 1 < len(word) and (word[i], word[i + 1]) == best:
                    merged.append(word[i] + word[i + 1])
                    i += 2
                else:
                    merged.append(word[i])
                    i += 1
            word = merged
        ids = [self.encoder[s] for s in word]
        self._cache[piece] = ids
        return ids

    def encode(self, text: str) -> list[int]:
        """BPE ids of `text` without SOT/EOT."""
        ids: list[int] = []
        for piece in self.pattern.findall(clean(text)):
            if piece == SOT_TEXT:
                ids.append(self.sot)
            elif piece == EOT_TEXT:
                ids.append(self.eot)
            else:
                ids.extend(self._bpe("".join(self.byte_encoder[b] for b in piece.encode("utf-8"))))
        return ids

    def tokenize(self, text: str, context_length: int) -> np.ndarray:
        """int64 [context_length]: SOT + ids + EOT, cut to context_length with EOT last, padded with 0."""
        if context_length < 1:
            raise ValueError(f"context_length {context_length} must be >= 1")
        ids = [self.sot] + self.encode(text) + [self.eot]
        if len(ids) > context_length:
            ids = ids[:context_length]
            ids[-1] = self.eot
        out = np.zeros(context_length, dtype=np.int64)
        out[:len(ids)] = ids
        return out
