"""Deterministic test fixtures: two small configs that differ in every size, their ONNX exports, inputs and
ONNX Runtime outputs. `python tools/reference/make_fixtures.py` rewrites Tests/Fixtures/tiny_a and tiny_b byte
for byte (same machine, same torch / onnxruntime versions), then the Hugging Face fixtures (vdref.hf_fixtures).

Seeds are searched (deterministically) until the fixture exercises every path: no near-ties in selection, answers
or multiple choice (top-2 gaps >= MIN_GAP), at least one duplicate selection, gate cosines reaching far into
both signs.
"""

import json
import os

import numpy as np
import onnxruntime as ort
import torch

from .config import CLIP_MEAN, CLIP_STD
from .frames import frame_indices, preprocess_f64
from .model import VideoDistill, init_random
from .export import export
from .tokenizer import Tokenizer
from . import hf_fixtures

MIN_GAP = 2e-3     # ten times SPEC 8's fp32 near-tie threshold at these magnitudes
MIN_GATE_REACH = 0.75

CONFIGS = {
    # More input frames (9) than N (6); portrait 45 x 37 frames, downscaled.
    "tiny_a": dict(
        config=dict(image_size=32, resize_short=36, patch_size=8, vision_width=48, vision_layers=2,
                    vision_heads=4, text_width=32, text_layers=2, text_heads=2, vocab_size=49408,
                    context_length=16, text_embed_dim=24, model_dim=40, model_heads=4, fs_layers=2,
                    vr_layers=2, num_frames=6, num_selected=3, qa_hidden=24, mean=CLIP_MEAN, std=CLIP_STD,
                    clip_ln_eps=1e-5, ln_eps=1e-6),
        answers=["red", "blue", "two", "3", "café", "雪", "left-to-right"],
        video=(9, 45, 37),
        questions=["What colour is the ball?",
                   "How many people are there in 3 frames, 2 seconds?",
                   "¿Qué pasa después? — naïve café…",
                   "Is the 2nd dog's tail wagging?!",
                   "雪が降っている？ what's the weather like today, in the video's second half, really?"],
    ),
    # Fewer input frames (5) than N (8); landscape 27 x 50 frames, upscaled; other eps, mean, std.
    "tiny_b": dict(
        config=dict(image_size=30, resize_short=35, patch_size=6, vision_width=36, vision_layers=1,
                    vision_heads=3, text_width=24, text_layers=3, text_heads=3, vocab_size=49408,
                    context_length=20, text_embed_dim=20, model_dim=30, model_heads=5, fs_layers=1,
                    vr_layers=3, num_frames=8, num_selected=5, qa_hidden=18, mean=[0.5, 0.45, 0.4],
                    std=[0.25, 0.3, 0.2], clip_ln_eps=2e-5, ln_eps=1e-5),
        answers=["yes", "no", "Ünïcödé", "42", "a dog"],
        video=(5, 27, 50),
        questions=["does it rain?",
                   "what happens at 00:12 &amp; then?",
                   "",
                   "Zoë's 1st <b>bold</b> move — 😀 (emoji) & “quotes”",
                   "a " * 30 + "very long question that is truncated"],
    ),
}

ORDER = ["qa_logits", "vtm_logits", "cl_sim", "selection_logits", "selected", "v_star", "fs_gates", "vr_gates",
         "t_cls"]


def top2_gap(x, axis):
    s = -np.sort(-x, axis=axis)
    return np.take(s, 0, axis=axis) - np.take(s, 1, axis=axis)


