"""Write Tests/Fixtures/tokenizer/corpus.json: tokenizer test strings with their ids from vdref.

Usage: python3 tools/reference/make_token_corpus.py [--out PATH]  (or python3 -m vdref.token_corpus)

The output is deterministic (fixed strings plus strings from a seeded generator): a JSON list of
{"text": str, "ids77": [int x 77], "ids16": [int x 16]}, ids from `vdref.tokenizer.Tokenizer.tokenize`
(SPEC 2.3) for context lengths 77 and 16. The Swift tokenizer test compares against it, and
tools/reference/tests/test_tokenizer.py checks the same strings against OpenAI's simple_tokenizer.py.
"""

from __future__ import annotations

import argparse
import json
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.join(HERE, "..", "..", "..", "Tests", "Fixtures", "tokenizer", "corpus.json")
CONTEXT_LENGTHS = (77, 16)

# Hand-picked strings, grouped by what they exercise.
_FIXED = {
    "spec": ["a photo of a cat", "", " ", "   \t\n  ", "\u3000", "\u00a0\u2028\u2029\u0085"],
    "questions": [
        "What is the man doing?", "what color is the car on the left", "How many people are in the video?",
        "Is the dog running or walking?", "Why did the woman open the door?",
        "What happens after the boy picks up the ball?", "where is the cat sitting",
        "Who is holding the umbrella?", "Does the person wear glasses? Yes or no.",
        "What does the chef put into the pan first?",
    ],
    "punctuation": [
        "hello, world!", "wait... what?!", "(parentheses) [brackets] {braces}", "a-b_c/d\\e|f",
        "email@example.com", "https://example.com/path?q=1&r=2#frag", "#hashtag @mention $5 %20 ^_^",
        "\"double\" and 'single' quotes", "---", "!!!???...", "~`!@#$%^&*()_+-={}[]|\\:;\"'<>,.?/",
        "C++ and C#", "x<y>z", "a<b", "1 < 2 > 0", ":-) ;-) :D", "semi;colon", "back`tick",
    ],
    "digits": [
        "0", "42", "123456789", "3.14159", "1,000,000", "2024-01-31", "10:45pm", "v2.0.1", "x86_64",
        "100%", "-17", "1e-5", "catch22", "007 bond", "iPhone 15 Pro Max",
    ],
    "contractions": [
        "it's", "don't", "we're", "they've", "I'm", "you'll", "he'd", "IT'S LOUD", "Don'T", "'s",
        "''s", "'sa", "rock'n'roll", "o'clock", "the dogs' toys", "'re'", "can't won't shouldn't",
        "y'all'd've", "'ll'm'd'", "ma'am",
    ],
    "accents": [
        "café", "naïve résumé", "Müller über Straße", "crème brûlée", "São Paulo", "Dvořák", "Łódź",
        "e\u0301te\u0301", "A\u030angstro\u0308m", "İstanbul", "ΣΑΣ ΟΔΟΣ", "Ελληνικά", "ǅemal",
        "Ωmega \u2126 ohm \u212b angstrom \u212a kelvin", "ſtraße", "ﬁne ﬂour ﬀ ﬃ ﬄ ﬅ ﬆ ĳ Ĳ ŉ Ǆ ǈ",
        "Crème Brûlée À LA CARTE", "ÀÉÎÕÜ", "ǰ ΐ ẞ", "x\u0345y", "\u0345", "\u1fb3\u1fbc",
    ],
    "emoji": [
        "😀", "I love 🍕!", "👍🏽", "👨‍👩‍👧‍👦 family", "🇫🇷🇯🇵", "❤️", "🏴󠁧󠁢󠁷󠁬󠁳󠁿", "😂😂😂😂",
        "★☆✓✔✗", "→←↑↓", "©®™", "☃ snowman", "🙈🙉🙊",
    ],
    "html": [
        "&amp;", "&amp;amp;", "&amp;amp;amp;", "&lt;b&gt;bold&lt;/b&gt;", "Tom &amp; Jerry", "&quot;hi&quot;",
        "&#39;quoted&#39;", "&#x27;hex&#x27;", "&nbsp;space", "&copy; 2024", "&copy 2024", "&notit;",
        "&ampamp;", "&AMP;", "&EACUTE;", "P&EACUTE;REZ", "&szlig; &SZLIG;", "&hellip;", "&mdash;",
        "&rsquo;s", "&ldquo;curly&rdquo;", "&#8217;", "&#0;", "&#128;", "&#x80;", "&#150;", "&#13;",
        "&#xD800;", "&#1114112;", "&#65;&#66;&#67;", "&#x1F600;", "&#59;", "&#12ab;", "&#xyz;", "&foo;",
        "&", "&&", "& amp;", "&#", "&#x;", "a &amp; <b>", "<b>&amp;lt;</b>", "<i>&ldquo;x&rdquo;</i>",
        "&lt;|endoftext|&gt;", "&NewLine;&Tab;x", "&fjlig;", "&nGt;", "&ThickSpace;", "&amp&lt&gt",
        "&aacute;&Aacute;&AACUTE;", "line1&amp;\n<p>line2&amp;</p>\nline3&amp;", "&#65\n&#66;",
        "&thetasym;&piv;&upsih;", "&#x110000;", "&#xFFFE;", "&#x0B;", "&#11;", "&#x7F;", "&#160;",
        "&Ascr;ohn &Hscr;ancock", "&#x2028;", "&#133;",
    ],
    "cjk": [
        "日本語のテキスト", "中文文本测试", "한국어 텍스트", "東京タワーに行きました。", "ｶﾀｶﾅ ﾊﾟﾋﾟﾌﾟ", "ﾟﾞ",
        "ＬＯＵＤ　ＮＯＩＳＥＳ", "１２３", "ｆｕｌｌｗｉｄｔｈ！", "￠￡￢￣￤￥￦", "ﾠﾡﾢ", "ㄱㅏ",
        "漢字かなカナ", "你好，世界！", "𠀀𠀁 ext-B", "〇一二三",
    ],
    "scripts": [
        "مرحبا بالعالم", "שלום עולם", "नमस्ते दुनिया", "สวัสดีชาวโลก", "Привет, мир!", "Γειά σου Κόσμε",
        "ሰላም ዓለም", "Բարեւ աշխարհ", "ᚠᚢᚦᚨᚱᚲ", "ⅠⅡⅢⅣ ⅰⅱ", "x² y³ ½ ¾ ①②③", "𝐀𝐁𝐂 𝔸𝔹", "٣٤٥ ৩৪",
        "Ⓐⓑ", "ℌℑℜ", "Ǳ ǲ ǳ",
    ],
    "whitespace": [
        "a  b", "a\tb", "a\nb", "a\r\nb", "a\rb", "  leading", "trailing  ", "a \u00a0 b", "a\u2003b",
        "a\u200bb", "a\u200db", "a\u2060b", "a\ufeffb", "\ufeffbom", "tab\t\t\tsep", "a\x0bb", "a\x0cb",
        "a\x1cb\x1db\x1eb\x1fb", "a\u180eb", "a\u2028b\u2029c", "\n\n\nx\n\n\n",
    ],
    "controls": [
        "a\x00b", "a\x07b", "a\x1b[31mred\x1b[0m", "\x1b[1;32mgreen", "\x1b[\u0663m", "a\x7fb",
        "a\x80b", "a\x85b", "a\x91quote\x92", "\x93curly\x94", "a\x81b\x8db\x8fb\x90b\x9db", "x\u206ay",
        "x\ufff9y\ufffcz", "\U000e0041tag", "a\u202eb", "\u00ad soft hyphen", "a\ufffdb", "\ufffe",
    ],
    "quotes": [
        "\u2018single\u2019", "\u201cdouble\u201d", "\u201a\u201b\u201e\u201f", "\u02bcokina", "it\u2019s",
        "\u00abguillemets\u00bb", "\u2032prime\u2033", "don\u2019t", "\u2019s", "\u02bcll",
    ],
    "special": [
        "<|startoftext|>", "<|endoftext|>", "a<|endoftext|>b", "<|startoftext|><|endoftext|>",
        "<|ENDOFTEXT|>", "<|EndOfText|>", "<| endoftext |>", "<|endoftext", "endoftext|>",
        "<|ſtartoftext|>", "x<|startoftext|>y<|endoftext|>z", "<<|endoftext|>>", "|<|endoftext|>|",
        "<|endoftext|><|endoftext|><|endoftext|>",
    ],
    # Scalars whose properties differ between Python 3.11's Unicode 14.0 and later versions (Swift 6.3 and
    # the regex package follow 17.0): U+0295 was cased, U+1171E case-ignorable; U+1C89 (16.0) has a lower
    # case only after 14.0; U+16D63 U+16D67 (16.0) compose under NFC only after 14.0.
    "unicode_versions": [
        "x\u0295\u03a3", "x\U0001171e\u03a3", "\u1c89\u1c8a", "\U00016d63\U00016d67", "a\U00010d50b",
        "\U00016ea0\U00016ebb", "\U00011f04\U00011f05",
    ],
    "long": [
        "word " * 100, "a" * 300, "supercalifragilisticexpialidocious" * 5,
        "The quick brown fox jumps over the lazy dog. " * 8,
        " ".join(str(i) for i in range(120)), "!?" * 100, "日本" * 60, "😀" * 80,
        "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut "
        "labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris "
        "nisi ut aliquip ex ea commodo consequat.",
        "antidisestablishmentarianism pneumonoultramicroscopicsilicovolcanoconiosis",
        "&amp;" * 50, "a\n" * 100, "x" * 2000,
    ],
}

