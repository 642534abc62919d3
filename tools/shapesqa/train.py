"""Stage 2: train VideoDistill's frame sampler (FS), vision refinement (VR), QA head and the text encoder on
ShapesQA, over frame tokens cached from the frozen stage-1 frame encoder (the paper's frozen CLIP, in miniature).

The selection is the paper's straight-through Gumbel-softmax (vdref model.train()) and learns from the QA loss
alone. For the first --select-warmup epochs the frame sampler (fs.*) is held at its initialisation: its logits
are near zero, so the Gumbel noise picks nearly random frames and VR, the heads and the text encoder learn to
read every kind of frame, brief events included. (In one run without it, the sampler learned early to avoid
event frames, which confuse counting and attribute questions while VR cannot yet read them, and its needle hit
rate fell to 7%.) Every epoch logs loss, validation accuracy (overall and per category) with the learned selection and with
K evenly spaced frames, needle accuracy when the question's own event frames are given (a diagnostic of how well VR
reads an event once selected; never used for training), and the selection's event hit rate on needle questions.
Each epoch's checkpoint is kept (OUT.epochNN.pt) so that one can be chosen on validation.

    python tools/shapesqa/train.py --data DATA --encoders DATA/runs/encoders.pt --out DATA/runs/shapesqa.pt \
        [--epochs 9 --select-warmup 3]
"""

import argparse
import math
import os
import time

import numpy as np
import torch
import torch.nn.functional as F

from shapesqa.frames_data import SplitFrames, pixels
from shapesqa.init import init_for_training
from shapesqa.qa_data import QASplit, answer_with_selection, hit_rates
from videodistill import uniform_selection  # the runtime's (vd_frame_indices)
from shapesqa.vocab import ANSWERS, CATEGORIES
from vdref.model import VideoDistill
from vdref.tokenizer import Tokenizer


@torch.no_grad()
def frame_tokens(model, frames, batch=256):
    """Frozen frame encoder over every cached sampled frame: float16 [V, N, 1+P, Dv]."""
    V, N = frames.shape[:2]
    flat = frames.reshape(V * N, *frames.shape[2:])
    out = [model.encode_frames(pixels(flat[i:i + batch], model.cfg)).half() for i in range(0, V * N, batch)]
    return torch.cat(out).reshape(V, N, *out[0].shape[1:])


@torch.no_grad()
def evaluate(model, qa, tokens, batch=256, selection=None, rows_of=None):
    """Predictions [Q] and selected frames [Q, K] over the questions `rows_of` (default all); selection None = the
    model's own, else K indices (a list for every question, or an array [Q, K] per question)."""
    model.eval()
    preds, sels = [], []
    every = np.arange(len(qa)) if rows_of is None else np.asarray(rows_of)
    for i in range(0, len(every), batch):
        rows = every[i:i + batch]
        tok = tokens[qa.video[rows]].float()
        t = model.encode_text(qa.question_ids[qa.question[rows]])
        if selection is None:
            out = model.answer(tok, t)
            logits, sel = out["qa_logits"], out["selected"]
        else:
            sel = torch.as_tensor(np.asarray(selection))
            sel = sel.expand(tok.shape[0], -1) if sel.dim() == 1 else sel[i:i + batch]
            logits = answer_with_selection(model, tok, t, sel)
        preds.append(logits.argmax(-1))
        sels.append(sel)
    model.train()
    return torch.cat(preds).numpy(), torch.cat(sels).numpy()


def accuracy_table(pred, qa):
    ok = pred == qa.answer.numpy()
    table = {"all": ok.mean()}
    for c, name in enumerate(CATEGORIES):
        table[name] = ok[qa.category == c].mean()
    return table


def fmt(table):
    return " ".join(f"{k} {v:.3f}" for k, v in table.items())


def event_selection(event_mask, K):
    """Per question [Q, K]: its event frames (sampled frames in the evidence window) repeated to fill the K slots.
    A diagnostic only (how well VR and the head read an event once it is selected); never used in training."""
    out = np.zeros((len(event_mask), K), dtype=np.int64)
    for q, m in enumerate(event_mask):
        idx = np.flatnonzero(m)
        out[q] = idx[np.arange(K) % len(idx)] if len(idx) else 0
    return out


