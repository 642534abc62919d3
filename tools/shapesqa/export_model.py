"""Export a trained ShapesQA checkpoint to ONNX (vdref.export) and convert it to the runtime's GGUF file.

    python tools/shapesqa/export_model.py --checkpoint DATA/runs/shapesqa.pt --onnx DATA/onnx \
        --out examples/models/shapesqa.gguf [--convert .build-shapes/release/convert-weights]

Also writes shapesqa.config.json and shapesqa.answers.json beside the .gguf (the same config and answers the
file carries, for readers without a GGUF parser).
"""

import argparse
import json
import os
import subprocess

import torch

from shapesqa.model_config import REPO  # noqa: E402
from vdref.config import KEYS  # noqa: E402
from vdref.export import export  # noqa: E402
from vdref.model import VideoDistill  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--checkpoint", required=True)
    ap.add_argument("--onnx", required=True, help="folder for frame_encoder.onnx and answerer.onnx")
    ap.add_argument("--out", required=True, help="the .gguf to write")
    ap.add_argument("--convert", default=os.path.join(REPO, ".build-shapes", "release", "convert-weights"))
    args = ap.parse_args()
    ckpt = torch.load(args.checkpoint, map_location="cpu")
    model = VideoDistill(ckpt["config"], ckpt["answers"], ckpt["heads"])
    model.load_state_dict(ckpt["state_dict"], strict=True)
    frame_path, answer_path = export(model, args.onnx)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    subprocess.run([args.convert, frame_path, answer_path, "-o", args.out], check=True)
    stem = os.path.splitext(args.out)[0]
    with open(stem + ".config.json", "w") as f:
        json.dump({k: ckpt["config"][k] for k in KEYS}, f, indent=1)
        f.write("\n")
    with open(stem + ".answers.json", "w") as f:
        json.dump(ckpt["answers"], f)
        f.write("\n")
    print(f"wrote {args.out} ({os.path.getsize(args.out) / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
