"""Which SPEC 10 weights SPEC 8's int8 scheme stores in int8, by group, and the policies convert-weights writes
(`--type int8`: `DEFAULT_KEEP_F32`; `--keep-f32 fast`: `FAST_KEEP_F32`). Names only, no torch: the converter's
listing tests use it without PyTorch; vdref.int8 (the simulation) re-exports it.
"""


def linear_weights(cfg, num_answers, heads=("qa", "vtm", "cl")):
    """Every weight SPEC 8 allows in int8, in groups: {group: [SPEC 10 weight names]} (the 2-D weights of Linear
    layers and the patch convolution; `clip.text_projection` is used as x @ P and is not a Linear)."""
    g = {}

    def clip_block(prefix):
        return [prefix + s for s in ("attn.in_proj_weight", "attn.out_proj.weight", "mlp.c_fc.weight",
                                     "mlp.c_proj.weight")]

    g["vision.conv1"] = ["clip.visual.conv1.weight"]
    g["vision.blocks"] = sum((clip_block(f"clip.visual.transformer.resblocks.{i}.")
                              for i in range(cfg["vision_layers"])), [])
    g["text.blocks"] = sum((clip_block(f"clip.transformer.resblocks.{i}.") for i in range(cfg["text_layers"])), [])
    g["input_proj"] = ["input_proj.weight"]
    gate = lambda b: [f"{b}.gate.{x}.weight" for x in "qkvo"]  # noqa: E731
    g["fs.gate"] = sum((gate(f"fs.blocks.{i}") for i in range(cfg["fs_layers"])), [])
    g["fs.attn"] = sum(([f"fs.blocks.{i}.attn.qkv.weight", f"fs.blocks.{i}.attn.proj.weight"]
                        for i in range(cfg["fs_layers"])), [])
    g["fs.mlp"] = sum(([f"fs.blocks.{i}.mlp.fc1.weight", f"fs.blocks.{i}.mlp.fc2.weight"]
                       for i in range(cfg["fs_layers"])), [])
    g["fs.select"] = ["fs.select.weight"]
    g["vr.gate"] = sum((gate(f"vr.blocks.{i}") for i in range(cfg["vr_layers"])), [])
    g["vr.attn"] = sum(([f"vr.blocks.{i}.{a}.{x}.weight" for a in ("timeattn", "attn") for x in ("qkv", "proj")]
                        for i in range(cfg["vr_layers"])), [])
    g["vr.mlp"] = sum(([f"vr.blocks.{i}.mlp.fc1.weight", f"vr.blocks.{i}.mlp.fc2.weight"]
                       for i in range(cfg["vr_layers"])), [])
    g["heads"] = ((["heads.qa.fc1.weight", "heads.qa.fc2.weight"] if "qa" in heads else [])
                  + (["heads.vtm.weight"] if "vtm" in heads else [])
                  + (["heads.cl_text_proj.weight"] if "cl" in heads else []))
    return g


GROUPS = ["vision.conv1", "vision.blocks", "text.blocks", "input_proj", "fs.gate", "fs.attn", "fs.mlp",
          "fs.select", "vr.gate", "vr.attn", "vr.mlp", "heads"]

# The policy `convert-weights --type int8` writes (see shapesqa.int8_eval's report for why): everything int8 but
# the groups listed here, kept fp32 because the selection and the answer are decided there.
DEFAULT_KEEP_F32 = ["vision.conv1", "vision.blocks", "text.blocks", "input_proj", "fs.gate", "fs.attn", "fs.mlp",
                    "fs.select", "heads"]
#: convert-weights --keep-f32 fast: the ViT blocks int8 too
FAST_KEEP_F32 = [g for g in DEFAULT_KEEP_F32 if g != "vision.blocks"]


def int8_names(cfg, num_answers, keep_f32=None, heads=("qa", "vtm", "cl")):
    """The SPEC 10 weight names a policy stores in int8: every group of `linear_weights` but those in keep_f32."""
    keep = DEFAULT_KEEP_F32 if keep_f32 is None else keep_f32
    groups = linear_weights(cfg, num_answers, heads)
    unknown = [k for k in keep if k not in groups]
    if unknown:
        raise ValueError(f"unknown groups {unknown}; known: {GROUPS}")
    return [n for g in GROUPS if g not in keep for n in groups[g]]
