"""Hugging Face CLIP fixtures (Tests/Fixtures/hf_p16, hf_p32): the oracle for the towers is transformers' own CLIP,
code nobody here wrote. Each fixture is a small random `CLIPModel` saved with `save_pretrained` in fp16 or bf16 (the
converter widens them to float32), the VideoDistill part for the same towers as videodistill.safetensors (written by
vdref.export, as a user's training run would), and transformers' outputs on float32 copies of those same weights:

- `hf_tokens.npy` [N, 1+P, Dv]: `post_layernorm` on every token of the vision model's last hidden state (SPEC 2.1
  applies ln_post to all tokens; transformers applies it to the pooled CLS only);
- `hf_text_embeds.npy` [Q, Dt]: `CLIPTextModelWithProjection`'s `text_embeds` for `token_ids.npy`.

In transformers 5, `CLIPVisionModel.from_pretrained` of a CLIPModel folder reports the weights as unexpected and
starts from new random ones, so the oracle loads the whole CLIPModel and uses its towers; the text side is checked
against CLIPTextModelWithProjection loaded from the same folder as well. Deterministic (seeded, one thread).
"""

import json
import math
import os

import numpy as np
import torch
import transformers

from .export import PART_FILE, save_videodistill_part
from .model import VideoDistill, init_random
from .tokenizer import Tokenizer

# Odd sizes everywhere; patch 16 and 32; fp16 and bf16; eps, mean and std other than CLIP's in one of them.
CONFIGS = {
    "hf_p16": dict(
        dtype=torch.float16, seed=16,
        vision=dict(image_size=48, patch_size=16, hidden_size=36, intermediate_size=144, num_hidden_layers=2,
                    num_attention_heads=3, layer_norm_eps=1e-5),
        text=dict(hidden_size=16, intermediate_size=64, num_hidden_layers=2, num_attention_heads=2,
                  max_position_embeddings=11, layer_norm_eps=1e-5),
        projection_dim=12, mean=[0.48145466, 0.4578275, 0.40821073], std=[0.26862954, 0.26130258, 0.27577711],
        rest=dict(resize_short=52, model_dim=8, model_heads=2, fs_layers=1, vr_layers=1, num_frames=3,
                  num_selected=2, qa_hidden=8, ln_eps=1e-6),
    ),
    "hf_p32": dict(
        dtype=torch.bfloat16, seed=32,
        vision=dict(image_size=64, patch_size=32, hidden_size=40, intermediate_size=160, num_hidden_layers=1,
                    num_attention_heads=5, layer_norm_eps=2e-5),
        text=dict(hidden_size=12, intermediate_size=48, num_hidden_layers=3, num_attention_heads=3,
                  max_position_embeddings=9, layer_norm_eps=2e-5),
        projection_dim=10, mean=[0.5, 0.45, 0.4], std=[0.25, 0.3, 0.2],
        rest=dict(resize_short=64, model_dim=6, model_heads=3, fs_layers=1, vr_layers=1, num_frames=2,
                  num_selected=1, qa_hidden=6, ln_eps=1e-5),
    ),
}

QUESTIONS = ["a photo of a cat", "", "What colour is the ball?", "a " * 12 + "truncated question"]


