"""Evaluate the shipped ShapesQA model on a split: VideoDistill (its learned selection), uniform (K evenly spaced
of the N sampled frames instead), blind (a constant video: every frame the empty background), and the majority
answer, overall and per category; plus the selection's event hit rate on needle questions.

The numbers of the table come from the runtime (the .gguf through the Python binding, selection override for
uniform). The PyTorch reference computes the same three on the same decoded frames, and the script reports how
often runtime and reference agree (top-1 answer and selected frames).

    VIDEODISTILL_LIBRARY=.build-shapes/release/libvideodistill.so python tools/shapesqa/evaluate.py \
        --data DATA --model examples/models/shapesqa.gguf --checkpoint DATA/runs/shapesqa.pt --split test
"""

import argparse
import collections
import json
import os
import time

import numpy as np
import torch

from shapesqa.dataset import load_jsonl  # noqa: E402
from shapesqa.model_config import LOGS, REPO  # noqa: E402
from shapesqa.qa_data import answer_with_selection, uniform_selection  # noqa: E402
from shapesqa.frames_data import pixels  # noqa: E402
from shapesqa.video_io import read_mp4  # noqa: E402
from shapesqa.vocab import BACKGROUND, CATEGORIES  # noqa: E402
from vdref.frames import frame_indices  # noqa: E402
from vdref.model import VideoDistill  # noqa: E402
from vdref.tokenizer import Tokenizer  # noqa: E402

VARIANTS = ("videodistill", "uniform", "blind")


def by_video(records):
    groups = collections.OrderedDict()
    for i, r in enumerate(records):
        groups.setdefault(r["video"], []).append(i)
    return groups


def blind_frames(F, size):
    return np.tile(np.array(BACKGROUND, dtype=np.uint8), (F, size, size, 1))


def run_runtime(model_path, data, records, threads):
    """Per variant: answer strings [Q] and selected video frames [Q, K]."""
    import videodistill
    model = videodistill.Model(model_path, threads=threads)
    uniform = model.uniform_selection()
    out = {v: ([None] * len(records), np.zeros((len(records), len(uniform)), dtype=np.int64)) for v in VARIANTS}
    blind = None
    for name, rows in by_video(records).items():
        frames = read_mp4(os.path.join(data, name))
        video = model.encode_frames(frames)
        if blind is None:
            blind = model.encode_frames(blind_frames(*frames.shape[:2]))
        for i in rows:
            q = records[i]["question"]
            for variant, vid, sel in (("videodistill", video, None), ("uniform", video, uniform),
                                      ("blind", blind, None)):
                a = model.answer(vid, q, top_k=1, selection=sel)
                out[variant][0][i] = a.answers[0]
                out[variant][1][i] = a.selected_frames
    return out


@torch.no_grad()
def run_reference(ckpt_path, data, records):
    """The same variants through the PyTorch reference on the same decoded frames."""
    ckpt = torch.load(ckpt_path, map_location="cpu")
    model = VideoDistill(ckpt["config"], ckpt["answers"], ckpt["heads"]).eval()
    model.load_state_dict(ckpt["state_dict"])
    cfg, tok = model.cfg, Tokenizer()
    N, K = cfg["num_frames"], cfg["num_selected"]
    out = {v: ([None] * len(records), np.zeros((len(records), K), dtype=np.int64)) for v in VARIANTS}
    blind_tokens = None
    for name, rows in by_video(records).items():
        frames = read_mp4(os.path.join(data, name))
        idx = np.array(frame_indices(frames.shape[0], N))
        tokens = model.encode_frames(pixels(frames[idx], cfg))[None]
        if blind_tokens is None:
            blind_tokens = model.encode_frames(pixels(blind_frames(*frames.shape[:2])[idx], cfg))[None]
        ids = torch.as_tensor(np.stack([tok.tokenize(records[i]["question"], cfg["context_length"]) for i in rows]))
        t = model.encode_text(ids)
        B = len(rows)
        learned = model.answer(tokens.expand(B, -1, -1, -1), t)
        blind = model.answer(blind_tokens.expand(B, -1, -1, -1), t)
        usel = torch.tensor(uniform_selection(N, K)).expand(B, -1)
        ulogits = answer_with_selection(model, tokens.expand(B, -1, -1, -1), t, usel)
        for variant, logits, sel in (("videodistill", learned["qa_logits"], learned["selected"]),
                                     ("uniform", ulogits, usel), ("blind", blind["qa_logits"], blind["selected"])):
            for j, i in enumerate(rows):
                out[variant][0][i] = model.answers[int(logits[j].argmax())]
                out[variant][1][i] = idx[sel[j].numpy()]
    return out


def accuracy(pred, records):
    ok = np.array([p == r["answer"] for p, r in zip(pred, records)])
    cats = np.array([r["category"] for r in records])
    return {"all": ok.mean(), **{c: ok[cats == c].mean() for c in CATEGORIES}}


