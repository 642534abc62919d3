"""SPEC section 10's parameter names and shapes, written out from the SPEC table (independent of model.py, so
tests can check the model's state dict and the ONNX initializers against it)."""

from .config import patches


def spec_tensors(cfg, num_answers, heads=("qa", "vtm", "cl")):
    """{name: shape} of every tensor SPEC 10 defines for this config and these heads."""
    Dv, Dtw, D = cfg["vision_width"], cfg["text_width"], cfg["model_dim"]
    Dt, p, P = cfg["text_embed_dim"], cfg["patch_size"], patches(cfg)
    t = {}

    def ln(name, w):
        t[name + ".weight"], t[name + ".bias"] = [w], [w]

    def linear(name, out, inp):
        t[name + ".weight"], t[name + ".bias"] = [out, inp], [out]

    def clip_block(prefix, w):
        ln(prefix + "ln_1", w)
        ln(prefix + "ln_2", w)
        t[prefix + "attn.in_proj_weight"], t[prefix + "attn.in_proj_bias"] = [3 * w, w], [3 * w]
        linear(prefix + "attn.out_proj", w, w)
        linear(prefix + "mlp.c_fc", 4 * w, w)
        linear(prefix + "mlp.c_proj", w, 4 * w)

    t["clip.visual.conv1.weight"] = [Dv, 3, p, p]
    t["clip.visual.class_embedding"] = [Dv]
    t["clip.visual.positional_embedding"] = [1 + P, Dv]
    ln("clip.visual.ln_pre", Dv)
    ln("clip.visual.ln_post", Dv)
    for i in range(cfg["vision_layers"]):
        clip_block(f"clip.visual.transformer.resblocks.{i}.", Dv)
    t["clip.token_embedding.weight"] = [cfg["vocab_size"], Dtw]
    t["clip.positional_embedding"] = [cfg["context_length"], Dtw]
    for i in range(cfg["text_layers"]):
        clip_block(f"clip.transformer.resblocks.{i}.", Dtw)
    ln("clip.ln_final", Dtw)
    t["clip.text_projection"] = [Dtw, Dt]

    def gate(prefix):
        for n in ("q", "v", "o"):
            linear(prefix + "gate." + n, D, D)
        linear(prefix + "gate.k", D, Dt)

    def attn(prefix):
        linear(prefix + ".qkv", 3 * D, D)
        linear(prefix + ".proj", D, D)

    def mlp(prefix):
        linear(prefix + "mlp.fc1", 4 * D, D)
        linear(prefix + "mlp.fc2", D, 4 * D)

    linear("input_proj", D, Dv)
    t["fs.temporal_embed"] = [cfg["num_frames"], D]
    for i in range(cfg["fs_layers"]):
        b = f"fs.blocks.{i}."
        for n in ("norm_g", "norm_a", "norm_m"):
            ln(b + n, D)
        gate(b)
        attn(b + "attn")
        mlp(b)
    ln("fs.norm", D)
    linear("fs.select", cfg["num_selected"], D)
    t["vr.cls_token"] = [D]
    t["vr.pos_embed"] = [1 + P, D]
    t["vr.temporal_embed"] = [cfg["num_selected"], D]
    for i in range(cfg["vr_layers"]):
        b = f"vr.blocks.{i}."
        for n in ("norm_g", "norm1", "norm2", "norm3"):
            ln(b + n, D)
        gate(b)
        attn(b + "timeattn")
        attn(b + "attn")
        mlp(b)
    ln("vr.norm", D)
    if "qa" in heads:
        linear("heads.qa.fc1", cfg["qa_hidden"], D)
        linear("heads.qa.fc2", num_answers, cfg["qa_hidden"])
    if "vtm" in heads:
        linear("heads.vtm", 2, D)
    if "cl" in heads:
        linear("heads.cl_text_proj", D, Dt)
    return t
