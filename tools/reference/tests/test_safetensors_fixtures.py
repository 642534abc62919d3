"""The safetensors side of the fixtures, read with the safetensors package (numpy, no torch): the reference
export's videodistill.safetensors holds exactly the ONNX pair's non-CLIP initializers and metadata, and the Hugging
Face fixtures are what their generator says (dtypes, configs that agree). With torch and VD_SLOW_TESTS, the Hugging
Face fixtures regenerate byte for byte."""

import json
import os
import subprocess
import sys

import numpy as np
import onnx
import pytest
from onnx import numpy_helper
from safetensors import safe_open

from vdref.testing import FIXTURES

HF_FIXTURES = {"hf_p16": "F16", "hf_p32": "BF16"}


def header(path):
    with open(path, "rb") as f:
        n = int.from_bytes(f.read(8), "little")
        return json.loads(f.read(n))


def test_videodistill_part_equals_the_onnx_initializers(fixture):
    onnx_part, meta = {}, {}
    for file in ("frame_encoder.onnx", "answerer.onnx"):
        m = onnx.load(fixture.path(file))
        meta.update({p.key: p.value for p in m.metadata_props})
        for init in m.graph.initializer:
            if not init.name.startswith("clip."):
                onnx_part[init.name] = numpy_helper.to_array(init)
    with safe_open(fixture.path("videodistill.safetensors"), "np") as f:
        assert f.metadata() == meta
        assert sorted(f.keys()) == sorted(onnx_part)
        for name, value in onnx_part.items():
            got = f.get_tensor(name)
            assert got.dtype == np.float32 and got.shape == value.shape, name
            assert np.array_equal(got.view(np.uint32), value.astype(np.float32).view(np.uint32)), name


@pytest.mark.parametrize("name", sorted(HF_FIXTURES))
def test_hf_fixture_is_what_it_says(name):
    folder = os.path.join(FIXTURES, name)
    tensors = header(os.path.join(folder, "hf", "model.safetensors"))
    dtypes = {v["dtype"] for k, v in tensors.items() if k != "__metadata__"}
    assert dtypes == {HF_FIXTURES[name]}
    with open(os.path.join(folder, "hf", "config.json")) as f:
        hf = json.load(f)
    with safe_open(os.path.join(folder, "videodistill.safetensors"), "np") as f:
        cfg = json.loads(f.metadata()["videodistill.config"])
    v, t = hf["vision_config"], hf["text_config"]
    assert (cfg["image_size"], cfg["patch_size"], cfg["vision_width"], cfg["text_width"], cfg["context_length"],
            cfg["text_embed_dim"]) == (v["image_size"], v["patch_size"], v["hidden_size"], t["hidden_size"],
                                       t["max_position_embeddings"], hf["projection_dim"])
    assert tensors["text_projection.weight"]["shape"] == [hf["projection_dim"], t["hidden_size"]]
    tokens = np.load(os.path.join(folder, "hf_tokens.npy"))
    P = (cfg["image_size"] // cfg["patch_size"]) ** 2
    assert tokens.shape == (cfg["num_frames"], 1 + P, cfg["vision_width"])
    assert 1.0 < np.abs(tokens).max() < 100   # unit-scale weights: a wrong mapping cannot hide in the tolerance


@pytest.mark.skipif(not os.environ.get("VD_SLOW_TESTS"), reason="set VD_SLOW_TESTS=1 (about 1 minute)")
@pytest.mark.parametrize("name", sorted(HF_FIXTURES))
def test_hf_fixture_regeneration_is_byte_identical(torch, tmp_path, name):
    pytest.importorskip("transformers")
    script = os.path.join(os.path.dirname(__file__), "..", "make_fixtures.py")
    subprocess.run([sys.executable, script, str(tmp_path)], check=True, capture_output=True)
    ours = os.path.join(FIXTURES, name)
    for root, _, files in os.walk(ours):
        for file in sorted(files):
            rel = os.path.relpath(os.path.join(root, file), ours)
            with open(os.path.join(ours, rel), "rb") as a, open(tmp_path / name / rel, "rb") as b:
                assert a.read() == b.read(), rel
