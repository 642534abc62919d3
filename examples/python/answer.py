#!/usr/bin/env python3
"""Answer a question about a video given as a .npy array of uint8 RGB frames [F, H, W, 3].

    pip install ./Sources/python
    python3 examples/python/answer.py MODEL.gguf video.npy "what colour is the ball?"
"""

import sys

import numpy as np

import videodistill

if len(sys.argv) != 4:
    sys.exit(f"usage: {sys.argv[0]} MODEL.gguf VIDEO.npy QUESTION")
model = videodistill.Model(sys.argv[1], threads=2)
video = model.encode_frames(np.load(sys.argv[2]))
result = model.answer(video, sys.argv[3], top_k=3)
for answer, p in zip(result.answers, result.probabilities):
    print(f"{answer}: {p:.4f}")
print("selected frames:", result.selected_frames.tolist())
