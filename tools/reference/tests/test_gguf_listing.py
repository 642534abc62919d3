"""convert-weights output read by PyPI `gguf` (llama.cpp's own reader): SPEC 10 names and shapes, values equal
to the ONNX initializers (read by `onnx.numpy_helper`), and the metadata layout of ModelFileKeys.swift.

GGUF stores dims innermost first: `tensor.shape` is the PyTorch shape reversed and `tensor.data.shape` is the
PyTorch shape. Needs a built converter (`swift build`); skipped when none is found.
"""

import glob
import os
import subprocess

import numpy as np
import onnx
import pytest
from onnx import helper, numpy_helper

from vdref.config import KEYS
from vdref.spec_names import spec_tensors
from vdref.testing import FIXTURE_NAMES, Fixture  # noqa: F401  (fixture comes from conftest)
from vdref.tokenizer import BPE_SHA256, load_merges

gguf = pytest.importorskip("gguf")

REPO = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", ".."))


def converter():
    """The convert-weights binary: $CONVERT_WEIGHTS, else the newest under .build*/{debug,release}."""
    if os.environ.get("CONVERT_WEIGHTS"):
        return os.environ["CONVERT_WEIGHTS"]
    found = [p for p in glob.glob(os.path.join(REPO, ".build*", "*", "convert-weights")) if os.access(p, os.X_OK)]
    found += [p for p in glob.glob(os.path.join(REPO, ".build", "*", "*", "convert-weights")) if os.access(p, os.X_OK)]
    if not found:
        pytest.skip("convert-weights is not built (run `swift build` or set CONVERT_WEIGHTS)")
    return max(found, key=os.path.getmtime)


def run(args):
    return subprocess.run([converter()] + args, capture_output=True, text=True, timeout=300)


def convert(inputs, out):
    r = run(list(inputs) + ["-o", str(out)])
    assert r.returncode == 0, r.stderr
    return gguf.GGUFReader(str(out))


def initializers(paths):
    out = {}
    for p in paths:
        for t in onnx.load(p).graph.initializer:
            out[t.name] = numpy_helper.to_array(t)
    return out


def field(reader, key):
    f = reader.get_field(key)
    assert f is not None, key
    return f


def inputs_of(fx):
    return [fx.path("frame_encoder.onnx"), fx.path("answerer.onnx")]


def test_lists_spec_names_shapes_and_values(fixture, tmp_path):
    cfg, answers = fixture.json("config"), fixture.json("answers")
    r = convert(inputs_of(fixture), tmp_path / "model.gguf")
    spec = spec_tensors(cfg, len(answers))
    onnx_values = initializers(inputs_of(fixture))
    assert sorted(t.name for t in r.tensors) == sorted(spec)
    for t in r.tensors:
        assert t.tensor_type == gguf.GGMLQuantizationType.F32, t.name
        assert list(t.data.shape) == spec[t.name], t.name
        assert [int(d) for d in reversed(t.shape)] == spec[t.name], t.name
        assert t.data_offset % 64 == 0, t.name
        np.testing.assert_array_equal(t.data, onnx_values[t.name], err_msg=t.name)


def test_metadata_layout(fixture, tmp_path):
    cfg, answers = fixture.json("config"), fixture.json("answers")
    r = convert(inputs_of(fixture), tmp_path / "model.gguf")
    T = gguf.GGUFValueType
    assert r.alignment == 64 and field(r, "general.alignment").contents() == 64
    assert field(r, "general.architecture").contents() == "videodistill"
    assert field(r, "general.name").contents() == "model"
    assert field(r, "videodistill.weight_type").contents() == "f32"
    for key in KEYS:
        f = field(r, "videodistill." + key)
        if key in ("mean", "std"):
            assert f.types == [T.ARRAY, T.FLOAT32]
            np.testing.assert_array_equal(f.contents(), np.float32(cfg[key]))
        elif key in ("clip_ln_eps", "ln_eps"):
            assert f.types == [T.FLOAT32] and f.contents() == np.float32(cfg[key])
        else:
            assert f.types == [T.UINT32] and f.contents() == cfg[key], key
    f = field(r, "videodistill.answers")
    assert f.types == [T.ARRAY, T.STRING] and f.contents() == answers
    assert field(r, "tokenizer.ggml.model").contents() == "clip-bpe"
    merges = field(r, "tokenizer.ggml.merges")
    assert merges.types == [T.ARRAY, T.STRING] and merges.contents() == load_merges()
    assert field(r, "tokenizer.ggml.bos_token_id").contents() == 49406
    assert field(r, "tokenizer.ggml.eos_token_id").contents() == 49407
    assert field(r, "videodistill.bpe_sha256").contents() == BPE_SHA256


