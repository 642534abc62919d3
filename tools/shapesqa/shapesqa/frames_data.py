"""Cached sampled frames (prepare.py) with their scenes, captions and event windows, in the SPEC 1 sample order."""

import json
import os

import numpy as np
import torch

from .captions import caption
from .dataset import load_jsonl, scene_of


class SplitFrames:
    """frames uint8 [V, N, H, W, 3] (memory-mapped), videos [V], frame_indices [N], and per record helpers."""

    def __init__(self, data, split):
        cache = os.path.join(data, "cache")
        self.frames = np.load(os.path.join(cache, split + "_frames.npy"), mmap_mode="r")
        with open(os.path.join(cache, split + "_videos.json")) as f:
            meta = json.load(f)
        self.videos = meta["videos"]
        self.frame_indices = np.array(meta["frame_indices"])
        self.video_index = {v: i for i, v in enumerate(self.videos)}
        self.records = load_jsonl(os.path.join(data, split + ".jsonl"))
        first = {}
        for r in self.records:
            first.setdefault(r["video"], r)
        self.scenes = [scene_of(first[v]) for v in self.videos]

    def captions(self):
        """[V][N] caption strings of the sampled frames."""
        return [[caption(s, int(f)) for f in self.frame_indices] for s in self.scenes]

    def in_windows(self, windows):
        """Boolean [N]: which sampled frames fall inside any of the [start, end) windows."""
        m = np.zeros(len(self.frame_indices), dtype=bool)
        for a, b in windows:
            m |= (self.frame_indices >= a) & (self.frame_indices < b)
        return m

    def event_mask(self):
        """Boolean [V, N]: sampled frames inside the flash or the appearance."""
        return np.stack([self.in_windows([s.flash, s.appearance]) for s in self.scenes])


def pixels(frames_uint8, cfg):
    """uint8 [..., S, S, 3] frames -> SPEC 1.1 pixels float32 [..., 3, S, S]. Valid here because the frames are
    already S x S with R = S, where the resize and the crop are the identity (checked in prepare/tests)."""
    x = torch.as_tensor(np.asarray(frames_uint8)).to(torch.float32)
    x = x.movedim(-1, -3) / 255.0
    mean = torch.tensor(cfg["mean"], dtype=torch.float32).view(3, 1, 1)
    std = torch.tensor(cfg["std"], dtype=torch.float32).view(3, 1, 1)
    return (x - mean) / std