def _randomise(model, seed):
    """Weights of unit scale (transformers' own init, std 0.02, leaves every block close to the identity, which
    would hide a wrong mapping inside the tolerance): LayerNorm gains around 1, biases 0.1, matrices 1/sqrt(fan_in)."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in sorted(model.named_parameters()):
            r = torch.randn(p.shape, generator=g)
            if "layer_norm" in name or "layrnorm" in name:
                p.copy_(1.0 + 0.2 * r if name.endswith("weight") else 0.1 * r)
            elif name.endswith("bias"):
                p.copy_(0.1 * r)
            elif name == "logit_scale":
                p.copy_(torch.tensor(2.6592))
            elif "embedding" in name:
                p.copy_(0.5 * r)
            else:
                p.copy_(r / math.sqrt(p[0].numel()))


def _clip_config(spec):
    # The towers' own projection_dim too: CLIPTextModelWithProjection sizes its projection from text_config's.
    d = spec["projection_dim"]
    return transformers.CLIPConfig(
        text_config=dict(spec["text"], hidden_act="quick_gelu", projection_dim=d),
        vision_config=dict(spec["vision"], hidden_act="quick_gelu", projection_dim=d),
        projection_dim=d)


def write_fixture(name, root, tok):
    spec = CONFIGS[name]
    out = os.path.join(root, name)
    hf = os.path.join(out, "hf")
    os.makedirs(hf, exist_ok=True)
    torch.manual_seed(spec["seed"])
    model = transformers.CLIPModel(_clip_config(spec)).eval()
    _randomise(model, spec["seed"])
    model.to(spec["dtype"]).save_pretrained(hf)
    v, t = spec["vision"], spec["text"]
    S = v["image_size"]
    with open(os.path.join(hf, "preprocessor_config.json"), "w") as f:
        # The keys of CLIPImageProcessor's file that the converter reads (image_mean, image_std) and the rest of
        # its usual content; written directly so that no image backend (PIL, torchvision) is needed.
        json.dump(dict(crop_size=dict(height=S, width=S), do_center_crop=True, do_normalize=True, do_rescale=True,
                       do_resize=True, image_mean=spec["mean"], image_std=spec["std"],
                       image_processor_type="CLIPImageProcessor", resample=3, rescale_factor=1 / 255,
                       size=dict(shortest_edge=S)), f, indent=2)
        f.write("\n")

    # The oracle: transformers' CLIP on float32 copies of the saved (rounded) weights.
    clip = transformers.CLIPModel.from_pretrained(hf, dtype=torch.float32).eval()
    text_model = transformers.CLIPTextModelWithProjection.from_pretrained(hf, dtype=torch.float32).eval()
    cfg = dict(spec["rest"], image_size=S, patch_size=v["patch_size"], vision_width=v["hidden_size"],
               vision_layers=v["num_hidden_layers"], vision_heads=v["num_attention_heads"],
               text_width=t["hidden_size"], text_layers=t["num_hidden_layers"], text_heads=t["num_attention_heads"],
               vocab_size=49408, context_length=t["max_position_embeddings"],
               text_embed_dim=spec["projection_dim"], mean=spec["mean"], std=spec["std"],
               clip_ln_eps=v["layer_norm_eps"])
    g = torch.Generator().manual_seed(spec["seed"])
    pixels = torch.randn(cfg["num_frames"], 3, S, S, generator=g)
    ids = torch.from_numpy(np.stack([tok.tokenize(q, cfg["context_length"]) for q in QUESTIONS]))
    with torch.no_grad():
        vm = clip.vision_model
        tokens = vm.post_layernorm(vm(pixel_values=pixels).last_hidden_state)
        text_embeds = text_model(input_ids=ids).text_embeds
        via_clip = clip.text_projection(clip.text_model(input_ids=ids).pooler_output)
    if not torch.equal(text_embeds, via_clip):  # CLIPTextModelWithProjection must have loaded the folder's weights
        raise RuntimeError(f"{name}: CLIPTextModelWithProjection and CLIPModel disagree on the text side")

    # The VideoDistill part for these towers (its own random weights; the towers of this model are not used).
    vd = init_random(VideoDistill(cfg, (), ()).eval(), spec["seed"])
    save_videodistill_part(vd, os.path.join(out, PART_FILE))
    rest = {k: cfg[k] for k in spec["rest"]}
    for key, value in (("config", rest), ("questions", QUESTIONS)):
        with open(os.path.join(out, key + ".json"), "w") as f:
            json.dump(value, f, indent=1)
            f.write("\n")
    for key, value in (("pixels", pixels), ("token_ids", ids), ("hf_tokens", tokens), ("hf_text_embeds", text_embeds)):
        np.save(os.path.join(out, key + ".npy"), np.ascontiguousarray(value.numpy()))
    print(f"{name}: transformers {transformers.__version__}, {spec['dtype']}, tokens max |x| "
          f"{tokens.abs().max():.3f}, text_embeds max |x| {text_embeds.abs().max():.3f}")


def main(root):
    # The text model's loading report lists the vision weights it skips; the text_embeds check above is the proof.
    transformers.logging.set_verbosity_error()
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)
    tok = Tokenizer()
    for name in CONFIGS:
        write_fixture(name, root, tok)
