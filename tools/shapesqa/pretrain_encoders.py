"""Stage 1: pretrain the frame encoder (ViT) and the text encoder on single frames, CLIP-style: each sampled
frame of a training video against its generated caption ("a flash around the red circle. a new green cross.
blue square, red circle."). Two contrastive terms: the frame's v_cls and the mean of its patch tokens, each
through a pretraining-only projection (not part of the model) against the caption's t_cls. Event frames are
oversampled. Nothing here sees a question or an answer.

    python tools/shapesqa/pretrain_encoders.py --data DATA --out DATA/runs/encoders.pt [--steps 3000]
"""

import argparse
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from shapesqa.frames_data import SplitFrames, pixels  # noqa: E402
from shapesqa.init import init_for_training  # noqa: E402
from shapesqa.model_config import CONFIG  # noqa: E402
from shapesqa.vocab import ANSWERS  # noqa: E402
from vdref.model import VideoDistill  # noqa: E402
from vdref.tokenizer import Tokenizer  # noqa: E402


class Contrastive(nn.Module):
    """The towers of a VideoDistill plus pretraining-only projections and temperature."""

    def __init__(self, model):
        super().__init__()
        cfg = model.cfg
        self.clip = model.clip
        self.proj_cls = nn.Linear(cfg["vision_width"], cfg["text_embed_dim"], bias=False)
        self.proj_patch = nn.Linear(cfg["vision_width"], cfg["text_embed_dim"], bias=False)
        self.logit_scale = nn.Parameter(torch.tensor(math.log(1 / 0.07)))

    def embed(self, px, ids):
        tokens = self.clip.visual(px)  # [B, 1+P, Dv]
        a = F.normalize(self.proj_cls(tokens[:, 0]), dim=-1)
        b = F.normalize(self.proj_patch(tokens[:, 1:].mean(1)), dim=-1)
        t = F.normalize(self.clip.encode_text(ids), dim=-1)
        return a, b, t

    def loss(self, px, ids, same):
        """same [B, B]: captions equal (several positives per row)."""
        a, b, t = self.embed(px, ids)
        scale = self.logit_scale.clamp(max=math.log(100)).exp()
        target = same / same.sum(1, keepdim=True)
        total, accs = 0.0, []
        for v in (a, b):
            logits = scale * v @ t.T
            total = total + (F.cross_entropy(logits, target) + F.cross_entropy(logits.T, target)) / 2
            accs.append(same[torch.arange(len(same)), logits.argmax(1)].float().mean().item())
        return total / 2, accs


class CaptionedFrames:
    """Sampling (video, frame) pairs of one split, with token ids per caption."""

    def __init__(self, data, split, tok, ctx):
        self.s = SplitFrames(data, split)
        caps = self.s.captions()
        uniq = sorted({c for row in caps for c in row})
        index = {c: i for i, c in enumerate(uniq)}
        self.cap_id = np.array([[index[c] for c in row] for row in caps])  # [V, N]
        self.ids = torch.as_tensor(np.stack([tok.tokenize(c, ctx) for c in uniq]))
        self.events = self.s.event_mask()
        self.event_pairs = np.argwhere(self.events)

    def batch(self, rng, B, event_fraction):
        V, N = self.cap_id.shape
        v = rng.choice(V, size=B, replace=V < B)
        n = rng.integers(0, N, size=B)
        k = int(B * event_fraction)
        pick = self.event_pairs[rng.integers(0, len(self.event_pairs), size=k)]
        v[:k], n[:k] = pick[:, 0], pick[:, 1]
        order = np.argsort(v, kind="stable")
        v, n = v[order], n[order]
        cap = torch.as_tensor(self.cap_id[v, n])
        px = pixels(np.stack([self.s.frames[a, b] for a, b in zip(v, n)]), CONFIG)
        return px, self.ids[cap], (cap[:, None] == cap[None, :]).float(), torch.as_tensor(self.events[v, n])


@torch.no_grad()
def evaluate(model, data, rng, B, batches=8):
    """Frame -> caption top-1 within batches of B frames (cls and patch-mean), all frames and event frames."""
    model.eval()
    hits = np.zeros((2, 2))
    counts = np.zeros(2)
    for _ in range(batches):
        px, ids, same, ev = data.batch(rng, B, 0.25)
        a, b, t = model.embed(px, ids)
        for j, v in enumerate((a, b)):
            ok = same[torch.arange(B), (v @ t.T).argmax(1)].numpy()
            hits[j, 0] += ok.sum()
            hits[j, 1] += ok[ev.numpy()].sum()
        counts += (B, ev.sum().item())
    model.train()
    return hits / counts


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--steps", type=int, default=3000)
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--event-fraction", type=float, default=0.4)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--log", default=None)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    log_file = open(args.log, "w") if args.log else None

    def log(msg):
        print(msg, flush=True)
        if log_file:
            log_file.write(msg + "\n")
            log_file.flush()

    log(f"pretrain_encoders {vars(args)}")
    tok = Tokenizer()
    train = CaptionedFrames(args.data, "train", tok, CONFIG["context_length"])
    val = CaptionedFrames(args.data, "val", tok, CONFIG["context_length"])
    log(f"train frames {train.cap_id.size} ({len(train.ids)} distinct captions), val frames {val.cap_id.size}")
    vd = init_for_training(VideoDistill(CONFIG, ANSWERS, heads=("qa",)), args.seed)
    model = Contrastive(vd)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
    warm = max(1, args.steps // 20)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / warm) * 0.5 * (1 + math.cos(math.pi * min(1.0, s / args.steps))))
    rng = np.random.default_rng(args.seed)
    t0, run = time.time(), []
    for step in range(1, args.steps + 1):
        px, ids, same, _ = train.batch(rng, args.batch, args.event_fraction)
        loss, accs = model.loss(px, ids, same)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        sched.step()
        run.append([loss.item()] + accs)
        if step % 100 == 0 or step == args.steps:
            m = np.mean(run, axis=0)
            run = []
            msg = (f"step {step} loss {m[0]:.4f} train top1 cls {m[1]:.3f} patch {m[2]:.3f} "
                   f"lr {sched.get_last_lr()[0]:.2e} {time.time() - t0:.0f}s")
            if step % 500 == 0 or step == args.steps:
                acc = evaluate(model, val, np.random.default_rng(1), args.batch)
                msg += (f" | val top1 cls {acc[0, 0]:.3f} (events {acc[0, 1]:.3f}) "
                        f"patch {acc[1, 0]:.3f} (events {acc[1, 1]:.3f})")
            log(msg)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    torch.save({"config": CONFIG, "state_dict": {k: v for k, v in vd.state_dict().items() if k.startswith("clip.")},
                "args": vars(args)}, args.out)
    log(f"wrote {args.out} ({time.time() - t0:.0f} s)")


if __name__ == "__main__":
    main()
