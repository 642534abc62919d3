"""Evaluate the shipped ShapesQA model on a split with the one evaluator, `videodistill eval --baselines --json`:
VideoDistill (its learned selection), uniform, blind and majority, overall and per category, exactly the command's
definitions and numbers (its --help writes them down). Added here from the command's per-question output: how often
the selected frames fall inside the event windows the generator knows. With --checkpoint (needs torch), the PyTorch
reference answers the same questions from the same frames, decoded by the runtime's video library
(videodistill.read_video_frames), and the report says how often reference and command agree.

    python tools/shapesqa/evaluate.py --command .build/release/videodistill-cli --data DATA \
        --model examples/models/shapesqa.gguf --split test [--checkpoint DATA/runs/shapesqa.pt]
"""

import argparse
import collections
import json
import os
import shutil
import subprocess
import sys
import time

import numpy as np

from shapesqa.model_config import LOGS, REPO
from shapesqa.vocab import CATEGORIES

COLUMNS = ("videodistill", "uniform", "blind", "majority")


def run_command(command, model, data_file, threads):
    """The command's JSON report of `eval --baselines` (accuracy table, majority answers, every question's answers,
    probabilities and selected frames)."""
    r = subprocess.run([command, "eval", "--model", model, "--data", data_file, "--baselines", "--json",
                        "--threads", str(threads)], capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"{command} eval failed ({r.returncode}): {r.stderr.strip()}")
    for line in r.stderr.splitlines():
        if "warning" in line:
            print(line, file=sys.stderr)
    return json.loads(r.stdout)


def records_by_line(data_file):
    """The split's records keyed by their 1-based line (the command's `line`)."""
    with open(data_file, encoding="utf-8") as f:
        return {i + 1: json.loads(x) for i, x in enumerate(f) if x.strip()}


def hit_rates(report, records, mode, category):
    """(any selected frame inside an evidence window, fraction of the K inside), over questions of a category."""
    any_, frac = [], []
    for q in report["questions"]:
        r = records[q["line"]]
        if r["category"] != category or not r["event_frames"] or mode not in q["selected_frames"]:
            continue
        inside = np.array([any(a <= f < b for a, b in r["event_frames"]) for f in q["selected_frames"][mode]])
        any_.append(inside.any())
        frac.append(inside.mean())
    return (float(np.mean(any_)), float(np.mean(frac))) if any_ else (float("nan"), float("nan"))


def run_reference(ckpt_path, data, report, records):
    """Per (variant, question index): the PyTorch reference's top answer, from the frames the runtime decodes."""
    import torch

    import videodistill
    from shapesqa.frames_data import pixels
    from shapesqa.variants import refine
    from vdref.model import VideoDistill
    from vdref.tokenizer import Tokenizer

    ckpt = torch.load(ckpt_path, map_location="cpu")
    model = VideoDistill(ckpt["config"], ckpt["answers"], ckpt["heads"]).eval()
    model.load_state_dict(ckpt["state_dict"])
    cfg, tok = model.cfg, Tokenizer()
    N, K, S = cfg["num_frames"], cfg["num_selected"], cfg["image_size"]
    uniform = torch.tensor(report["uniform_selection"])
    out = {v: {} for v in COLUMNS[:3]}
    groups = collections.OrderedDict()
    for i, q in enumerate(report["questions"]):
        groups.setdefault(q["video"], []).append(i)
    with torch.no_grad():
        blind = np.full((N, S, S, 3), 128, dtype=np.uint8)   # the command's blind video: one grey frame, N times
        blind_tokens = model.encode_frames(pixels(blind, cfg))[None]
        for video, rows in groups.items():
            frames = videodistill.read_video_frames(os.path.join(data, video), N).frames
            tokens = model.encode_frames(pixels(frames, cfg))[None]
            ids = torch.as_tensor(np.stack([tok.tokenize(records[report["questions"][i]["line"]]["question"],
                                                         cfg["context_length"]) for i in rows]))
            t = model.encode_text(ids)
            B = len(rows)
            logits = {"videodistill": model.answer(tokens.expand(B, -1, -1, -1), t)["qa_logits"],
                      "uniform": model.heads.qa(refine(model, tokens.expand(B, -1, -1, -1), t, uniform.expand(B, -1))),
                      "blind": model.answer(blind_tokens.expand(B, -1, -1, -1), t)["qa_logits"]}
            for variant, lg in logits.items():
                for j, i in enumerate(rows):
                    out[variant][i] = model.answers[int(lg[j].argmax())]
    return out


def multiple_choice(model_path, data, records, threads):
    """The split's multiple-choice form through the runtime (the Python package): each question's candidates are
    the answers of its kind (shapesqa.vocab.ANSWER_GROUPS: colours, shapes, counts, events). VTM: `Model.choose`
    (SPEC 7's match score of `question + " " + candidate`, first on ties); CL: the highest `Model.similarity` of the
    same texts (first on ties). Returns {"vtm" | "cl": {category | "all": (right, count)}}, or None when the model
    lacks either head."""
    import videodistill
    from shapesqa.vocab import group_of

    model = videodistill.Model(model_path, threads=threads)
    if not {"vtm", "cl"} <= set(model.heads):
        return None
    out = {h: collections.defaultdict(lambda: [0, 0]) for h in ("vtm", "cl")}
    by_video = collections.OrderedDict()
    for r in records.values():
        by_video.setdefault(r["video"], []).append(r)
    for name, recs in by_video.items():
        video = model.encode_video(os.path.join(data, name))
        for r in recs:
            group = group_of(r["answer"])
            vtm, _ = model.choose(video, r["question"], group)
            sims = [model.similarity(video, f"{r['question']} {c}") for c in group]
            cl = int(np.argmax(sims))  # first on ties
            for head, pick in (("vtm", vtm), ("cl", cl)):
                for key in ("all", r["category"]):
                    out[head][key][0] += group[pick] == r["answer"]
                    out[head][key][1] += 1
    return out


