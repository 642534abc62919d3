"""Stage 1: pretrain the frame encoder (ViT) and the text encoder on single frames, CLIP-style: each sampled
frame of a training video against its generated caption ("a flash around the red circle. a big new green cross.
blue square, red circle."). Two contrastive terms: the frame's v_cls and the mean of its patch tokens, each
through a pretraining-only projection (not part of the model) against the caption's t_cls. Nothing here sees a
question or an answer.

Two kinds of hard negatives make the towers encode what needle questions ask about:
- a batch holds --group frames of each of its videos (event frames oversampled), so many negatives of a frame
  are frames of the same video, whose captions differ by the events and the colour change only;
- each event frame also gets --counterfactuals captions of itself with one event detail changed (the flash around
  another object of the scene; the big new object in another colour or shape) as extra negatives. With random
  in-batch negatives only, another video's caption differs in its list of objects, so nothing asks the encoder
  which object flashed or what the new object looks like.
The log reports, on validation, top-1 within batches of random frames, an event frame against its own video's
captions, and an event frame against its counterfactual captions (the direct test; chance is printed).

    python tools/shapesqa/pretrain_encoders.py --data DATA --out DATA/runs/encoders.pt [--steps 1500]
"""

import argparse
import dataclasses
import math
import os
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from shapesqa.captions import caption  # noqa: E402
from shapesqa.frames_data import SplitFrames, pixels  # noqa: E402
from shapesqa.init import init_for_training  # noqa: E402
from shapesqa.model_config import CONFIG  # noqa: E402
from shapesqa.vocab import ANSWERS, COLOURS, SHAPES  # noqa: E402
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

    def loss(self, px, ids, same, cf=None):
        """same [B, B]: captions equal (several positives per row). cf: (rows [E], ids [E, C, ctx]): for E event
        frames of the batch, C counterfactual captions each (the same frame's caption with the flash around another
        object, or the big new object in another colour or shape), as extra negatives of that frame only."""
        a, b, t = self.embed(px, ids)
        scale = self.logit_scale.clamp(max=math.log(100)).exp()
        target = same / same.sum(1, keepdim=True)
        total, accs = 0.0, []
        if cf is not None and len(cf[0]):
            rows, cf_ids = cf
            E, C = cf_ids.shape[:2]
            t_cf = F.normalize(self.clip.encode_text(cf_ids.reshape(E * C, -1)), dim=-1).reshape(E, C, -1)
        for v in (a, b):
            logits = scale * v @ t.T
            total = total + (F.cross_entropy(logits, target) + F.cross_entropy(logits.T, target)) / 2
            accs.append(same[torch.arange(len(same)), logits.argmax(1)].float().mean().item())
            if cf is not None and len(cf[0]):
                own = (v[rows] * t[rows]).sum(-1, keepdim=True)            # [E, 1]
                other = torch.einsum("ed,ecd->ec", v[rows], t_cf)          # [E, C]
                cf_logits = scale * torch.cat([own, other], 1)
                total = total + F.cross_entropy(cf_logits, torch.zeros(E, dtype=torch.long))
        return total / 2, accs


