#!/usr/bin/env python3
"""Regenerate Tests/Fixtures/tiny_a and tiny_b (needs torch, onnx, onnxruntime) and hf_p16, hf_p32 (needs
transformers). Deterministic: running it twice gives identical bytes."""

import os
import sys

from vdref.fixtures import main

HERE = os.path.dirname(os.path.abspath(__file__))

if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "..", "Tests", "Fixtures"))
