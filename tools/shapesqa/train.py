"""Stage 2: train VideoDistill's frame sampler (FS), vision refinement (VR), the QA, VTM and CL heads and the text
encoder on ShapesQA, over frame tokens cached from the frozen stage-1 frame encoder (the paper's frozen CLIP, in
miniature).

The selection learns from the QA objective and the paper's VTM and CL objectives only (no supervision of which
frames to pick), by REINFORCE: per question --samples selections are drawn from the sampler's per-slot softmax,
each is answered, and each draw's loss against the mean of the question's other draws weights its log-probability
(policy_loss). --estimator st is the paper's straight-through Gumbel-softmax instead (vdref model.train()), which
made the previous recipe's selection pile onto the brief events for every kind of question. The sampler starts
as stratified sampling (shapesqa.init.time_prior; --time-prior 0: off) and for the first --select-warmup epochs is
held there while VR, the heads and the text encoder learn to read frames spread over the video. VTM and CL see,
for half of each batch, the question with its answer (match) or with another answer of its kind (mismatch).
--variant trains Table 4's ablations (shapesqa.variants; QA head only).

Every epoch logs loss, validation accuracy (overall and per category) with the learned selection and with K evenly
spaced frames, needle accuracy when the question's own event frames are given (a diagnostic of how well VR reads
an event once selected; never used for training), the selection's event hit rate on needle questions and the
multiple-choice accuracy of VTM and CL. Each epoch's checkpoint is kept (OUT.epochNN.pt); OUT is the epoch after
the warm-up with the best validation accuracy overall.

    python tools/shapesqa/train.py --data DATA --encoders DATA/runs/encoders.pt --out DATA/runs/shapesqa.pt \
        [--epochs 9 --select-warmup 3 --seed 0]
"""

import argparse
import math
import os
import time

import numpy as np
import torch
import torch.nn.functional as F

from shapesqa.frames_data import SplitFrames, pixels
from shapesqa.init import init_for_training, time_prior
from shapesqa.qa_data import QASplit, hit_rates
from videodistill import uniform_selection  # the runtime's (vd_frame_indices)
from shapesqa.variants import VARIANTS, draws, encode_question, refine, use_cross_attention, variant_answer
from shapesqa.vocab import ANSWERS, CATEGORIES, group_of
from vdref.model import VideoDistill, cl_similarity
from vdref.tokenizer import Tokenizer


@torch.no_grad()
def frame_tokens(model, frames, batch=256):
    """Frozen frame encoder over every cached sampled frame: float16 [V, N, 1+P, Dv]."""
    V, N = frames.shape[:2]
    flat = frames.reshape(V * N, *frames.shape[2:])
    out = [model.encode_frames(pixels(flat[i:i + batch], model.cfg)).half() for i in range(0, V * N, batch)]
    return torch.cat(out).reshape(V, N, *out[0].shape[1:])


@torch.no_grad()
def evaluate(model, qa, tokens, batch=256, selection=None, rows_of=None, variant="videodistill"):
    """Predictions [Q] and selected frames [Q, K] over the questions `rows_of` (default all); selection None = the
    model's own, else K indices (a list for every question, or an array [Q, K] per question)."""
    model.eval()
    preds, sels = [], []
    every = np.arange(len(qa)) if rows_of is None else np.asarray(rows_of)
    for i in range(0, len(every), batch):
        rows = every[i:i + batch]
        tok = tokens[qa.video[rows]].float()
        t = encode_question(model, qa.question_ids[qa.question[rows]], variant)
        if selection is None:
            logits, sel = variant_answer(model, tok, t, variant)
        else:
            sel = torch.as_tensor(np.asarray(selection))
            sel = sel.expand(tok.shape[0], -1) if sel.dim() == 1 else sel[i:i + batch]
            logits = model.heads.qa(refine(model, tok, t, sel, variant=variant))
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


def policy_loss(logp_sel, loss):
    """REINFORCE with the leave-one-out baseline: each draw's loss [S, B] against the mean of the same question's
    other draws weights the draw's log-probability [S, B], so the selection learns from the loss its draws really
    gave (only the QA / VTM / CL objectives). Zero for the variants that draw nothing (logp_sel None)."""
    if logp_sel is None:
        return loss.new_zeros(())
    S = loss.shape[0]
    baseline = (loss.sum(0, keepdim=True) - loss) / (S - 1)
    return ((loss - baseline).detach() * logp_sel).mean()


def pair_ids(qa, tok, ctx):
    """Token ids of SPEC 7's `question + " " + candidate` for every distinct question and every answer:
    [questions, A, ctx] (row order of qa.question_ids)."""
    questions = sorted({r["question"] for r in qa.records})
    return torch.as_tensor(np.stack([np.stack([tok.tokenize(f"{q} {a}", ctx) for a in ANSWERS]) for q in questions]))


