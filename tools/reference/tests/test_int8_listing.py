"""`convert-weights --type int8` output read by PyPI `gguf` (llama.cpp's own reader).

Layout (ModelFileKeys.swift): every weight the policy quantizes is an I8 tensor with the SPEC 10 name and shape and a
F32 companion `<name>.scale` [out]; every other tensor is F32 and equal to its ONNX initializer. The int8 values and
scales are checked against numpy's own per-row symmetric quantization of the ONNX initializers (scale = max|w| / 127,
q = rint(w / scale), half to even), and the set of int8 weights against vdref.int8's policy (the converter's default
must be the policy the evaluation measured). Needs a built converter; skipped when none is found.
"""

import numpy as np
import pytest

from test_gguf_listing import initializers, inputs_of, run
from vdref import int8_policy
from vdref.spec_names import spec_tensors
from vdref.testing import Fixture  # noqa: F401  (fixture comes from conftest)

gguf = pytest.importorskip("gguf")


def convert_int8(fixture, out, keep=None):
    args = inputs_of(fixture) + ["-o", str(out), "--type", "int8"]
    if keep is not None:
        args += ["--keep-f32", keep if isinstance(keep, str) else ",".join(keep) or "none"]
    r = run(args)
    assert r.returncode == 0, r.stderr
    return gguf.GGUFReader(str(out))


def numpy_quantize(w):
    """The oracle: symmetric per output channel (first axis), in float32 like the runtime."""
    w2 = w.reshape(w.shape[0], -1).astype(np.float32)
    scale = (np.abs(w2).max(axis=1) / np.float32(127)).astype(np.float32)
    safe = np.where(scale > 0, scale, np.float32(1))
    q = np.clip(np.rint(w2 / safe[:, None]), -127, 127)
    q[scale == 0] = 0
    return q.astype(np.int8).reshape(w.shape), scale


@pytest.mark.parametrize("keep", [None, []], ids=["default-policy", "all-int8"])
def test_int8_tensors_listed_and_exact(fixture, tmp_path, keep):
    cfg, answers = fixture.json("config"), fixture.json("answers")
    r = convert_int8(fixture, tmp_path / "model.gguf", keep)
    assert r.get_field("videodistill.weight_type").contents() == "int8"
    spec = spec_tensors(cfg, len(answers))
    quantized = set(int8_policy.int8_names(cfg, len(answers), keep))
    assert quantized and quantized <= set(spec)
    expected_names = set(spec) | {n + ".scale" for n in quantized}
    assert sorted(t.name for t in r.tensors) == sorted(expected_names)
    onnx_values = initializers(inputs_of(fixture))
    by_name = {t.name: t for t in r.tensors}
    for name, shape in spec.items():
        t = by_name[name]
        assert list(t.data.shape) == shape, name
        assert t.data_offset % 64 == 0, name
        if name not in quantized:
            assert t.tensor_type == gguf.GGMLQuantizationType.F32, name
            np.testing.assert_array_equal(t.data, onnx_values[name], err_msg=name)
            continue
        assert t.tensor_type == gguf.GGMLQuantizationType.I8, name
        s = by_name[name + ".scale"]
        assert s.tensor_type == gguf.GGMLQuantizationType.F32 and list(s.data.shape) == [shape[0]], name
        q, scale = numpy_quantize(onnx_values[name])
        np.testing.assert_array_equal(s.data, scale, err_msg=name)
        np.testing.assert_array_equal(t.data, q, err_msg=name)
        assert t.data.min() >= -127
        # Round trip: within half a step of the fp32 weight, per output channel.
        w = onnx_values[name].reshape(shape[0], -1)
        err = np.abs(q.reshape(shape[0], -1) * scale[:, None] - w)
        assert (err <= scale[:, None] / 2 * (1 + 1e-6)).all(), name


def test_default_policy_matches_the_evaluated_one(fixture, tmp_path):
    """The converter's default keep-set is vdref.int8_policy.DEFAULT_KEEP_F32 (what shapesqa.int8_eval measures)."""
    cfg, answers = fixture.json("config"), fixture.json("answers")
    r = convert_int8(fixture, tmp_path / "model.gguf")
    got = {t.name for t in r.tensors if t.tensor_type == gguf.GGMLQuantizationType.I8}
    assert got == set(int8_policy.int8_names(cfg, len(answers)))
    assert not any(n.startswith("clip.visual.transformer") for n in got)   # the ViT stays fp32 by default


def test_fast_policy_adds_the_vit_blocks(fixture, tmp_path):
    """--keep-f32 fast is vdref.int8_policy.FAST_KEEP_F32: the default plus every ViT block's Linears in int8."""
    cfg, answers = fixture.json("config"), fixture.json("answers")
    r = convert_int8(fixture, tmp_path / "model.gguf", keep="fast")
    got = {t.name for t in r.tensors if t.tensor_type == gguf.GGMLQuantizationType.I8}
    assert got == set(int8_policy.int8_names(cfg, len(answers), keep_f32=int8_policy.FAST_KEEP_F32))
    default = set(int8_policy.int8_names(cfg, len(answers)))
    assert default < got and all(n.startswith("clip.visual.transformer") for n in got - default)


def test_keep_f32_refuses_unknown_group(fixture, tmp_path):
    r = run(inputs_of(fixture) + ["-o", str(tmp_path / "x.gguf"), "--type", "int8", "--keep-f32", "fs.nothing"])
    assert r.returncode == 1 and "unknown int8 groups fs.nothing" in r.stderr
