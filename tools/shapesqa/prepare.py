"""Decode every split's mp4 files once and keep the N frames the runtime samples (SPEC 1), decoded by the runtime's
own video library (videodistill.read_video_frames: the colour conversion and policy of include/videodistill_video.h),
so training sees exactly the pixels the product sees: DATA/cache/{split}_frames.npy uint8 [V, N, H, W, 3] and
{split}_videos.json.

    python tools/shapesqa/prepare.py --data DATA
"""

import argparse
import json
import os
import time

import numpy as np

from shapesqa.dataset import SPLITS, load_jsonl  # noqa: E402
from shapesqa.model_config import CONFIG  # noqa: E402
import videodistill  # noqa: E402


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
        first = videodistill.read_video_frames(os.path.join(args.data, names[0]), N)
        F = first.info["frame_count"]
        idx = videodistill.frame_indices(F, N)
        out = np.lib.format.open_memmap(os.path.join(cache, split + "_frames.npy"), mode="w+", dtype=np.uint8,
                                        shape=(len(names),) + first.frames.shape)
        t0 = time.time()
        for v, name in enumerate(names):
            # strict: a generated video that does not decode whole is a bug of the data, not something to train on
            video = videodistill.read_video_frames(os.path.join(args.data, name), N, strict=True)
            if video.frames.shape != first.frames.shape or video.info["frame_count"] != F:
                raise SystemExit(f"{name}: {video.info} differs from the split's first video {first.info}")
            out[v] = video.frames
        out.flush()
        with open(os.path.join(cache, split + "_videos.json"), "w") as f:
            json.dump(dict(videos=names, frame_indices=idx, source_frames=F), f)
        print(f"{split}: {len(names)} videos decoded in {time.time() - t0:.0f} s")


if __name__ == "__main__":
    main()
