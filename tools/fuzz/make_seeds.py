#!/usr/bin/env python3
"""Writes the committed seed corpora of the ONNX, safetensors, tokenizer and C API fuzz targets
(tools/fuzz/corpus/<target>/).

The gguf and modelfile seeds come from the fuzz binaries themselves (VD_FUZZ_WRITE_SEEDS, see run.sh); the fixture
ONNX exports and the tiny_a model are added at run time, not committed. Usage: python3 tools/fuzz/make_seeds.py
"""
import json
import os
import struct

import numpy as np
import onnx
import safetensors.numpy
from onnx import TensorProto, helper, numpy_helper

from vdref.export import sorted_metadata
from vdref.spec_names import spec_tensors

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))

OUT = os.path.join(ROOT, "tools", "fuzz", "corpus")

# The smallest config SPEC 11 allows (V is fixed at 49408, so the token embedding dominates: 49408 x 1).
TINY = dict(image_size=2, resize_short=2, patch_size=1, vision_width=2, vision_layers=1, vision_heads=1,
            text_width=1, text_layers=1, text_heads=1, vocab_size=49408, context_length=2, text_embed_dim=1,
            model_dim=2, model_heads=1, fs_layers=1, vr_layers=1, num_frames=2, num_selected=1, qa_hidden=1,
            mean=[0.5, 0.5, 0.5], std=[0.25, 0.25, 0.25], clip_ln_eps=1e-5, ln_eps=1e-6)
ANSWERS = ["a", "b"]


def write(target, name, data):
    os.makedirs(os.path.join(OUT, target), exist_ok=True)
    with open(os.path.join(OUT, target, name), "wb") as f:
        f.write(data)


def model(initializers, meta=True):
    graph = helper.make_graph([], "seed", [], [], initializer=initializers)
    m = helper.make_model(graph)
    if meta:
        helper.set_model_props(m, {"videodistill.config": json.dumps(TINY), "videodistill.answers": json.dumps(ANSWERS)})
    return m.SerializeToString()


def tensor(name, shape, form, seed):
    """An initializer of `shape` stored in one of the forms the reader takes."""
    values = (np.arange(int(np.prod(shape)), dtype=np.float64) % 7 - 3 + seed) / 8
    if form == "raw_f32":
        return numpy_helper.from_array(values.astype(np.float32).reshape(shape), name)
    if form == "raw_f16":
        return numpy_helper.from_array(values.astype(np.float16).reshape(shape), name)
    if form == "raw_f64":
        return numpy_helper.from_array(values.reshape(shape), name)
    if form == "float_data":
        return helper.make_tensor(name, TensorProto.FLOAT, shape, values.astype(np.float32).tolist())
    if form == "double_data":
        return helper.make_tensor(name, TensorProto.DOUBLE, shape, values.tolist())
    if form == "bf16_int32":
        bits = (values.astype(np.float32).view(np.uint32) >> 16).astype(np.int32)
        t = TensorProto(name=name, data_type=TensorProto.BFLOAT16, dims=shape)
        t.int32_data.extend(bits.tolist())
        return t
    if form == "f16_int32":
        bits = values.astype(np.float16).view(np.uint16).astype(np.int32)
        t = TensorProto(name=name, data_type=TensorProto.FLOAT16, dims=shape)
        t.int32_data.extend(bits.tolist())
        return t
    raise ValueError(form)


def external(name, shape, location, offset, with_length=True):
    t = TensorProto(name=name, data_type=TensorProto.FLOAT, dims=shape, data_location=TensorProto.EXTERNAL)
    entries = [("location", location), ("offset", str(offset))]
    if with_length:
        entries.append(("length", str(4 * int(np.prod(shape)))))
    for k, v in entries:
        e = t.external_data.add()
        e.key, e.value = k, v
    return t


