"""The Python binding against the ONNX Runtime fixtures, and every error class of the C boundary."""

import os
import shutil
import threading

import numpy as np
import pytest
from conftest import requires_library, tolerance

pytestmark = requires_library


def _vd():
    import videodistill
    return videodistill


def test_model_config_matches_fixture(fixture):
    model = _vd().Model(fixture.model_path)
    cfg = fixture.json("config")
    for key, value in cfg.items():
        if isinstance(value, list):
            assert np.allclose(model.config[key], value)
        elif isinstance(value, float):
            assert abs(model.config[key] - value) <= 1e-6 * abs(value)
        else:
            assert model.config[key] == value, key
    assert model.answers == fixture.json("answers")
    assert model.heads == ["qa", "vtm", "cl"]
    assert model.weight_type == "f32"


def test_answers_match_onnx_runtime(fixture):
    vd = _vd()
    model = vd.Model(fixture.model_path, threads=2)
    video = model.encode_pixels(fixture.npy("pixels"))
    for q, question in enumerate(fixture.json("questions")):
        r = model.answer(video, question, top_k=len(model.answers))
        ref = fixture.npy("qa_logits")[q]
        assert np.abs(r.logits - ref).max() <= tolerance(ref)
        assert model.answers[int(ref.argmax())] == r.answers[0]
        assert r.selected_samples.tolist() == fixture.npy("selected")[q].tolist()
        assert r.selected_frames.tolist() == r.selected_samples.tolist()  # pixels: frame n is sample n
        for key in ("selection_logits", "v_star", "fs_gates", "vr_gates"):
            ref = fixture.npy(key)[q]
            assert np.abs(getattr(r, key) - ref).max() <= tolerance(ref), key
        logits = fixture.npy("qa_logits")[q].astype(np.float64)
        p = np.exp(logits - logits.max())
        p /= p.sum()
        assert np.allclose(np.sort(p)[::-1], r.probabilities, atol=1e-5)
        assert np.allclose(r.selection_probabilities.sum(axis=0), 1.0, atol=1e-5)
        assert abs(model.similarity(video, question) - fixture.npy("cl_sim")[q]) <= 1e-4


def test_encode_frames_matches_pixels_path(fixture):
    model = _vd().Model(fixture.model_path)
    video = model.encode_frames(fixture.npy("video"))
    assert video.source_frames.tolist() == fixture.npy("source_frames").tolist()
    question = fixture.json("questions")[0]
    r = model.answer(video, question)
    ref = fixture.npy("qa_logits")[0]
    assert np.abs(r.logits - ref).max() <= 10 * tolerance(ref)  # pixels within 1e-4 of the fixture's
    assert r.selected_samples.tolist() == fixture.npy("selected")[0].tolist()
    src = fixture.npy("source_frames")
    assert r.selected_frames.tolist() == src[fixture.npy("selected")[0]].tolist()


def test_multiple_choice_and_match(fixture):
    model = _vd().Model(fixture.model_path)
    video = model.encode_pixels(fixture.npy("pixels"))
    scores, gaps = fixture.npy("mc_scores"), fixture.npy("mc_gap")
    for q, (question, cands) in enumerate(zip(fixture.json("questions"), fixture.json("mc_candidates"))):
        best, got = model.choose(video, question, cands)
        assert np.abs(got - scores[q]).max() <= 1e-4
        if gaps[q] > 1e-3:
            assert best == int(scores[q].argmax())
        assert abs(model.match(video, question + " " + cands[0]) - scores[q][0]) <= 1e-4


def test_multiple_choice_over_videos(fixture, converted):
    vd = _vd()
    model = vd.Model(fixture.model_path)
    video = model.encode_pixels(fixture.npy("pixels"))
    S = model.config["image_size"]
    grey = model.encode_frames(np.full((1, S, S, 3), 128, np.uint8))
    scores = fixture.npy("mc_scores")
    for q, (question, cands) in enumerate(zip(fixture.json("questions"), fixture.json("mc_candidates"))):
        text = question + " " + cands[0]
        best, got = model.choose_video([grey, video, video], text)
        assert abs(got[1] - scores[q][0]) <= 1e-4 and got[2] == got[1]   # ONNX Runtime's score of this video
        assert got[0] == np.float32(model.match(grey, text))
        assert best == (0 if got[0] > got[1] else 1)                       # the first of the tied pair
    with pytest.raises(vd.InvalidArgumentError):
        model.choose_video([], "q")
    other = vd.Model(converted["tiny_b" if fixture.name == "tiny_a" else "tiny_a"].model_path)
    with pytest.raises(vd.WrongModelError):
        model.choose_video([video, other.encode_pixels(np.zeros((other.config["num_frames"], 3, other.config["image_size"],
                                                                  other.config["image_size"]), np.float32))], "q")


