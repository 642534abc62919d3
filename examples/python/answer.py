#!/usr/bin/env python3
"""Answer a question about a video: a video file (mp4, webm, ...), an image folder, or a .npy array of uint8 RGB
frames [F, H, W, 3].

    pip install videodistill-*.whl     (the wheel: pip wheel Sources/python)
    python3 examples/python/answer.py MODEL.gguf video.mp4 "what colour is the ball?"
"""

import sys

import numpy as np

import videodistill

if len(sys.argv) != 4:
    sys.exit(f"usage: {sys.argv[0]} MODEL.gguf VIDEO QUESTION")
model = videodistill.Model(sys.argv[1], threads=2)
path = sys.argv[2]
video = model.encode_frames(np.load(path)) if path.endswith(".npy") else model.encode_video(path)
result = model.answer(video, sys.argv[3], top_k=3)
for answer, p in zip(result.answers, result.probabilities):
    print(f"{answer}: {p:.4f}")
print("selected frames:", result.selected_frames.tolist())
