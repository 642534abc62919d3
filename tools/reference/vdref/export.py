"""ONNX export of a VideoDistill model (SPEC 11): frame_encoder.onnx and answerer.onnx, and beside them
videodistill.safetensors: the VideoDistill part (every SPEC 10 name but `clip.*`) with SPEC 11's metadata in the
header's `__metadata__`, which convert-weights reads together with a Hugging Face CLIP folder for the towers.

Exporter settings that keep SPEC 10's initializer names with torch 2.15: the TorchScript exporter with
`dynamo=False, do_constant_folding=False` (constant folding would fold each Linear weight into a transposed,
renamed copy). The exporter checks the names itself after writing and fails loudly if torch renamed, folded or
dropped anything.

Usage: python -m vdref.export --checkpoint ckpt.pt --out DIR   (ckpt: {"config", "answers", "state_dict"})
"""

import argparse
import contextlib
import json
import os
import types
import warnings

import onnx
import safetensors.torch
import torch

from .config import KEYS
from .model import VideoDistill

OPSET = 17
PART_FILE = "videodistill.safetensors"

FRAME_INPUTS, FRAME_OUTPUTS = ["pixels"], ["tokens"]
ANSWER_INPUTS = ["tokens", "token_ids"]
HEAD_OUTPUTS = {"qa": "qa_logits", "vtm": "vtm_logits", "cl": "cl_sim"}
ANSWER_TAIL = ["selection_logits", "selected", "v_star", "fs_gates", "vr_gates", "t_cls"]


def answer_outputs(model):
    return [HEAD_OUTPUTS[h] for h in model.head_names] + ANSWER_TAIL


def _frame_encoder_forward(self, pixels):  # [F, 3, S, S] -> [F, 1+P, Dv]
    return self.encode_frames(pixels)


def _answerer_forward(self, tokens, token_ids):
    """tokens [N, 1+P, Dv], token_ids [1, ctx] -> the unbatched outputs of SPEC 11."""
    out = self.answer(tokens[None], self.encode_text(token_ids))
    return tuple(out[name][0] for name in answer_outputs(self))


@contextlib.contextmanager
def _forward_as(model, fn):
    """Export the model itself (a wrapper module would prefix every initializer name with its attribute)."""
    model.forward = types.MethodType(fn, model)
    try:
        yield model
    finally:
        del model.forward


def metadata(model):
    meta = {"videodistill.config": json.dumps({k: model.cfg[k] for k in KEYS})}
    if "qa" in model.head_names:
        meta["videodistill.answers"] = json.dumps(model.answers, ensure_ascii=False)
    return meta


def _check_names(path, model, prefixes, exclude=()):
    """The graph's initializers must be exactly the SPEC-named parameters it uses."""
    graph = onnx.load(path, load_external_data=False).graph
    names = {i.name for i in graph.initializer}
    expected = {n for n in model.state_dict() if n.startswith(prefixes) and not n.startswith(exclude)}
    unknown, missing = sorted(names - expected), sorted(expected - names)
    if unknown or missing:
        raise RuntimeError(f"{os.path.basename(path)}: exporter changed initializer names; "
                           f"unexpected {unknown[:10]}, missing {missing[:10]} - export with "
                           f"dynamo=False, do_constant_folding=False")


def _add_metadata(path, meta):
    m = onnx.load(path)
    del m.metadata_props[:]
    for k, v in meta.items():
        m.metadata_props.add(key=k, value=v)
    onnx.save(m, path)


def save_videodistill_part(model, path):
    """The VideoDistill part of the state dict (SPEC 10 names, float32) as safetensors, with SPEC 11 metadata."""
    part = {k: v.detach().float().contiguous() for k, v in model.state_dict().items() if not k.startswith("clip.")}
    safetensors.torch.save_file(part, path, metadata=metadata(model))
    _sort_metadata(path)
    return path


def _sort_metadata(path):
    with open(path, "rb") as f:
        blob = f.read()
    with open(path, "wb") as f:
        f.write(sorted_metadata(blob))


def sorted_metadata(blob):
    """safetensors writes `__metadata__` in hash order, which changes from run to run; the same header with its
    metadata keys sorted keeps the fixtures byte-for-byte reproducible (offsets are relative to the data, which
    stays as the library wrote it)."""
    n = int.from_bytes(blob[:8], "little")
    header = json.loads(blob[8:8 + n])
    if "__metadata__" in header:
        header["__metadata__"] = dict(sorted(header["__metadata__"].items()))
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode()
    text += b" " * (-len(text) % 8)  # the library's own padding rule: the data starts 8-byte aligned
    return len(text).to_bytes(8, "little") + text + blob[8 + n:]


def export(model, out_dir):
    """Write frame_encoder.onnx, answerer.onnx and videodistill.safetensors (PART_FILE) for `model` (eval mode)
    into out_dir; return the two ONNX paths."""
    model = model.eval()
    cfg = model.cfg
    os.makedirs(out_dir, exist_ok=True)
    S, N = cfg["image_size"], cfg["num_frames"]
    P1 = 1 + (S // cfg["patch_size"]) ** 2
    frame_path = os.path.join(out_dir, "frame_encoder.onnx")
    answer_path = os.path.join(out_dir, "answerer.onnx")
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with _forward_as(model, _frame_encoder_forward) as graph:
            torch.onnx.export(
                graph, (torch.zeros(2, 3, S, S),), frame_path,
                input_names=FRAME_INPUTS, output_names=FRAME_OUTPUTS,
                dynamic_axes={"pixels": {0: "F"}, "tokens": {0: "F"}},
                opset_version=OPSET, dynamo=False, do_constant_folding=False)
        ids = torch.zeros(1, cfg["context_length"], dtype=torch.int64)
        ids[0, 0], ids[0, 1] = 49406, 49407
        with _forward_as(model, _answerer_forward) as graph:
            torch.onnx.export(
                graph, (torch.zeros(N, P1, cfg["vision_width"]), ids), answer_path,
                input_names=ANSWER_INPUTS, output_names=answer_outputs(model),
                opset_version=OPSET, dynamo=False, do_constant_folding=False)
    _check_names(frame_path, model, ("clip.visual.",))
    _check_names(answer_path, model, ("clip.", "input_proj.", "fs.", "vr.", "heads."), exclude=("clip.visual.",))
    meta = metadata(model)
    for path in (frame_path, answer_path):
        _add_metadata(path, meta)
    save_videodistill_part(model, os.path.join(out_dir, PART_FILE))
    return frame_path, answer_path


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--checkpoint", required=True, help="torch.save'd dict with config, answers, state_dict")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    ckpt = torch.load(args.checkpoint, map_location="cpu")
    heads = ckpt.get("heads") or tuple(h for h, p in (("qa", "heads.qa."), ("vtm", "heads.vtm."),
                                                        ("cl", "heads.cl_text_proj."))
                                       if any(k.startswith(p) for k in ckpt["state_dict"]))
    model = VideoDistill(ckpt["config"], ckpt.get("answers", ()), heads)
    model.load_state_dict(ckpt["state_dict"], strict=True)
    for p in (*export(model, args.out), os.path.join(args.out, PART_FILE)):
        print("wrote", p)


if __name__ == "__main__":
    main()