def choice_table(mc):
    lines = ["| category | count | VTM (`choose`) | CL (`similarity`) |", "|---|---|---|---|"]
    for name in ("all",) + tuple(c for c in CATEGORIES if c in mc["vtm"]):
        right_v, n = mc["vtm"][name]
        lines.append(f"| {name} | {n} | {100 * right_v / n:.1f} | {100 * mc['cl'][name][0] / n:.1f} |")
    return "\n".join(lines)


def table(report):
    rows = {r["category"]: r for r in report["categories"]}
    rows["all"] = report["overall"]
    cols = [c for c in COLUMNS if c in report["columns"]]
    majority = report["majority_answers"]
    head = ["majority (" + ", ".join(f"{c} {majority[c]}" for c in CATEGORIES if c in majority) + ")"
            if c == "majority" else c for c in cols]
    lines = ["| category | count | " + " | ".join(head) + " |", "|---" * (len(cols) + 2) + "|"]
    for name in ("all",) + tuple(c for c in CATEGORIES if c in rows):
        r = rows[name]
        lines.append(f"| {name} | {r['count']} | " + " | ".join(f"{100 * r['accuracy'][c]:.1f}" for c in cols) + " |")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", required=True)
    ap.add_argument("--model", required=True, help=".gguf for the runtime")
    ap.add_argument("--command", default=os.environ.get("VIDEODISTILL_COMMAND") or shutil.which("videodistill"),
                    help="the videodistill command (default: $VIDEODISTILL_COMMAND, else `videodistill` on PATH)")
    ap.add_argument("--checkpoint", default=None, help="the same model's PyTorch checkpoint: add the reference check")
    ap.add_argument("--split", default="test")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--out", default=None, help="markdown report (default logs/eval_<split>.md)")
    args = ap.parse_args()
    if not args.command:
        raise SystemExit("no videodistill command: pass --command or put `videodistill` on PATH")
    data_file = os.path.join(args.data, args.split + ".jsonl")
    records = records_by_line(data_file)
    t0 = time.time()
    report = run_command(args.command, args.model, data_file, args.threads)
    t_rt = time.time() - t0
    hits = {(c, m): hit_rates(report, records, m, c) for c in ("needle", "order") for m in ("videodistill", "uniform")}
    n = collections.Counter(r["category"] for r in records.values())
    lines = [
        f"# ShapesQA {args.split} split: {report['question_count']} questions, {report['video_count']} videos "
        f"({', '.join(f'{c} {n[c]}' for c in CATEGORIES)})", "",
        f"Model: {os.path.relpath(os.path.abspath(args.model), REPO)}. Accuracy (%) by `videodistill eval "
        "--baselines` (uniform, blind and majority as its --help defines them; majority from this split):", "",
        table(report), "",
        "Needle questions, selected frames inside the event window: "
        f"VideoDistill any {100 * hits['needle', 'videodistill'][0]:.1f}%, fraction of K "
        f"{100 * hits['needle', 'videodistill'][1]:.1f}%; uniform any {100 * hits['needle', 'uniform'][0]:.1f}%, "
        f"fraction {100 * hits['needle', 'uniform'][1]:.1f}%.",
        "Order questions (either event window): "
        f"VideoDistill any {100 * hits['order', 'videodistill'][0]:.1f}%, fraction "
        f"{100 * hits['order', 'videodistill'][1]:.1f}%; uniform any {100 * hits['order', 'uniform'][0]:.1f}%, "
        f"fraction {100 * hits['order', 'uniform'][1]:.1f}%.",
        f"Wall time: command {t_rt:.0f} s ({args.threads} thread(s)).",
    ]
    t1 = time.time()
    mc = multiple_choice(args.model, args.data, records, args.threads)
    if mc is not None:
        lines += ["", "Multiple choice (the candidates: every answer of the question's kind, chance 1/6 colours, "
                  "1/4 shapes, 1/5 counts, 1/2 events), accuracy (%) through the runtime's Python package "
                  f"({time.time() - t1:.0f} s):", "", choice_table(mc)]
    agreement = None
    if args.checkpoint:
        ref = run_reference(args.checkpoint, args.data, report, records)
        agreement = {v: float(np.mean([ref[v][i] == q["predicted"][v] for i, q in enumerate(report["questions"])]))
                     for v in ref}
        lines += ["", "PyTorch reference on the same frames (decoded by the runtime's video library), top-1 agreement "
                  "with the command: " + ", ".join(f"{v} {100 * a:.2f}%" for v, a in agreement.items()) + "."]
    text = "\n".join(lines) + "\n"
    print(text)
    out = args.out or os.path.join(LOGS, f"eval_{args.split}.md")
    with open(out, "w") as f:
        f.write(text)
    with open(os.path.splitext(out)[0] + ".json", "w") as f:
        json.dump({"command": {k: report[k] for k in ("columns", "categories", "overall", "majority_answers",
                                                      "uniform_selection", "blind_video", "question_count",
                                                      "video_count")},
                   "hits": {f"{c}/{m}": v for (c, m), v in hits.items()}, "reference_agreement": agreement,
                   "multiple_choice": mc},
                  f, indent=1)


if __name__ == "__main__":
    main()