def hit_rates(selected_frames, records, category="needle"):
    """(any selected frame inside the evidence window, fraction of the K inside), over questions of a category."""
    any_, frac = [], []
    for sel, r in zip(selected_frames, records):
        if r["category"] != category or not r["event_frames"]:
            continue
        inside = np.array([any(a <= f < b for a, b in r["event_frames"]) for f in sel])
        any_.append(inside.any())
        frac.append(inside.mean())
    return float(np.mean(any_)), float(np.mean(frac))


def majority(train, records):
    """(global majority answer's accuracy table, per-category majority accuracy table)."""
    overall = collections.Counter(r["answer"] for r in train).most_common(1)[0][0]
    per_cat = {c: collections.Counter(r["answer"] for r in train if r["category"] == c).most_common(1)[0][0]
               for c in CATEGORIES}
    return (accuracy([overall] * len(records), records), accuracy([per_cat[r["category"]] for r in records],
                                                                   records), overall, per_cat)


def table(columns, rows=("all",) + tuple(CATEGORIES)):
    names = list(columns)
    lines = ["| category | " + " | ".join(names) + " |", "|---" * (len(names) + 1) + "|"]
    for r in rows:
        lines.append(f"| {r} | " + " | ".join(f"{100 * columns[n][r]:.1f}" for n in names) + " |")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", required=True)
    ap.add_argument("--model", required=True, help=".gguf for the runtime")
    ap.add_argument("--checkpoint", required=True, help="the same model's PyTorch checkpoint")
    ap.add_argument("--split", default="test")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--out", default=None, help="markdown report (default logs/eval_<split>.md)")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    records = load_jsonl(os.path.join(args.data, args.split + ".jsonl"))
    train = load_jsonl(os.path.join(args.data, "train.jsonl"))
    t0 = time.time()
    rt = run_runtime(args.model, args.data, records, args.threads)
    t_rt = time.time() - t0
    ref = run_reference(args.checkpoint, args.data, records)
    t_ref = time.time() - t0 - t_rt
    maj, maj_cat, overall, per_cat = majority(train, records)
    cols = {f"VideoDistill": accuracy(rt["videodistill"][0], records),
            "uniform": accuracy(rt["uniform"][0], records), "blind": accuracy(rt["blind"][0], records),
            f"majority ('{overall}')": maj, "majority per category": maj_cat}
    ref_cols = {f"reference {v}": accuracy(ref[v][0], records) for v in VARIANTS}
    hits = {v: hit_rates(rt[v][1], records) for v in ("videodistill", "uniform")}
    order_hits = {v: hit_rates(rt[v][1], records, "order") for v in ("videodistill", "uniform")}
    agree = {v: float(np.mean([a == b for a, b in zip(rt[v][0], ref[v][0])])) for v in VARIANTS}
    sel_agree = float(np.mean((rt["videodistill"][1] == ref["videodistill"][1]).all(1)))
    n = collections.Counter(r["category"] for r in records)
    lines = [
        f"# ShapesQA {args.split} split: {len(records)} questions, {len(by_video(records))} videos "
        f"({', '.join(f'{c} {n[c]}' for c in CATEGORIES)})", "",
        f"Model: {os.path.relpath(os.path.abspath(args.model), REPO)}. Accuracy (%), runtime (Python binding):", "",
        table(cols), "",
        "Needle questions, selected frames inside the event window (runtime): "
        f"VideoDistill any {100 * hits['videodistill'][0]:.1f}%, fraction of K {100 * hits['videodistill'][1]:.1f}%; "
        f"uniform any {100 * hits['uniform'][0]:.1f}%, fraction {100 * hits['uniform'][1]:.1f}%.",
        "Order question 'what happened first' (either event window): "
        f"VideoDistill any {100 * order_hits['videodistill'][0]:.1f}%, fraction {100 * order_hits['videodistill'][1]:.1f}%; "
        f"uniform any {100 * order_hits['uniform'][0]:.1f}%, fraction {100 * order_hits['uniform'][1]:.1f}%.", "",
        "PyTorch reference on the same decoded frames:", "", table(ref_cols), "",
        "Runtime vs reference top-1 agreement: " + ", ".join(f"{v} {100 * agree[v]:.2f}%" for v in VARIANTS)
        + f"; identical learned selection (all K slots) {100 * sel_agree:.2f}%.",
        f"Majority answers from the train split: overall '{overall}', per category {per_cat}.",
        f"Wall time: runtime {t_rt:.0f} s, reference {t_ref:.0f} s ({args.threads} thread(s)).",
    ]
    report = "\n".join(lines) + "\n"
    print(report)
    out = args.out or os.path.join(LOGS, f"eval_{args.split}.md")
    with open(out, "w") as f:
        f.write(report)
    with open(os.path.splitext(out)[0] + ".json", "w") as f:
        json.dump({"runtime": cols, "reference": ref_cols, "needle_hits": hits, "order_hits": order_hits,
                   "agreement": agree, "selection_agreement": sel_agree}, f, indent=1, default=float)


if __name__ == "__main__":
    main()
