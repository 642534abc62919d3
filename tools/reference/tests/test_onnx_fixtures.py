"""ONNX Runtime on the committed fixtures (no torch needed: these run in CI)."""

import json

import numpy as np
import onnx
import onnxruntime as ort
import pytest

from vdref.spec_names import spec_tensors
from vdref.testing import tolerance

OUTPUTS = ["qa_logits", "vtm_logits", "cl_sim", "selection_logits", "selected", "v_star", "fs_gates", "vr_gates",
           "t_cls"]


def _session(path):
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    return ort.InferenceSession(path, opts, providers=["CPUExecutionProvider"])


def test_initializers_are_spec_names_and_shapes(fixture):
    cfg, answers = fixture.json("config"), fixture.json("answers")
    expected = spec_tensors(cfg, len(answers))
    found = {}
    for file in ("frame_encoder.onnx", "answerer.onnx"):
        for init in onnx.load(fixture.path(file)).graph.initializer:
            assert init.name not in found, f"{init.name} in both graphs"
            found[init.name] = list(init.dims)
    assert found == expected


def test_metadata(fixture):
    for file in ("frame_encoder.onnx", "answerer.onnx"):
        meta = {p.key: p.value for p in onnx.load(fixture.path(file)).metadata_props}
        assert json.loads(meta["videodistill.config"]) == fixture.json("config")
        assert json.loads(meta["videodistill.answers"]) == fixture.json("answers")


def test_graph_io_names(fixture):
    fe = onnx.load(fixture.path("frame_encoder.onnx")).graph
    assert [i.name for i in fe.input] == ["pixels"] and [o.name for o in fe.output] == ["tokens"]
    an = onnx.load(fixture.path("answerer.onnx")).graph
    assert [i.name for i in an.input] == ["tokens", "token_ids"]
    assert sorted(o.name for o in an.output) == sorted(OUTPUTS)
    assert onnx.load(fixture.path("answerer.onnx")).opset_import[0].version >= 17


def test_ort_reproduces_fixture(fixture):
    tokens = _session(fixture.path("frame_encoder.onnx")).run(None, {"pixels": fixture.npy("pixels")})[0]
    ref = fixture.npy("tokens")
    assert np.abs(tokens - ref).max() <= tolerance(ref)
    sess = _session(fixture.path("answerer.onnx"))
    names = [o.name for o in sess.get_outputs()]
    for q, ids in enumerate(fixture.npy("token_ids")):
        out = dict(zip(names, sess.run(None, {"tokens": ref, "token_ids": ids[None]})))
        for key in OUTPUTS:
            expected = fixture.npy(key)[q]
            assert out[key].shape == expected.shape, key
            assert np.abs(out[key] - expected).max() <= tolerance(expected), (key, q)


def test_selection_is_first_argmax_and_gaps(fixture):
    logits, selected = fixture.npy("selection_logits"), fixture.npy("selected")
    assert (selected == logits.argmax(axis=1)).all()
    top2 = -np.sort(-logits, axis=1)
    assert np.allclose(fixture.npy("selection_gap"), top2[:, 0] - top2[:, 1])
    assert fixture.npy("selection_gap").min() > 2e-4 * max(1.0, np.abs(logits).max())


def test_fixture_exercises_every_path(fixture):
    cfg = fixture.json("config")
    video = fixture.npy("video")
    gates = np.concatenate([fixture.npy("fs_gates").ravel(), fixture.npy("vr_gates").ravel()])
    assert gates.min() < -0.75 and gates.max() > 0.75
    assert any(len(set(s)) < len(s) for s in fixture.npy("selected").tolist())
    assert video.shape[1] != video.shape[2] and video.shape[1] % 2 == 1
    assert video.shape[0] != cfg["num_frames"]


def test_mc_scores_are_vtm_log_softmax(fixture):
    sess = _session(fixture.path("answerer.onnx"))
    names = [o.name for o in sess.get_outputs()]
    tokens, scores = fixture.npy("tokens"), fixture.npy("mc_scores")
    for q, row in enumerate(fixture.npy("mc_token_ids")):
        for c, ids in enumerate(row):
            vtm = dict(zip(names, sess.run(None, {"tokens": tokens, "token_ids": ids[None]})))["vtm_logits"]
            score = vtm[1] - np.logaddexp(vtm[0], vtm[1])
            assert abs(score - scores[q, c]) <= 1e-5


def test_token_ids_match_tokenizer(fixture):
    from vdref.tokenizer import Tokenizer
    tok = Tokenizer()
    ctx = fixture.json("config")["context_length"]
    ids = np.stack([tok.tokenize(q, ctx) for q in fixture.json("questions")])
    assert (ids == fixture.npy("token_ids")).all()