def match_batch(qa, rows, ids, rng):
    """One VTM / CL text per question: `question + " " + answer` (label 1) or, half the time, the question with
    another answer of the same kind (label 0)."""
    answers = qa.answer.numpy()[rows]
    label = rng.random(len(rows)) < 0.5
    cand = answers.copy()
    for i in np.flatnonzero(~label):
        group = [ANSWERS.index(a) for a in group_of(ANSWERS[answers[i]]) if ANSWERS.index(a) != answers[i]]
        cand[i] = group[int(rng.integers(0, len(group)))]
    return ids[qa.question[rows], cand], torch.as_tensor(label.astype(np.int64))


@torch.no_grad()
def choice_accuracy(model, qa, tokens, ids, batch=256):
    """Multiple choice over each question's candidate group (SPEC 7): accuracy of the VTM match score and of the
    CL similarity, with the model's own (argmax) selection."""
    model.eval()
    groups = [[ANSWERS.index(c) for c in group_of(ANSWERS[int(a)])] for a in qa.answer]
    pairs = [(q, c) for q, group in enumerate(groups) for c in group]
    vtm, cl = [], []
    for i in range(0, len(pairs), batch):
        q = np.array([p[0] for p in pairs[i:i + batch]])
        c = np.array([p[1] for p in pairs[i:i + batch]])
        t = model.encode_text(ids[qa.question[q], c])
        out = model.answer(tokens[qa.video[q]].float(), t)
        vtm.append(torch.log_softmax(out["vtm_logits"], -1)[:, 1])
        cl.append(out["cl_sim"])
    model.train()
    acc = {}
    for name, score in (("vtm", torch.cat(vtm)), ("cl", torch.cat(cl))):
        ok, j = [], 0
        for q, group in enumerate(groups):   # argmax: the first candidate on ties
            ok.append(group[int(score[j:j + len(group)].argmax())] == int(qa.answer[q]))
            j += len(group)
        acc[name] = float(np.mean(ok))
    return acc


