"""Table 4 on ShapesQA (the paper's ablations) with Table 3's blind column: every variant's checkpoint answers the
test split through the PyTorch reference (the ablations are not SPEC models, so the runtime cannot run them),
from the frames prepare.py cached (decoded by the runtime's video library), and blind (every question asked of one
constant mid-grey video, as `videodistill eval --blind` does). Writes a markdown table (overall and per category).

    python tools/shapesqa/table4.py --data DATA --runs NAME=CHECKPOINT ... [--out tools/shapesqa/logs/table4.md]

The shipped model's own row comes from the runtime (evaluate.py, logs/eval_test.md); this script gives the
reference's numbers for every run, VideoDistill included, so the rows are comparable.
"""

import argparse
import time

import numpy as np
import torch

from shapesqa.frames_data import SplitFrames, pixels
from shapesqa.qa_data import QASplit
from shapesqa.variants import use_cross_attention
from shapesqa.vocab import CATEGORIES
from train import evaluate, frame_tokens
from vdref.model import VideoDistill
from vdref.tokenizer import Tokenizer


def load(path):
    ckpt = torch.load(path, map_location="cpu")
    model = VideoDistill(ckpt["config"], ckpt["answers"], ckpt["heads"])
    variant = ckpt["args"].get("variant", "videodistill")
    if variant == "cross-attn":
        use_cross_attention(model)
    model.load_state_dict(ckpt["state_dict"])
    return model.eval(), variant, ckpt


def accuracies(pred, qa):
    ok = pred == qa.answer.numpy()
    return [ok.mean()] + [ok[qa.category == c].mean() for c in range(len(CATEGORIES))]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", required=True)
    ap.add_argument("--split", default="test")
    ap.add_argument("--runs", nargs="+", required=True, help="NAME=CHECKPOINT, in the table's row order")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--out", default=None)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    t0 = time.time()
    frames = SplitFrames(args.data, args.split)
    rows = []
    for spec in args.runs:
        name, path = spec.split("=", 1)
        model, variant, ckpt = load(path)
        qa = QASplit(frames, Tokenizer(), model.cfg["context_length"])
        tokens = frame_tokens(model, frames.frames)
        N, S = model.cfg["num_frames"], model.cfg["image_size"]
        with torch.no_grad():
            grey = model.encode_frames(pixels(np.full((N, S, S, 3), 128, dtype=np.uint8), model.cfg)).half()
        blind = grey[None].expand(len(frames.videos), *grey.shape)
        pred, _ = evaluate(model, qa, tokens, variant=variant)
        bpred, _ = evaluate(model, qa, blind, variant=variant)
        rows.append((name, variant, ckpt["epoch"], accuracies(pred, qa), accuracies(bpred, qa)))
        print(f"{name}: {100 * rows[-1][3][0]:.1f} (blind {100 * rows[-1][4][0]:.1f})", flush=True)
    head = ["all"] + CATEGORIES
    lines = [f"ShapesQA {args.split} split ({len(qa)} questions), PyTorch reference, accuracy (%); blind = every "
             "question asked of one mid-grey video.", "",
             "| run | variant | epoch | " + " | ".join(head) + " | blind (all) |",
             "|---" * (len(head) + 4) + "|"]
    for name, variant, epoch, acc, bacc in rows:
        lines.append(f"| {name} | {variant} | {epoch} | " + " | ".join(f"{100 * a:.1f}" for a in acc)
                     + f" | {100 * bacc[0]:.1f} |")
    lines += ["", f"({time.time() - t0:.0f} s)"]
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
