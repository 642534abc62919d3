"""Stage 2: train VideoDistill's frame sampler (FS), vision refinement (VR), QA head and the text encoder on
ShapesQA, over frame tokens cached from the frozen stage-1 frame encoder (the paper's frozen CLIP, in miniature).

The selection is the paper's straight-through Gumbel-softmax (vdref model.train()) and learns from the QA loss
alone. Every epoch logs loss, validation accuracy (overall and per category) with the learned selection and with
K evenly spaced frames, and the selection's event hit rate on needle questions.

    python tools/shapesqa/train.py --data DATA --encoders DATA/runs/encoders.pt --out DATA/runs/shapesqa.pt
"""

import argparse
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from shapesqa.frames_data import SplitFrames, pixels  # noqa: E402
from shapesqa.init import init_for_training  # noqa: E402
from shapesqa.model_config import CONFIG  # noqa: E402
from shapesqa.qa_data import QASplit, answer_with_selection, hit_rates, uniform_selection  # noqa: E402
from shapesqa.vocab import ANSWERS, CATEGORIES  # noqa: E402
from vdref.model import VideoDistill  # noqa: E402
from vdref.tokenizer import Tokenizer  # noqa: E402


@torch.no_grad()
def frame_tokens(model, frames, batch=256):
    """Frozen frame encoder over every cached sampled frame: float16 [V, N, 1+P, Dv]."""
    V, N = frames.shape[:2]
    flat = frames.reshape(V * N, *frames.shape[2:])
    out = [model.encode_frames(pixels(flat[i:i + batch], model.cfg)).half() for i in range(0, V * N, batch)]
    return torch.cat(out).reshape(V, N, *out[0].shape[1:])


@torch.no_grad()
def evaluate(model, qa, tokens, batch=256, selection=None):
    """Predictions [Q] and selected frames [Q, K]; selection None = the model's own, else fixed K indices."""
    model.eval()
    preds, sels = [], []
    for i in range(0, len(qa), batch):
        rows = slice(i, i + batch)
        tok = tokens[qa.video[rows]].float()
        t = model.encode_text(qa.question_ids[qa.question[rows]])
        if selection is None:
            out = model.answer(tok, t)
            logits, sel = out["qa_logits"], out["selected"]
        else:
            sel = torch.tensor(selection).expand(tok.shape[0], -1)
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


def report(model, qa, tokens, K, N):
    """One line: accuracy (learned and uniform) and needle hit rates (learned and uniform)."""
    pred, sel = evaluate(model, qa, tokens)
    upred, usel = evaluate(model, qa, tokens, selection=uniform_selection(N, K))
    needle = qa.category == CATEGORIES.index("needle")
    hit_any, hit_frac = hit_rates(sel[needle], qa.event_mask[needle])
    uhit_any, uhit_frac = hit_rates(usel[needle], qa.event_mask[needle])
    return (f"acc [{fmt(accuracy_table(pred, qa))}] uniform [{fmt(accuracy_table(upred, qa))}] "
            f"needle hit any {hit_any.mean():.3f} frac {hit_frac.mean():.3f} "
            f"(uniform any {uhit_any.mean():.3f} frac {uhit_frac.mean():.3f})")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", required=True)
    ap.add_argument("--encoders", required=True, help="stage-1 checkpoint (pretrain_encoders.py)")
    ap.add_argument("--out", required=True)
    ap.add_argument("--epochs", type=int, default=20)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--text-lr", type=float, default=3e-4)
    ap.add_argument("--tau", type=float, nargs=2, default=[1.0, 0.5], help="Gumbel temperature, first and last")
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
    model = init_for_training(VideoDistill(CONFIG, ANSWERS, heads=("qa",)), args.seed)
    enc = torch.load(args.encoders, map_location="cpu")
    missing = model.load_state_dict(enc["state_dict"], strict=False)
    assert not missing.unexpected_keys and all(not k.startswith("clip.") for k in missing.missing_keys)
    for p in model.clip.visual.parameters():
        p.requires_grad_(False)
    tok = Tokenizer()
    splits = {s: SplitFrames(args.data, s) for s in ("train", "val")}
    tokens = {s: frame_tokens(model, f.frames) for s, f in splits.items()}
    qa = {s: QASplit(f, tok, CONFIG["context_length"]) for s, f in splits.items()}
    N, K = CONFIG["num_frames"], CONFIG["num_selected"]
    log(f"cached tokens {tuple(tokens['train'].shape)} + {tuple(tokens['val'].shape)}, "
        f"{len(qa['train'])} train / {len(qa['val'])} val questions ({time.time() - t0:.0f} s)")

    text = [p for n, p in model.named_parameters() if n.startswith("clip.") and p.requires_grad]
    rest = [p for n, p in model.named_parameters() if not n.startswith("clip.")]
    opt = torch.optim.AdamW([{"params": rest, "lr": args.lr}, {"params": text, "lr": args.text_lr}],
                            weight_decay=0.01)
    steps_per_epoch = len(qa["train"]) // args.batch
    total = steps_per_epoch * args.epochs
    warm = max(1, total // 40)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / warm) * 0.5 * (1 + math.cos(math.pi * min(1.0, s / total))))
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
        ckpt = {"config": CONFIG, "answers": ANSWERS, "heads": ("qa",), "state_dict": model.state_dict(),
                "epoch": epoch, "args": vars(args)}
        torch.save(ckpt, args.out)
    log(f"wrote {args.out} ({time.time() - t0:.0f} s)")


if __name__ == "__main__":
    main()
