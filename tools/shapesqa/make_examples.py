"""Copy the first test-split videos of a generated ShapesQA data set to examples/videos with their questions.

    python tools/shapesqa/make_examples.py --data DATA [--count 2] [--question "what colour is the shape that flashed?"]

Writes examples/videos/example_I.mp4 (test video I), examples/videos/questions.jsonl (their records, `video` renamed)
and examples/videos/example_0.question.txt (the question tools/quickstart.sh asks).
"""

import argparse
import json
import os
import shutil

from shapesqa.dataset import load_jsonl, video_name  # noqa: E402
from shapesqa.model_config import REPO  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", required=True)
    ap.add_argument("--count", type=int, default=2)
    ap.add_argument("--question", default="what colour is the shape that flashed?")
    args = ap.parse_args()
    out = os.path.join(REPO, "examples", "videos")
    os.makedirs(out, exist_ok=True)
    records = load_jsonl(os.path.join(args.data, "test.jsonl"))
    lines = []
    for i in range(args.count):
        src = video_name("test", i)
        shutil.copyfile(os.path.join(args.data, src), os.path.join(out, f"example_{i}.mp4"))
        lines += [dict(r, video=f"example_{i}.mp4") for r in records if r["video"] == src]
    with open(os.path.join(out, "questions.jsonl"), "w", encoding="utf-8") as f:
        f.writelines(json.dumps(r) + "\n" for r in lines)
    assert any(r["question"] == args.question for r in lines if r["video"] == "example_0.mp4")
    with open(os.path.join(out, "example_0.question.txt"), "w", encoding="utf-8") as f:
        f.write(args.question + "\n")
    print(f"wrote {args.count} example videos and {len(lines)} questions to {os.path.relpath(out, REPO)}")


if __name__ == "__main__":
    main()