def hugging_face(paths, folder):
    """The fixture's initializers under Hugging Face CLIP names (q/k/v split, text projection transposed), in one
    model whose weights live in an external data file."""
    values = initializers(paths)
    renames = [
        ("clip.visual.conv1.weight", "clip.vision_model.embeddings.patch_embedding.weight"),
        ("clip.visual.class_embedding", "clip.vision_model.embeddings.class_embedding"),
        ("clip.visual.positional_embedding", "clip.vision_model.embeddings.position_embedding.weight"),
        ("clip.visual.ln_pre.", "clip.vision_model.pre_layrnorm."),
        ("clip.visual.ln_post.", "clip.vision_model.post_layernorm."),
        ("clip.visual.transformer.resblocks.", "clip.vision_model.encoder.layers."),
        ("clip.token_embedding.weight", "clip.text_model.embeddings.token_embedding.weight"),
        ("clip.positional_embedding", "clip.text_model.embeddings.position_embedding.weight"),
        ("clip.ln_final.", "clip.text_model.final_layer_norm."),
        ("clip.transformer.resblocks.", "clip.text_model.encoder.layers."),
    ]
    inner = [(".attn.out_proj.", ".self_attn.out_proj."), (".ln_1.", ".layer_norm1."), (".ln_2.", ".layer_norm2."),
             (".mlp.c_fc.", ".mlp.fc1."), (".mlp.c_proj.", ".mlp.fc2.")]
    out = {}
    for name, v in values.items():
        if name == "clip.text_projection":
            out["clip.text_projection.weight"] = np.ascontiguousarray(v.T)
            continue
        rule = next(((a, b) for a, b in renames if name.startswith(a)), None)
        if rule is None:
            out[name] = v
            continue
        hf = rule[1] + name[len(rule[0]):]
        for a, b in inner:
            hf = hf.replace(a, b, 1)
        if hf.endswith((".attn.in_proj_weight", ".attn.in_proj_bias")):
            base, kind = hf.rsplit(".attn.in_proj_", 1)
            for part, chunk in zip("qkv", np.split(v, 3, axis=0)):
                out[f"{base}.self_attn.{part}_proj.{kind}"] = chunk
        else:
            out[hf] = v
    out["clip.vision_model.embeddings.position_ids"] = np.arange(4, dtype=np.int64)[None]
    out["clip.logit_scale"] = np.float32(4.6)
    meta = onnx.load(paths[1]).metadata_props
    graph = helper.make_graph([], "hf", [], [], initializer=[numpy_helper.from_array(a, n) for n, a in out.items()])
    model = helper.make_model(graph)
    for p in meta:
        model.metadata_props.add(key=p.key, value=p.value)
    path = os.path.join(folder, "hf.onnx")
    onnx.save_model(model, path, save_as_external_data=True, all_tensors_to_one_file=True, location="hf.bin",
                    size_threshold=0)
    return path


def test_hugging_face_names_with_external_data(fixture, tmp_path):
    ref = convert(inputs_of(fixture), tmp_path / "ref.gguf")
    hf_path = hugging_face(inputs_of(fixture), str(tmp_path))
    assert os.path.getsize(tmp_path / "hf.bin") > 0
    r = convert([hf_path], tmp_path / "hf.gguf")
    expected = {t.name: t.data for t in ref.tensors}
    assert sorted(t.name for t in r.tensors) == sorted(expected)
    for t in r.tensors:
        np.testing.assert_array_equal(t.data, expected[t.name], err_msg=t.name)


def test_refuses_unknown_initializer(fixture, tmp_path):
    model = onnx.load(fixture.path("answerer.onnx"))
    model.graph.initializer.append(numpy_helper.from_array(np.zeros(3, np.float32), "heads.extra.weight"))
    path = str(tmp_path / "answerer.onnx")
    onnx.save_model(model, path)
    r = run([fixture.path("frame_encoder.onnx"), path, "-o", str(tmp_path / "x.gguf")])
    assert r.returncode == 1
    assert "heads.extra.weight [3]" in r.stderr
    assert not os.path.exists(tmp_path / "x.gguf")