def report(model, qa, tokens, K, N, variant="videodistill"):
    """One line: accuracy (learned and uniform), needle accuracy with the event frames given (diagnostic) and needle
    hit rates (learned and uniform)."""
    pred, sel = evaluate(model, qa, tokens, variant=variant)
    upred, usel = evaluate(model, qa, tokens, selection=uniform_selection(N, K), variant=variant)
    needle = qa.category == CATEGORIES.index("needle")
    rows = np.flatnonzero(needle & qa.event_mask.any(1))
    opred, _ = evaluate(model, qa, tokens, selection=event_selection(qa.event_mask[rows], K), rows_of=rows,
                        variant=variant)
    oracle = (opred == qa.answer.numpy()[rows]).mean()
    hit_any, hit_frac = hit_rates(sel[needle], qa.event_mask[needle])
    uhit_any, uhit_frac = hit_rates(usel[needle], qa.event_mask[needle])
    acc = accuracy_table(pred, qa)
    return acc["all"], (f"acc [{fmt(acc)}] uniform [{fmt(accuracy_table(upred, qa))}] "
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
    ap.add_argument("--estimator", choices=["reinforce", "st"], default="reinforce",
                    help="the selection's gradient: REINFORCE over --samples draws (leave-one-out baseline), or the "
                         "straight-through Gumbel-softmax (the paper's; the previous recipe)")
    ap.add_argument("--variant", choices=VARIANTS, default="videodistill",
                    help="Table 4's ablations (not SPEC models: the reference trains and evaluates them)")
    ap.add_argument("--samples", type=int, default=4, help="draws per question with --estimator reinforce")
    ap.add_argument("--time-prior", type=float, default=3.0,
                    help="strength of the frame sampler's stratified start (shapesqa.init.time_prior); 0 = off")
    ap.add_argument("--heads", nargs="+", default=["qa", "vtm", "cl"], choices=["qa", "vtm", "cl"])
    ap.add_argument("--match-weight", type=float, default=0.5, help="weight of the VTM + CL losses")
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
    heads = tuple(h for h in ("qa", "vtm", "cl") if h in args.heads)
    model = VideoDistill(cfg, ANSWERS, heads=heads)
    if args.variant == "cross-attn":
        use_cross_attention(model)
    model = init_for_training(model, args.seed)
    if args.time_prior > 0:
        time_prior(model, args.seed, strength=args.time_prior)
    missing = model.load_state_dict(enc["state_dict"], strict=False)
    assert not missing.unexpected_keys and all(not k.startswith("clip.") for k in missing.missing_keys)
    for p in model.clip.visual.parameters():
        p.requires_grad_(False)
    tok = Tokenizer()
    splits = {s: SplitFrames(args.data, s) for s in ("train", "val")}
    tokens = {s: frame_tokens(model, f.frames) for s, f in splits.items()}
    qa = {s: QASplit(f, tok, cfg["context_length"]) for s, f in splits.items()}
    ids = {s: pair_ids(q, tok, cfg["context_length"]) for s, q in qa.items()}
    match = "vtm" in heads or "cl" in heads
    assert not match or {"vtm", "cl"} <= set(heads), "VTM and CL are trained together"
    assert not match or args.variant == "videodistill", "the ablations train the QA head only"
    cl_scale = torch.nn.Parameter(torch.tensor(math.log(10.0)))  # the CL loss's temperature and bias (not shipped)
    cl_bias = torch.nn.Parameter(torch.tensor(0.0))
    N, K = cfg["num_frames"], cfg["num_selected"]
    log(f"cached tokens {tuple(tokens['train'].shape)} + {tuple(tokens['val'].shape)}, "
        f"{len(qa['train'])} train / {len(qa['val'])} val questions ({time.time() - t0:.0f} s)")

    text = [p for n, p in model.named_parameters() if n.startswith("clip.") and p.requires_grad]
    fs = [p for n, p in model.named_parameters() if n.startswith("fs.")]
    rest = [p for n, p in model.named_parameters() if not n.startswith(("clip.", "fs."))] + [cl_scale, cl_bias]
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

    def val_line():
        score, line = report(model, qa["val"], tokens["val"], K, N, args.variant)
        if match:
            mc = choice_accuracy(model, qa["val"], tokens["val"], ids["val"])
            line += f" multiple choice vtm {mc['vtm']:.3f} cl {mc['cl']:.3f}"
        return score, line

    def branch_losses(tok_b, t, per_draw):
        """(loss for the answerer, loss for the selection) of one text per question: per_draw(v_star [S*B, D])
        gives the per-draw loss [S*B]."""
        if args.estimator == "st":   # the gradient reaches the selection through the Gumbel-softmax itself
            loss = per_draw(model.answer(tok_b, t)["v_star"])
            return loss.mean(), loss.new_zeros(())
        logp, v_star = draws(model, tok_b, t, args.samples, args.variant)
        loss = per_draw(v_star.flatten(0, 1)).view(len(v_star), -1)
        return loss[0].mean(), policy_loss(logp, loss)   # only the first draw has the answerer's gradient

    log(f"epoch 0 val {val_line()[1]}")
    best = (-1.0, 0)
    step = 0
    tr = qa["train"]
    for epoch in range(1, args.epochs + 1):
        model.train()
        order = rng.permutation(len(tr))
        losses, correct = [], []
        for b in range(steps_per_epoch):
            rows = order[b * args.batch:(b + 1) * args.batch]
            model.gumbel_tau = args.tau[0] + (args.tau[1] - args.tau[0]) * step / max(1, total - 1)
            tok_b = tokens["train"][tr.video[rows]].float()
            answer = tr.answer[rows]
            t = encode_question(model, tr.question_ids[tr.question[rows]], args.variant)
            qa_logits = []

            def qa_loss(v_star):
                logits = model.heads.qa(v_star)
                qa_logits.append(logits.detach())
                return F.cross_entropy(logits, answer.repeat(len(v_star) // len(rows)), reduction="none")

            loss, select_loss = branch_losses(tok_b, t, qa_loss)
            if match:
                half = rows[: len(rows) // 2]  # VTM / CL on half the batch: a third of the step's cost
                m_ids, label = match_batch(tr, half, ids["train"], rng)
                tm = model.encode_text(m_ids)
                text_b = model.heads.cl_text_proj(tm)

                def match_loss(v_star):
                    reps = len(v_star) // len(half)
                    lab = label.repeat(reps)
                    cos = cl_similarity(v_star, text_b.repeat(reps, 1))
                    return (F.cross_entropy(model.heads.vtm(v_star), lab, reduction="none")
                            + F.binary_cross_entropy_with_logits(cl_scale.exp() * cos + cl_bias, lab.float(),
                                                                 reduction="none"))

                m_loss, m_select = branch_losses(tok_b[: len(half)], tm, match_loss)
                loss = loss + args.match_weight * m_loss
                select_loss = select_loss + args.match_weight * m_select
            if step >= frozen:  # the sampler learns only after the warm-up
                loss = loss + select_loss
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            step += 1
            losses.append(loss.item())
            correct.append((qa_logits[0].argmax(-1) == answer.repeat(len(qa_logits[0]) // len(rows))).float()
                           .mean().item())
        score, line = val_line()
        log(f"epoch {epoch} loss {np.mean(losses):.4f} train acc {np.mean(correct):.3f} "
            f"tau {model.gumbel_tau:.2f} | val {line} | {time.time() - t0:.0f} s")
        ckpt = {"config": cfg, "answers": ANSWERS, "heads": heads, "state_dict": model.state_dict(),
                "epoch": epoch, "args": vars(args)}
        torch.save(ckpt, f"{os.path.splitext(args.out)[0]}.epoch{epoch:02d}.pt")
        if epoch > min(args.select_warmup, args.epochs - 1) and score > best[0]:  # the shipped epoch: best validation accuracy overall
            best = (score, epoch)
            torch.save(ckpt, args.out)
    log(f"wrote {args.out} = epoch {best[1]} (the best validation accuracy overall after the warm-up, "
        f"{best[0]:.3f}) and one checkpoint per epoch next to it ({time.time() - t0:.0f} s)")


if __name__ == "__main__":
    main()