def test_uniform_selection(fixture):
    model = _vd().Model(fixture.model_path)
    cfg = fixture.json("config")
    N, K = cfg["num_frames"], cfg["num_selected"]
    uniform = [(2 * k + 1) * N // (2 * K) for k in range(K)]   # the paper's evenly spaced frames (SPEC 1's rule)
    assert model.uniform_selection() == uniform
    video = model.encode_pixels(fixture.npy("pixels"))
    r = model.answer(video, fixture.json("questions")[0], selection=model.uniform_selection())
    assert r.selected_samples.tolist() == uniform


def test_tokenize_matches_fixture(fixture):
    model = _vd().Model(fixture.model_path)
    for q, question in enumerate(fixture.json("questions")):
        assert model.tokenize(question).tolist() == fixture.npy("token_ids")[q].tolist()


def test_errors_carry_runtime_messages(fixture, tmp_path, converted):
    vd = _vd()
    with pytest.raises(vd.IOError, match="no-such"):
        vd.Model(str(tmp_path / "no-such.gguf"))
    bad = tmp_path / "bad.gguf"
    bad.write_bytes(b"GGUF" + b"\x00" * 60)
    with pytest.raises(vd.ModelFileError):
        vd.Model(str(bad))
    with open(fixture.model_path, "rb") as f:
        head = f.read(4096)
    (tmp_path / "cut.gguf").write_bytes(head)
    with pytest.raises(vd.ModelFileError):
        vd.Model(str(tmp_path / "cut.gguf"))

    model = vd.Model(fixture.model_path)
    video = model.encode_pixels(fixture.npy("pixels"))
    with pytest.raises(vd.InvalidTextError):
        model.answer(video, b"bad \xff\xfe utf-8")
    with pytest.raises(vd.InvalidArgumentError):
        model.answer(video, "q", top_k=0)
    pixels = fixture.npy("pixels").copy()
    pixels[0, 0, 0, 0] = np.nan
    with pytest.raises(vd.NonFiniteError):
        model.encode_pixels(pixels)
    with pytest.raises(vd.InvalidArgumentError):
        model.encode_pixels(fixture.npy("pixels")[:-1])  # N - 1 frames
    with pytest.raises(ValueError):
        model.encode_frames(np.zeros((2, 4, 4), dtype=np.uint8))
    with pytest.raises(vd.InvalidArgumentError):
        model.encode_frames(np.zeros((0, 4, 4, 3), dtype=np.uint8))
    other = vd.Model(converted["tiny_b" if fixture.name == "tiny_a" else "tiny_a"].model_path)
    with pytest.raises(vd.WrongModelError):
        other.answer(video, "q")
    # Over-long and empty text are fine (truncated / [SOT, EOT]).
    model.answer(video, "word " * 500)
    model.answer(video, "")


def test_concurrent_answers_equal_sequential(fixture):
    model = _vd().Model(fixture.model_path)
    video = model.encode_pixels(fixture.npy("pixels"))
    questions = fixture.json("questions")
    expected = [model.answer(video, q).logits for q in questions]
    results, errors = {}, []

    def worker(t):
        try:
            for i in range(10):
                q = (t + i) % len(questions)
                results[(t, i)] = (q, model.answer(video, questions[q]).logits)
        except Exception as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    for q, logits in results.values():
        assert np.array_equal(logits, expected[q])


def test_selection_override(fixture):
    model = _vd().Model(fixture.model_path)
    video = model.encode_pixels(fixture.npy("pixels"))
    question = fixture.json("questions")[0]
    learned = model.answer(video, question)
    uniform = model.uniform_selection()
    r = model.answer(video, question, selection=uniform)
    assert r.selected_samples.tolist() == uniform
    assert np.array_equal(r.selection_logits, learned.selection_logits)  # logits are still the model's
    same = model.answer(video, question, selection=learned.selected_samples.tolist())
    assert np.array_equal(same.logits, learned.logits)
    N = model.config["num_frames"]
    with pytest.raises(_vd().InvalidArgumentError):
        model.answer(video, question, selection=[N] + uniform[1:])


def test_encode_video_gives_the_commands_answer(tmp_path):
    """The same video file through Model.encode_video and through the command: the same frames, answer and
    probabilities (both decode with the runtime's video library)."""
    import json
    import subprocess
    from conftest import ROOT, _binary
    vd = _vd()
    cli = _binary("videodistill-cli")
    if cli is None or not vd._L.has_video_files:
        pytest.skip("needs the built command and libvideodistill_video.so (swift build)")
    model_path = os.path.join(ROOT, "examples", "models", "shapesqa.gguf")
    video_path = os.path.join(ROOT, "examples", "videos", "example_0.mp4")
    with open(os.path.join(ROOT, "examples", "videos", "example_0.question.txt"), encoding="utf-8") as f:
        question = f.read().strip()
    model = vd.Model(model_path, threads=2)
    video = model.encode_video(video_path)
    assert video.info["frame_count"] == 64 and video.replaced == []
    if shutil.which("ffprobe"):   # each frame's time as ffprobe reads it
        times = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v", "-show_entries", "frame=pts_time",
                                "-of", "csv=p=0", video_path], check=True, capture_output=True, text=True).stdout.split()
        times = [float(t.strip(",")) for t in times]
        assert np.allclose(video.source_seconds, [times[i] - times[0] for i in video.source_frames], atol=1e-6)
    r = model.answer(video, question, top_k=len(model.answers))
    out = json.loads(subprocess.run([cli, "answer", "--model", model_path, "--video", video_path, "--question",
                                     question, "--json", "--threads", "2"], check=True, capture_output=True).stdout)
    assert out["frames"]["sampled_frames"] == video.source_frames.tolist()
    assert out["selected_frames"] == r.selected_frames.tolist()
    assert [t["answer"] for t in out["top"]][:3] == r.answers[:3]
    assert np.allclose([t["probability"] for t in out["top"]], r.probabilities[:len(out["top"])], atol=1e-6)

    with pytest.raises(vd.NotFoundError, match="nothing.mp4"):
        model.encode_video(str(tmp_path / "nothing.mp4"))
    (tmp_path / "junk.mp4").write_bytes(b"not a video")
    with pytest.raises(vd.UndecodableError):
        model.encode_video(str(tmp_path / "junk.mp4"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(vd.NoFramesError):
        model.encode_video(str(tmp_path / "empty"))


def test_compute_info_and_the_vd_isa_cap():
    """compute_info names this process's paths; VD_ISA (read once per process, so in a child) caps them: avx2 is the
    path of CPUs without VNNI, whose int8 layers quantize activations to [-64, 64] only with VD_INT8_NARROW=1."""
    import json
    import subprocess
    import sys

    info = _vd().compute_info()
    assert _vd()._L.vd_get_compute_info(None) == 1   # VD_ERR_NULL_POINTER, no crash
    assert info["kernels"] in ("avx512", "avx2", "scalar") and info["blas_core"]
    assert info["int8"] in ("avx512-vnni", "avx-vnni", "avx2", "scalar")
    narrow = os.environ.get("VD_INT8_NARROW") == "1"
    assert info["int8_activation_max"] == (64 if info["int8"] == "avx2" and narrow else 127)
    assert info["isa_cap"] == os.environ.get("VD_ISA") or os.environ.get("VD_ISA") not in ("scalar", "avx2", "avx512")
    child = "import json, videodistill; print(json.dumps(videodistill.compute_info()))"
    for isa, narrow, want in [("scalar", "1", ("scalar", "scalar", 127)), ("avx2", "0", ("avx2", "avx2", 127)),
                              ("avx2", "1", ("avx2", "avx2", 64))]:
        if isa == "avx2" and info["kernels"] == "scalar":
            continue   # a CPU without AVX2 cannot be capped up to it
        env = dict(os.environ, VD_ISA=isa, VD_INT8_NARROW=narrow)
        r = subprocess.run([sys.executable, "-c", child], capture_output=True, text=True, env=env)
        assert r.returncode == 0, r.stderr
        got = json.loads(r.stdout)
        assert (got["kernels"], got["int8"], got["int8_activation_max"], got["isa_cap"]) == want + (isa,)