def counterfactual_captions(scene, f):
    """Captions of frame f of the scene with one event detail changed: the flash around each other persistent
    object; the big new object in each other colour (same shape) and each other shape (same colour)."""
    out = []
    if scene.flash[0] <= f < scene.flash[1]:
        out += [caption(dataclasses.replace(scene, flash_index=j), f)
                for j in range(len(scene.things)) if j != scene.flash_index]
    if scene.appearance[0] <= f < scene.appearance[1]:
        a = scene.appear
        out += [caption(dataclasses.replace(scene, appear=dataclasses.replace(a, colour=c)), f)
                for c in COLOURS if c != a.colour]
        out += [caption(dataclasses.replace(scene, appear=dataclasses.replace(a, shape=sh)), f)
                for sh in SHAPES if sh != a.shape]
    own = caption(scene, f)
    return sorted({c for c in out if c != own})


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
        # counterfactual captions of every event frame: {(v, n): [caption id in self.cf_ids]}
        cf_caps, self.cf = {}, {}
        for v, n in self.event_pairs:
            alts = counterfactual_captions(self.s.scenes[v], int(self.s.frame_indices[n]))
            self.cf[(int(v), int(n))] = [cf_caps.setdefault(c, len(cf_caps)) for c in alts]
        self.cf_ids = torch.as_tensor(np.stack([tok.tokenize(c, ctx) for c in cf_caps]))

    def counterfactuals(self, v, n, rng, C):
        """(rows [E], ids [E, C, ctx]) for the event frames among the batch's (v, n) pairs."""
        rows, pick = [], []
        for i, (a, b) in enumerate(zip(v, n)):
            alts = self.cf.get((int(a), int(b)))
            if alts:
                rows.append(i)
                pick.append(rng.choice(alts, size=C, replace=len(alts) < C))
        if not rows:
            return torch.zeros(0, dtype=torch.long), None
        return torch.as_tensor(rows), self.cf_ids[torch.as_tensor(np.stack(pick))]

    def batch(self, rng, B, event_fraction, group=1):
        """B (video, frame) pairs. group 1: B independent pairs, event_fraction of them event frames. group M > 1:
        B // M videos with M frames each, so that most negatives of a frame are frames of the same video, whose
        captions differ from its own only by the events and the colour change (hard negatives); event_fraction of
        each video's M frames are its event frames."""
        V, N = self.cap_id.shape
        if group <= 1:
            v = rng.choice(V, size=B, replace=V < B)
            n = rng.integers(0, N, size=B)
            k = int(B * event_fraction)
            pick = self.event_pairs[rng.integers(0, len(self.event_pairs), size=k)]
            v[:k], n[:k] = pick[:, 0], pick[:, 1]
        else:
            G = B // group
            vids = rng.choice(V, size=G, replace=V < G)
            k = int(round(group * event_fraction))
            v, n = np.repeat(vids, group), np.empty(G * group, dtype=np.int64)
            for j, a in enumerate(vids):
                ev = np.flatnonzero(self.events[a])
                rest = np.flatnonzero(~self.events[a])
                take = rng.choice(ev, size=k, replace=len(ev) < k) if len(ev) and k else np.empty(0, np.int64)
                n[j * group:(j + 1) * group] = np.concatenate(
                    [take, rng.choice(rest, size=group - len(take), replace=False)])
        order = np.argsort(v, kind="stable")
        v, n = v[order], n[order]
        cap = torch.as_tensor(self.cap_id[v, n])
        px = pixels(np.stack([self.s.frames[a, b] for a, b in zip(v, n)]), CONFIG)
        self.last = (v, n)
        return px, self.ids[cap], (cap[:, None] == cap[None, :]).float(), torch.as_tensor(self.events[v, n])


@torch.no_grad()
def evaluate(model, data, rng, B, batches=8):
    """Frame -> caption top-1 within batches of B frames of random videos (cls and patch-mean), all frames and
    event frames: [2 (cls, patch), 2 (all, events)]."""
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


@torch.no_grad()
def evaluate_within_video(model, data, videos=100):
    """The hard test: each event frame of a video against the distinct captions of that video's N frames only
    (they differ by the events and the colour change alone). Top-1 (cls, patch-mean) over the event frames."""
    model.eval()
    hits, count = np.zeros(2), 0
    for a in range(min(videos, data.cap_id.shape[0])):
        caps = data.cap_id[a]
        uniq = np.unique(caps)
        ev = np.flatnonzero(data.events[a])
        if not len(ev):
            continue
        px = pixels(np.stack([data.s.frames[a, n] for n in ev]), CONFIG)
        va, vb, t = model.embed(px, data.ids[torch.as_tensor(uniq)])
        for j, v in enumerate((va, vb)):
            hits[j] += (uniq[(v @ t.T).argmax(1).numpy()] == caps[ev]).sum()
        count += len(ev)
    model.train()
    return hits / max(1, count)


@torch.no_grad()
def evaluate_counterfactual(model, data, videos=200):
    """The test of what needle questions need: each event frame against its true caption and all its counterfactual
    captions (another object flashing; the big new object in another colour or shape). Top-1 (cls, patch-mean)
    over the event frames, and the chance level (mean of 1 / (1 + alternatives))."""
    model.eval()
    hits, chance, count = np.zeros(2), 0.0, 0
    for a in range(min(videos, data.cap_id.shape[0])):
        ev = np.flatnonzero(data.events[a])
        if not len(ev):
            continue
        px = pixels(np.stack([data.s.frames[a, n] for n in ev]), CONFIG)
        tokens = model.clip.visual(px)
        va = F.normalize(model.proj_cls(tokens[:, 0]), dim=-1)
        vb = F.normalize(model.proj_patch(tokens[:, 1:].mean(1)), dim=-1)
        for i, n in enumerate(ev):
            alts = data.cf[(a, int(n))]
            ids = torch.cat([data.ids[int(data.cap_id[a, n])][None], data.cf_ids[alts]])
            t = F.normalize(model.clip.encode_text(ids), dim=-1)
            for j, v in enumerate((va, vb)):
                hits[j] += int((t @ v[i]).argmax()) == 0
            chance += 1 / len(ids)
            count += 1
    model.train()
    return hits / max(1, count), chance / max(1, count)


