"""SPEC section 11's config: the keys, the paper values (section 9), and checks."""

import json

KEYS = [
    "image_size", "resize_short", "patch_size", "vision_width", "vision_layers", "vision_heads",
    "text_width", "text_layers", "text_heads", "vocab_size", "context_length", "text_embed_dim",
    "model_dim", "model_heads", "fs_layers", "vr_layers", "num_frames", "num_selected", "qa_hidden",
    "mean", "std", "clip_ln_eps", "ln_eps",
]

CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073]
CLIP_STD = [0.26862954, 0.26130258, 0.27577711]

PAPER = dict(
    image_size=224, resize_short=256, patch_size=16,
    vision_width=768, vision_layers=12, vision_heads=12,
    text_width=512, text_layers=12, text_heads=8, vocab_size=49408, context_length=77, text_embed_dim=512,
    model_dim=1024, model_heads=8, fs_layers=3, vr_layers=3, num_frames=100, num_selected=16,
    qa_hidden=1024, mean=CLIP_MEAN, std=CLIP_STD, clip_ln_eps=1e-5, ln_eps=1e-6,
)


def validate(cfg):
    """Raise ValueError naming the first SPEC rule the config breaks."""
    missing = [k for k in KEYS if k not in cfg]
    if missing:
        raise ValueError(f"config lacks {missing}")
    ints = [k for k in KEYS if k not in ("mean", "std", "clip_ln_eps", "ln_eps")]
    for k in ints:
        if not isinstance(cfg[k], int) or cfg[k] < 1:
            raise ValueError(f"{k} = {cfg[k]!r} must be a positive integer")
    if cfg["resize_short"] < cfg["image_size"]:
        raise ValueError("resize_short must be >= image_size")
    for a, b in [("patch_size", "image_size"), ("vision_heads", "vision_width"),
                 ("text_heads", "text_width"), ("model_heads", "model_dim")]:
        if cfg[b] % cfg[a]:
            raise ValueError(f"{b} = {cfg[b]} is not a multiple of {a} = {cfg[a]}")
    if cfg["num_selected"] > cfg["num_frames"]:
        raise ValueError("num_selected must be <= num_frames")
    if cfg["vocab_size"] != 49408:
        raise ValueError("vocab_size must be 49408 (CLIP's BPE)")
    return cfg


def patches(cfg):
    """P, patches per frame."""
    return (cfg["image_size"] // cfg["patch_size"]) ** 2


def to_json(cfg):
    return json.dumps({k: cfg[k] for k in KEYS}, sort_keys=False)
