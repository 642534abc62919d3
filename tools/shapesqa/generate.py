"""Generate ShapesQA: mp4 videos plus train/val/test JSONL (video, question, answer, category, ...).

    python tools/shapesqa/generate.py --out DATA [--seed 0] [--train 2400] [--val 200] [--test 400]

Writes DATA/{split}/{split}_NNNNN.mp4, DATA/{split}.jsonl and DATA/answers.json. Deterministic: the frames and
every JSONL byte depend only on the seed and the counts; the mp4 bytes also on the ffmpeg/x264 version.
"""

import argparse
import json
import os
import time

from shapesqa.dataset import SPLITS, records  # noqa: E402
from shapesqa.render import render  # noqa: E402
from shapesqa.video_io import write_mp4  # noqa: E402
from shapesqa.vocab import ANSWERS, CATEGORIES  # noqa: E402


def generate_split(out, split, count, seed, frames, size, log=print):
    os.makedirs(os.path.join(out, split), exist_ok=True)
    t0 = time.time()
    with open(os.path.join(out, split + ".jsonl"), "w", encoding="utf-8") as f:
        for i in range(count):
            scene, recs = records(seed, split, i, frames, size)
            path = os.path.join(out, recs[0]["video"])
            if not os.path.exists(path):
                write_mp4(path, render(scene))
            for r in recs:
                assert r["answer"] in ANSWERS and r["category"] in CATEGORIES
                f.write(json.dumps(r) + "\n")
            if (i + 1) % 200 == 0:
                log(f"{split}: {i + 1}/{count} videos ({time.time() - t0:.0f} s)")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--frames", type=int, default=64)
    ap.add_argument("--size", type=int, default=64)
    for split, n in (("train", 2400), ("val", 200), ("test", 400)):
        ap.add_argument("--" + split, type=int, default=n, help=f"videos in the {split} split")
    ap.add_argument("--only", nargs="+", choices=list(SPLITS), help="write only these splits (to run them in parallel)")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "answers.json"), "w", encoding="utf-8") as f:
        json.dump(ANSWERS, f)
    for split in args.only or SPLITS:
        generate_split(args.out, split, getattr(args, split), args.seed, args.frames, args.size)


if __name__ == "__main__":
    main()
