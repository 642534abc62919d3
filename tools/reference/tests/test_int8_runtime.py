"""The runtime's int8 model against vdref.int8's simulation of SPEC 8's scheme, on the fixtures.

The fixture's ONNX pair is converted with `convert-weights --type int8` (default policy and all-int8) and run by
libvideodistill.so through the Python binding; the same weights run through the PyTorch simulation
(per-output-channel int8 weights, per-token int8 activations, everything else fp32). Both compute the same integer
products; they differ only by fp32 rounding (the dequantization's order of operations, LayerNorm and attention
sums), which can move a rounding decision of a later per-token quantization by one step, and on these tiny widths
one step of one element moves the outputs visibly. The simulation has the same ambiguity with itself: run in
float64 instead of float32 it moves by as much. So the check is: the runtime is no further from the float64
simulation than twice the float32 simulation is (plus 1e-4), the same selected frames and top-1 answer as one of
the two, and further from fp32 than that (int8 really ran). Skipped without a built converter or library.
"""

import copy
import os
import sys

import numpy as np
import pytest

from conftest import Fixture  # noqa: F401  (fixture comes from conftest)
from test_gguf_listing import REPO, inputs_of, run as run_converter

sys.path.insert(0, os.path.join(REPO, "tools", "python"))
sys.path.insert(0, os.path.join(REPO, "tools", "reference"))
import int8_eval  # noqa: E402
from vdref import int8  # noqa: E402


def runtime_model(path):
    try:
        import videodistill
        return videodistill.Model(path, threads=1)
    except OSError as e:
        pytest.skip(f"libvideodistill.so is not built: {e}")


@pytest.mark.parametrize("keep", [None, int8.FAST_KEEP_F32, []], ids=["default-policy", "fast", "all-int8"])
def test_runtime_int8_is_the_simulated_scheme(fixture, tmp_path, keep):
    out = tmp_path / "model.gguf"
    args = inputs_of(fixture) + ["-o", str(out), "--type", "int8"]
    if keep is not None:
        args += ["--keep-f32", "fast" if keep == int8.FAST_KEEP_F32 else ",".join(keep) or "none"]
    r = run_converter(args)
    assert r.returncode == 0, r.stderr
    model = int8_eval.onnx_model(*inputs_of(fixture))
    pixels = fixture.npy("pixels")[None]
    ids = fixture.npy("token_ids")
    questions = fixture.json("questions")
    ref = int8_eval.run(model, pixels, ids)
    names = int8.int8_names(model.cfg, len(model.answers), keep)
    sim32, sim64 = copy.deepcopy(model), copy.deepcopy(model).double()
    int8.quantize_model(sim32, names)
    int8.quantize_model(sim64, names)
    sim32 = int8_eval.run(sim32, pixels, ids)
    sim64 = int8_eval.run(sim64, pixels.astype(np.float64), ids)
    got = int8_eval.runtime_run(str(out), pixels, questions, threads=1)

    assert any((got["selected"] == s["selected"]).all() for s in (sim32, sim64))
    assert any((got["qa_logits"].argmax(1) == s["qa_logits"].argmax(1)).all() for s in (sim32, sim64))
    # The default keeps the frame encoder and the selection path fp32: int8 starts after the selection.
    int8_keys = ("v_star", "qa_logits") if keep is None else ("selection_logits", "v_star", "qa_logits")
    for key in ("selection_logits", "v_star", "qa_logits"):
        ambiguity = np.abs(sim32[key] - sim64[key]).max()
        to_sim = np.abs(got[key] - sim64[key]).max()
        assert to_sim <= 2 * ambiguity + 1e-4, (key, to_sim, ambiguity)
        if key in int8_keys:
            assert np.abs(got[key] - ref[key]).max() > max(to_sim, 1e-3), key  # int8 really ran
        else:
            assert np.abs(got[key] - ref[key]).max() <= 1e-4 * max(1.0, np.abs(ref[key]).max()), key  # fp32 there