def make_video(seed, F, H, W):
    """Smooth moving blobs plus noise: frames that differ, with structure at several scales."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:H, 0:W].astype(np.float64)
    frames = []
    for f in range(F):
        img = np.zeros((H, W, 3))
        for _ in range(3):
            cy, cx = rng.uniform(0, H), rng.uniform(0, W)
            r = rng.uniform(3, 12)
            colour = rng.uniform(0, 255, size=3)
            img += np.exp(-((y - cy) ** 2 + (x - cx) ** 2) / (2 * r * r))[..., None] * colour
        img += rng.normal(0, 25, size=img.shape)
        frames.append(np.clip(img, 0, 255).round().astype(np.uint8))
    return np.stack(frames)


def _run_fixture(name, spec, seed, tok, out_dir):
    cfg, answers = spec["config"], spec["answers"]
    torch.manual_seed(seed)
    model = init_random(VideoDistill(cfg, answers).eval(), seed)
    video = make_video(seed, *spec["video"])
    resized, pixels = preprocess_f64(video, cfg)
    pixels32 = pixels.astype(np.float32)
    frame_path, answer_path = export(model, out_dir)
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1  # deterministic reductions
    frame_sess = ort.InferenceSession(frame_path, opts, providers=["CPUExecutionProvider"])
    tokens = frame_sess.run(None, {"pixels": pixels32})[0]
    sess = ort.InferenceSession(answer_path, opts, providers=["CPUExecutionProvider"])
    names = [o.name for o in sess.get_outputs()]

    def run(ids):
        return dict(zip(names, sess.run(None, {"tokens": tokens, "token_ids": ids[None]})))

    questions = spec["questions"]
    token_ids = np.stack([tok.tokenize(q, cfg["context_length"]) for q in questions])
    per_q = [run(ids) for ids in token_ids]
    arrays = {k: np.stack([o[k] for o in per_q]) for k in ORDER}
    A = len(answers)
    candidates = [[answers[(i + j) % A] for j in range(3)] for i in range(len(questions))]
    mc_ids = np.stack([np.stack([tok.tokenize(q + " " + c, cfg["context_length"]) for c in cands])
                       for q, cands in zip(questions, candidates)])
    vtm = np.stack([np.stack([run(ids)["vtm_logits"] for ids in row]) for row in mc_ids])  # [Q, C, 2]
    mc_scores = torch.log_softmax(torch.from_numpy(vtm), dim=-1)[..., 1].numpy()
    arrays.update(
        video=video, resized=resized.astype(np.float32), pixels=pixels32, tokens=tokens, token_ids=token_ids,
        source_frames=np.asarray(frame_indices(video.shape[0], cfg["num_frames"]), dtype=np.int64),
        selection_gap=top2_gap(arrays["selection_logits"], axis=1).astype(np.float32),
        qa_gap=top2_gap(arrays["qa_logits"], axis=1).astype(np.float32),
        mc_token_ids=mc_ids, mc_scores=mc_scores.astype(np.float32),
        mc_gap=top2_gap(mc_scores, axis=1).astype(np.float32),
        mc_distinct=np.asarray([len({r.tobytes() for r in row}) == len(row) for row in mc_ids]),
    )
    texts = dict(questions=questions, mc_candidates=candidates, answers=answers, config=cfg)
    return arrays, texts


def _acceptable(arrays):
    gates = np.concatenate([arrays["fs_gates"].ravel(), arrays["vr_gates"].ravel()])
    dup = any(len(set(s.tolist())) < len(s) for s in arrays["selected"])
    varied = len({s.tobytes() for s in arrays["selected"]}) >= 2  # the question moves the selection
    mc_gap = arrays["mc_gap"][arrays["mc_distinct"]]  # truncated texts tie by construction
    return (arrays["selection_gap"].min() >= MIN_GAP and arrays["qa_gap"].min() >= MIN_GAP
            and mc_gap.min() >= MIN_GAP and dup and varied
            and gates.max() >= MIN_GATE_REACH and gates.min() <= -MIN_GATE_REACH)


def write_fixture(name, root, tok, max_tries=200):
    spec = CONFIGS[name]
    out_dir = os.path.join(root, name)
    os.makedirs(out_dir, exist_ok=True)
    for seed in range(max_tries):
        arrays, texts = _run_fixture(name, spec, seed, tok, out_dir)
        if _acceptable(arrays):
            break
    else:
        raise RuntimeError(f"{name}: no seed below {max_tries} exercises every path")
    arrays.pop("mc_distinct")
    for key, value in arrays.items():
        np.save(os.path.join(out_dir, key + ".npy"), np.ascontiguousarray(value))
    for key in ("questions", "mc_candidates", "answers", "config"):
        with open(os.path.join(out_dir, key + ".json"), "w", encoding="utf-8") as f:
            json.dump(texts[key], f, ensure_ascii=False, indent=1)
            f.write("\n")
    with open(os.path.join(out_dir, "seed.json"), "w") as f:
        json.dump({"seed": seed}, f)
        f.write("\n")
    gates = np.concatenate([arrays["fs_gates"].ravel(), arrays["vr_gates"].ravel()])
    print(f"{name}: seed {seed}, selection gap >= {arrays['selection_gap'].min():.4f}, "
          f"qa gap >= {arrays['qa_gap'].min():.4f}, gates in [{gates.min():.3f}, {gates.max():.3f}], "
          f"selected {arrays['selected'].tolist()}")


def main(root):
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)
    tok = Tokenizer()
    for name in CONFIGS:
        write_fixture(name, root, tok)
    hf_fixtures.main(root)