def onnx_seeds():
    names = spec_tensors(TINY, len(ANSWERS))
    forms = ["raw_f32", "float_data", "raw_f64", "double_data", "bf16_int32", "f16_int32", "raw_f16"]
    # Everything SPEC 10 needs in one file, in every stored form (the token embedding as raw f16).
    whole = []
    for i, (n, shape) in enumerate(names.items()):
        form = "raw_f16" if n == "clip.token_embedding.weight" else forms[i % len(forms)]
        whole.append(tensor(n, shape, form, i))
    write("onnx", "complete-mixed-forms.onnx", model(whole))
    # The same with a few tensors in weights.bin / data/w.bin (the harness writes those next to the input),
    # one transposed HF text projection and HF q/k/v parts for the text block.
    hf, i = [], 0
    for n, shape in names.items():
        if n == "clip.text_projection":
            hf.append(tensor("clip.text_projection.weight", [shape[1], shape[0]], "raw_f32", 1))
        elif n.startswith("clip.transformer.resblocks.0.attn.in_proj_"):
            kind = "weight" if n.endswith("weight") else "bias"
            part = [shape[0] // 3] + shape[1:]
            for j, qkv in enumerate("qkv"):
                hf.append(tensor(f"clip.text_model.encoder.layers.0.self_attn.{qkv}_proj.{kind}", part, "raw_f32", j))
        elif n.startswith("vr.") and int(np.prod(shape)) <= 64 and i < 6:
            hf.append(external(n, shape, "weights.bin" if i % 2 == 0 else "data/w.bin", 64 * i, with_length=i % 3 != 0))
            i += 1
        else:
            hf.append(tensor(n, shape, "raw_f16" if n == "clip.token_embedding.weight" else "raw_f32", 2))
    hf.append(tensor("clip.logit_scale", [], "raw_f32", 0))
    hf.append(tensor("clip.text_model.embeddings.position_ids", [1, 2], "raw_f32", 0))
    write("onnx", "complete-hf-external.onnx", model(hf))
    # Small files: one initializer per stored form, external data good and hostile, odd shapes.
    small = [tensor(f"t.{f}", [2, 3], f, 1) for f in forms]
    write("onnx", "forms.onnx", model(small, meta=False))
    ext = [external("e.ok", [4, 4], "weights.bin", 0), external("e.sub", [2], "data/w.bin", 8, False),
           external("e.link", [2], "outside.bin", 0), external("e.dotdot", [2], "../weights.bin", 0),
           external("e.abs", [2], "/etc/hostname", 0), external("e.range", [2048], "weights.bin", 64)]
    write("onnx", "external.onnx", model(ext, meta=False))
    odd = [tensor("scalar", [], "raw_f32", 0), TensorProto(name="empty", data_type=TensorProto.FLOAT, dims=[0, 5]),
           TensorProto(name="ints", data_type=TensorProto.INT64, dims=[2], int64_data=[1, 2]),
           TensorProto(name="big", data_type=TensorProto.FLOAT, dims=[1 << 20, 1 << 20], raw_data=b"\0" * 8)]
    write("onnx", "odd-shapes.onnx", model(odd))


def safetensors_seeds():
    """Written by the safetensors package itself (numpy side, no torch), so the seeds are the format as others
    write it: the whole TINY model in SPEC names with SPEC 11 metadata (the token embedding F16, the rest cycling
    F32 / F16 / BF16-as-rounded-F32), the text tower under HF names, and one small file of each dtype and odd shape."""
    names = spec_tensors(TINY, len(ANSWERS))
    meta = {"videodistill.config": json.dumps(TINY), "videodistill.answers": json.dumps(ANSWERS)}
    dtypes = [np.float32, np.float16]
    whole = {}
    for i, (n, shape) in enumerate(names.items()):
        values = (np.arange(int(np.prod(shape)), dtype=np.float64) % 7 - 3 + i) / 8
        dtype = np.float16 if n == "clip.token_embedding.weight" else dtypes[i % 2]
        whole[n] = values.astype(dtype).reshape(shape)
    write("safetensors", "complete.safetensors", sorted_metadata(safetensors.numpy.save(whole, metadata=meta)))
    hf = {}
    for n, v in whole.items():
        if n == "clip.text_projection":
            hf["clip.text_projection.weight"] = np.ascontiguousarray(v.T)
        elif n.startswith("clip.transformer.resblocks.0.attn.in_proj_"):
            kind = "weight" if n.endswith("weight") else "bias"
            for j, part in enumerate(np.split(v, 3)):
                hf[f"clip.text_model.encoder.layers.0.self_attn.{'qkv'[j]}_proj.{kind}"] = part
        else:
            hf[n] = v
    hf["clip.logit_scale"] = np.array(2.5, dtype=np.float32)
    write("safetensors", "complete-hf-names.safetensors", sorted_metadata(safetensors.numpy.save(hf, metadata=meta)))
    small = {"f32": np.arange(6, dtype=np.float32).reshape(2, 3), "f16": np.array([1, -2, 65504], dtype=np.float16),
             "scalar": np.array(7, dtype=np.float32), "empty": np.zeros((0, 5), dtype=np.float32),
             "i64": np.array([1, 2], dtype=np.int64)}
    write("safetensors", "small.safetensors", safetensors.numpy.save(small, metadata={"k": "v"}))
    del small["i64"]
    write("safetensors", "small-floats.safetensors", safetensors.numpy.save(small))


def tokenizer_seeds():
    corpus = json.load(open(os.path.join(ROOT, "Tests", "Fixtures", "tokenizer", "corpus.json")))
    # Byte 0 is the context length - 1 (mod 80); keep a spread of strings, and some invalid UTF-8.
    picked = corpus[::4]
    for i, entry in enumerate(picked):
        write("tokenizer", f"corpus-{i:03d}", bytes([(76, 15, 0, 1)[i % 4]]) + entry["text"].encode("utf-8"))
    for i, raw in enumerate([b"\xff\xfe", b"abc\xc3", b"\xed\xa0\x80", b"&#x110000; &#99999999; &amp;amp;",
                             b"<|startoftext|><|endoftext|>", "ΟΔΟΣ İ ß ﬁ".encode()]):
        write("tokenizer", f"edge-{i}", bytes([76]) + raw)


def capi_seeds():
    # Layout (tools/fuzz/targets/fuzz_capi.c): flags, flags2, n_frames u32, height u32, width u32, stride u64,
    # threads u8 (flags & 4: u32), [abort stop u8 when flags & 8], pattern u8, qflags, threads u8, top_k u8,
    # [selection u8 x K when qflags & 4], capacity u8, n_candidates u8, text.
    def seed(flags, flags2, f, h, w, stride, qflags, extra=b"", text=b"what colour is the ball?\x01red"):
        head = bytes([flags, flags2]) + struct.pack("<IIIQ", f, h, w, stride)
        head += bytes([1]) + (bytes([3]) if flags & 8 else b"") + bytes([17])
        return head + bytes([qflags, 1, 6]) + extra + bytes([20, 3]) + text
    write("capi", "frames-small", seed(16, 0, 7, 24, 31, 0, 0))
    write("capi", "frames-one", seed(0, 0, 1, 1, 1, 0, 0))
    write("capi", "frames-many", seed(0, 0, 39, 3, 5, 2, 0))
    write("capi", "frames-abort", seed(8 | 16, 0, 12, 40, 40, 0, 0))
    write("capi", "frames-raw", seed(1, 0, 0x7fffffff, 0x7fffffff, 0x7fffffff, (1 << 64) - 1, 0))
    write("capi", "pixels", seed(0, 2, 0, 0, 0, 0, 4, extra=bytes([0, 1, 2])))
    write("capi", "pixels-nan", seed(0, 2 | 8, 0, 0, 0, 0, 0))
    write("capi", "null-params", seed(0, 1, 5, 9, 9, 1, 32))


if __name__ == "__main__":
    onnx_seeds()
    safetensors_seeds()
    tokenizer_seeds()
    capi_seeds()
    total = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(OUT) for f in fs)
    print(f"seeds in {OUT}: {total} bytes")