def eval_only(model, vd, train, val, args, log):
    """Val metrics of a saved stage-1 checkpoint. A checkpoint without its pretraining projections (written before
    they were saved) gets them refitted first: towers frozen, 200 steps of the contrastive loss without
    counterfactuals."""
    ckpt = torch.load(args.eval_only, map_location="cpu")
    vd.load_state_dict(ckpt["state_dict"], strict=False)
    if "pretrain_heads" in ckpt:
        model.load_state_dict(ckpt["pretrain_heads"], strict=False)
    else:
        for p in model.clip.parameters():
            p.requires_grad_(False)
        heads = [p for n, p in model.named_parameters() if not n.startswith("clip.")]
        opt = torch.optim.AdamW(heads, lr=args.lr)
        rng = np.random.default_rng(args.seed)
        for _ in range(200):
            loss, _ = model.loss(*train.batch(rng, args.batch, args.event_fraction, args.group)[:3])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
        log("no pretraining projections in the checkpoint: refitted them (towers frozen, 200 steps)")
    acc = evaluate(model, val, np.random.default_rng(1), args.batch)
    within = evaluate_within_video(model, val)
    cfacc, chance = evaluate_counterfactual(model, val)
    log(f"{args.eval_only}: val top1 cls {acc[0, 0]:.3f} (events {acc[0, 1]:.3f}) patch {acc[1, 0]:.3f} "
        f"(events {acc[1, 1]:.3f}) | event frame vs its own video's captions: cls {within[0]:.3f} patch "
        f"{within[1]:.3f} | vs its counterfactual captions: cls {cfacc[0]:.3f} patch {cfacc[1]:.3f} "
        f"(chance {chance:.3f})")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--steps", type=int, default=1500)
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--event-fraction", type=float, default=0.4)
    ap.add_argument("--group", type=int, default=8,
                    help="frames per video in a batch (hard negatives from the same video); 1: independent frames")
    ap.add_argument("--counterfactuals", type=int, default=4,
                    help="counterfactual captions per event frame as its extra negatives (0: none)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--eval-only", default=None, help="evaluate this stage-1 checkpoint on val and exit")
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
    if args.eval_only:
        eval_only(model, vd, train, val, args, log)
        return
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
    warm = max(1, args.steps // 20)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / warm) * 0.5 * (1 + math.cos(math.pi * min(1.0, s / args.steps))))
    rng = np.random.default_rng(args.seed)
    t0, run = time.time(), []
    for step in range(1, args.steps + 1):
        px, ids, same, _ = train.batch(rng, args.batch, args.event_fraction, args.group)
        cf = train.counterfactuals(*train.last, rng, args.counterfactuals) if args.counterfactuals else None
        loss, accs = model.loss(px, ids, same, cf)
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
                within = evaluate_within_video(model, val)
                cfacc, chance = evaluate_counterfactual(model, val)
                msg += (f" | val top1 cls {acc[0, 0]:.3f} (events {acc[0, 1]:.3f}) "
                        f"patch {acc[1, 0]:.3f} (events {acc[1, 1]:.3f}) "
                        f"| event frame vs its own video's captions: cls {within[0]:.3f} patch {within[1]:.3f} "
                        f"| vs its counterfactual captions: cls {cfacc[0]:.3f} patch {cfacc[1]:.3f} "
                        f"(chance {chance:.3f})")
            log(msg)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    torch.save({"config": CONFIG, "state_dict": {k: v for k, v in vd.state_dict().items() if k.startswith("clip.")},
                "pretrain_heads": {k: v for k, v in model.state_dict().items() if not k.startswith("clip.")},
                "args": vars(args)}, args.out)
    log(f"wrote {args.out} ({time.time() - t0:.0f} s)")


if __name__ == "__main__":
    main()
