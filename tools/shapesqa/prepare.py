"""Decode every split's mp4 files once and keep the N frames the runtime samples (SPEC 1), as the runtime
sees them after H.264: DATA/cache/{split}_frames.npy uint8 [V, N, H, W, 3] and {split}_videos.json.

    python tools/shapesqa/prepare.py --data DATA
"""

import argparse
import json
import os
import time

import numpy as np

from shapesqa.dataset import SPLITS, load_jsonl  # noqa: E402
from shapesqa.model_config import CONFIG  # noqa: E402
from shapesqa.video_io import read_mp4  # noqa: E402
from vdref.frames import frame_indices  # noqa: E402


def videos_of(data, split):
    """Video names of a split in first-appearance order."""
    seen = {}
    for r in load_jsonl(os.path.join(data, split + ".jsonl")):
        seen.setdefault(r["video"], len(seen))
    return list(seen)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", required=True)
    args = ap.parse_args()
    cache = os.path.join(args.data, "cache")
    os.makedirs(cache, exist_ok=True)
    N = CONFIG["num_frames"]
    for split in SPLITS:
        names = videos_of(args.data, split)
        first = read_mp4(os.path.join(args.data, names[0]))
        idx = frame_indices(first.shape[0], N)
        out = np.lib.format.open_memmap(os.path.join(cache, split + "_frames.npy"), mode="w+", dtype=np.uint8,
                                        shape=(len(names), N) + first.shape[1:])
        t0 = time.time()
        for v, name in enumerate(names):
            frames = read_mp4(os.path.join(args.data, name), first.shape[1:3])
            out[v] = frames[idx]
        out.flush()
        with open(os.path.join(cache, split + "_videos.json"), "w") as f:
            json.dump(dict(videos=names, frame_indices=idx, source_frames=int(first.shape[0])), f)
        print(f"{split}: {len(names)} videos decoded in {time.time() - t0:.0f} s")


if __name__ == "__main__":
    main()
