"""Splits, seeds and JSONL records: video i of a split is a pure function of (base seed, split, i)."""

import json
import os

import numpy as np

from .questions import questions
from .scene import make_scene

SPLITS = {"train": 0, "val": 1, "test": 2}


def scene_seed(base_seed, split, i):
    """The SeedSequence entropy of video i of `split`."""
    return [int(base_seed), SPLITS[split], int(i)]


def video_name(split, i):
    return f"{split}/{split}_{i:05d}.mp4"


def records(base_seed, split, i, frames=64, size=64):
    """(scene, JSONL records of its questions)."""
    seed = scene_seed(base_seed, split, i)
    scene = make_scene(seed, frames, size)
    rng = np.random.default_rng(np.random.SeedSequence(seed + [1]))
    out = []
    for q in questions(scene, rng):
        out.append(dict(video=video_name(split, i), question=q["question"], answer=q["answer"],
                        category=q["category"], template=q["template"], event_frames=q["event_frames"],
                        seed=seed, frames=frames, size=size))
    return scene, out


def load_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def scene_of(record):
    """Rebuild a record's scene from its seed."""
    return make_scene(record["seed"], record["frames"], record["size"])


def video_path(root, record):
    return os.path.join(root, record["video"])