# Alphabet for the seeded random strings: ASCII, whitespace, and one or two of every class above.
_POOL = (
    list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") * 3
    + list(" " * 12) + list(".,;:!?'\"-_()[]{}<>/\\|@#$%^&*+=~`")
    + ["&amp;", "&lt;", "&#39;", "&nbsp;", "&hellip;", "<|endoftext|>", "'s", "'ll", "\t", "\n", "\r\n",
       "\u00a0", "\u3000", "é", "e\u0301", "ß", "İ", "Σ", "ﬁ", "ｗ", "１", "ｶ", "ﾞ", "\u2019", "\u201c",
       "\x85", "\x92", "\x00", "\x1b[0m", "\ufeff", "😀", "👍🏽", "日", "本", "한", "ا", "ж", "Ⅻ", "²", "½",
       "\u0345", "\u200d", "ǅ", "ſ", "K", "Ω"]
)


def _assigned_code_points() -> list[str]:
    """Code points assigned in Python 3.11's Unicode 14.0 (planes 0-1 and CJK ext. B), no surrogates."""
    import unicodedata
    return [chr(c) for c in range(0x20000) if unicodedata.category(chr(c)) not in ("Cn", "Cs", "Co")]


def corpus_strings() -> list[str]:
    """The fixed strings, 150 seeded random strings of 1..60 pool items, and 60 seeded random strings of
    1..12 assigned code points (letters, marks, numbers, symbols of every script; Unicode 14.0)."""
    out = [s for group in _FIXED.values() for s in group]
    rng = random.Random(20240531)
    for _ in range(150):
        out.append("".join(rng.choice(_POOL) for _ in range(rng.randint(1, 60))))
    assigned = _assigned_code_points()
    for _ in range(60):
        out.append("".join(rng.choice(assigned) for _ in range(rng.randint(1, 12))))
    seen, unique = set(), []
    for s in out:
        if s not in seen:
            seen.add(s)
            unique.append(s)
    return unique


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=DEFAULT_OUT)
    args = parser.parse_args()
    from vdref.tokenizer import Tokenizer

    tok = Tokenizer()
    rows = [{"text": s, **{f"ids{n}": tok.tokenize(s, n).tolist() for n in CONTEXT_LENGTHS}}
            for s in corpus_strings()]
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w", encoding="ascii") as f:
        json.dump(rows, f, ensure_ascii=True, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {len(rows)} strings to {os.path.normpath(args.out)}")


if __name__ == "__main__":
    main()
