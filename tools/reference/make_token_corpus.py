#!/usr/bin/env python3
"""Write Tests/Fixtures/tokenizer/corpus.json (vdref.token_corpus: the strings and their ids from vdref).

Usage: python3 tools/reference/make_token_corpus.py [--out PATH]
"""

from vdref.token_corpus import main

if __name__ == "__main__":
    main()