def report(model, qa, tokens, K, N):
    """One line: accuracy (learned and uniform), needle accuracy with the event frames given (diagnostic) and needle
    hit rates (learned and uniform)."""
    pred, sel = evaluate(model, qa, tokens)
    upred, usel = evaluate(model, qa, tokens, selection=uniform_selection(N, K))
    needle = qa.category == CATEGORIES.index("needle")
    rows = np.flatnonzero(needle & qa.event_mask.any(1))
    opred, _ = evaluate(model, qa, tokens, selection=event_selection(qa.event_mask[rows], K), rows_of=rows)
    oracle = (opred == qa.answer.numpy()[rows]).mean()
    hit_any, hit_frac = hit_rates(sel[needle], qa.event_mask[needle])
    uhit_any, uhit_frac = hit_rates(usel[needle], qa.event_mask[needle])
    return (f"acc [{fmt(accuracy_table(pred, qa))}] uniform [{fmt(accuracy_table(upred, qa))}] "
            f"needle with event frames given {oracle:.3f} "
            f"needle hit any {hit_any.mean():.3f} frac {hit_frac.mean():.3f} "
            f"(uniform any {uhit_any.mean():.3f} frac {uhit_frac.mean():.3f})")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", required=True)
    ap.add_argument("--encoders", required=True, help="stage-1 checkpoint (pretrain_encoders.py)")
    ap.add_argument("--out", required=True)
    ap.add_argument("--epochs", type=int, default=9)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--text-lr", type=float, default=3e-4)
    ap.add_argument("--tau", type=float, nargs=2, default=[1.0, 0.5], help="Gumbel temperature, first and last")
    ap.add_argument("--select-warmup", type=int, default=3,
                    help="epochs with the frame sampler held at its initialisation (near-zero logits, so the Gumbel "
                         "noise picks frames nearly uniformly at random) while VR learns to read frames")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--log", default=None)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    log_file = open(args.log, "w") if args.log else None

    def log(msg):
        print(msg, flush=True)
        if log_file:
            log_file.write(msg + "\n")
            log_file.flush()

    t0 = time.time()
    log(f"train {vars(args)}")
    enc = torch.load(args.encoders, map_location="cpu")
    cfg = enc["config"]  # CONFIG, with the frame encoder's sizes as stage 1 trained it
    model = init_for_training(VideoDistill(cfg, ANSWERS, heads=("qa",)), args.seed)
    missing = model.load_state_dict(enc["state_dict"], strict=False)
    assert not missing.unexpected_keys and all(not k.startswith("clip.") for k in missing.missing_keys)
    for p in model.clip.visual.parameters():
        p.requires_grad_(False)
    tok = Tokenizer()
    splits = {s: SplitFrames(args.data, s) for s in ("train", "val")}
    tokens = {s: frame_tokens(model, f.frames) for s, f in splits.items()}
    qa = {s: QASplit(f, tok, cfg["context_length"]) for s, f in splits.items()}
    N, K = cfg["num_frames"], cfg["num_selected"]
    log(f"cached tokens {tuple(tokens['train'].shape)} + {tuple(tokens['val'].shape)}, "
        f"{len(qa['train'])} train / {len(qa['val'])} val questions ({time.time() - t0:.0f} s)")

    text = [p for n, p in model.named_parameters() if n.startswith("clip.") and p.requires_grad]
    fs = [p for n, p in model.named_parameters() if n.startswith("fs.")]
    rest = [p for n, p in model.named_parameters() if not n.startswith(("clip.", "fs."))]
    opt = torch.optim.AdamW([{"params": rest, "lr": args.lr}, {"params": text, "lr": args.text_lr},
                             {"params": fs, "lr": args.lr}], weight_decay=0.01)
    steps_per_epoch = len(qa["train"]) // args.batch
    total = steps_per_epoch * args.epochs
    frozen = steps_per_epoch * args.select_warmup
    warm = max(1, total // 40)

    def schedule(s):
        return min(1.0, (s + 1) / warm) * 0.5 * (1 + math.cos(math.pi * min(1.0, s / total)))

    def fs_schedule(s):  # the frame sampler waits for the warm-up, then follows the same decay
        return 0.0 if s < frozen else min(1.0, (s - frozen + 1) / warm) * schedule(s)

    sched = torch.optim.lr_scheduler.LambdaLR(opt, [schedule, schedule, fs_schedule])
    rng = np.random.default_rng(args.seed)
    torch.manual_seed(args.seed)
    log(f"epoch 0 val {report(model, qa['val'], tokens['val'], K, N)}")
    step = 0
    tr = qa["train"]
    for epoch in range(1, args.epochs + 1):
        model.train()
        order = rng.permutation(len(tr))
        losses, correct = [], []
        for b in range(steps_per_epoch):
            rows = order[b * args.batch:(b + 1) * args.batch]
            model.gumbel_tau = args.tau[0] + (args.tau[1] - args.tau[0]) * step / max(1, total - 1)
            t = model.encode_text(tr.question_ids[tr.question[rows]])
            out = model.answer(tokens["train"][tr.video[rows]].float(), t)
            loss = F.cross_entropy(out["qa_logits"], tr.answer[rows])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            step += 1
            losses.append(loss.item())
            correct.append((out["qa_logits"].argmax(-1) == tr.answer[rows]).float().mean().item())
        line = report(model, qa["val"], tokens["val"], K, N)
        log(f"epoch {epoch} loss {np.mean(losses):.4f} train acc {np.mean(correct):.3f} "
            f"tau {model.gumbel_tau:.2f} | val {line} | {time.time() - t0:.0f} s")
        ckpt = {"config": cfg, "answers": ANSWERS, "heads": ("qa",), "state_dict": model.state_dict(),
                "epoch": epoch, "args": vars(args)}
        torch.save(ckpt, args.out)
        torch.save(ckpt, f"{os.path.splitext(args.out)[0]}.epoch{epoch:02d}.pt")
    log(f"wrote {args.out} (the last epoch) and one checkpoint per epoch next to it ({time.time() - t0:.0f} s)")


if __name__ == "__main__":
    main()
