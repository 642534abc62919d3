"""Encoded-video files and tokens through the Python package: Video.save / Model.load_video in each precision,
Video.tokens (a view, no copy, for a video in memory), Model.video_from_tokens, and the errors. The float32 file's
answers equal the in-memory video's (which test_binding checks against ONNX Runtime); the compact ones stay
within SPEC 8's int8 gate of them."""

import os

import numpy as np
import pytest

from conftest import requires_library

pytestmark = requires_library


def _vd():
    import videodistill
    return videodistill


def _cos(a, b):
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def test_files_answer_as_memory(fixture, tmp_path):
    vd = _vd()
    model = vd.Model(fixture.model_path)
    video = model.encode_frames(fixture.npy("video"))
    questions = fixture.json("questions")
    sizes = {}
    for precision in vd.PRECISIONS:
        path = tmp_path / f"v-{precision}.vdv"
        video.save(path, precision)
        sizes[precision] = os.path.getsize(path)
        with model.load_video(path) as loaded:
            assert loaded.precision == precision
            assert loaded.source_frames.tolist() == video.source_frames.tolist()
            F, H, W, _ = fixture.npy("video").shape
            assert loaded.source_size == video.source_size == (F, W, H)
            for q in questions:
                a, b = model.answer(video, q), model.answer(loaded, q)
                if precision == "float32":
                    assert np.array_equal(a.v_star, b.v_star) and np.array_equal(a.logits, b.logits)
                else:
                    assert _cos(a.v_star, b.v_star) >= 0.99
                    assert a.selected_frames.tolist() == b.selected_frames.tolist() and a.answers[0] == b.answers[0]
    assert sizes["float16"] < sizes["float32"] and sizes["int8"] < sizes["float16"]


def test_tokens_are_a_view_and_come_back(fixture):
    vd = _vd()
    model = vd.Model(fixture.model_path)
    video = model.encode_pixels(fixture.npy("pixels"))
    t = video.tokens
    assert t.dtype == np.float32 and t.shape == fixture.npy("tokens").shape and not t.flags.writeable
    assert np.shares_memory(t, video.tokens)   # the video's own memory, not a copy
    assert np.abs(t - fixture.npy("tokens")).max() <= 1e-4 * max(1, np.abs(fixture.npy("tokens")).max())
    again = model.video_from_tokens(t)
    assert video.source_size is None and again.source_size is None   # from pixels, from tokens: unknown
    q = fixture.json("questions")[0]
    assert np.array_equal(model.answer(again, q).v_star, model.answer(video, q).v_star)
    del video
    assert np.isfinite(t).all()   # the array keeps the video alive
    with pytest.raises(vd.InvalidArgumentError):
        model.video_from_tokens(t[:-1])
    bad = np.array(t)
    bad[0, 0, 0] = np.nan
    with pytest.raises(vd.NonFiniteError):
        model.video_from_tokens(bad)


def test_errors(converted, tmp_path):
    vd = _vd()
    a, b = vd.Model(converted["tiny_a"].model_path), vd.Model(converted["tiny_b"].model_path)
    video = a.encode_pixels(converted["tiny_a"].npy("pixels"))
    path = tmp_path / "a.vdv"
    video.save(path)
    with pytest.raises(vd.WrongModelError):
        b.load_video(path)
    with pytest.raises(vd.IOError):
        a.load_video(tmp_path / "missing.vdv")
    (tmp_path / "junk.vdv").write_bytes(b"\0" * 4096)
    with pytest.raises(vd.VideoFileError):
        a.load_video(tmp_path / "junk.vdv")
    whole = path.read_bytes()
    (tmp_path / "cut.vdv").write_bytes(whole[: len(whole) // 2])
    with pytest.raises(vd.VideoFileError):
        a.load_video(tmp_path / "cut.vdv")
    with pytest.raises(ValueError):
        video.save(path, "float64")
    video.close()
    video.close()   # twice is fine


def test_explain_gives_every_head(fixture):
    vd = _vd()
    model = vd.Model(fixture.model_path)
    video = model.encode_pixels(fixture.npy("pixels"))
    q = fixture.json("questions")[0]
    a, e = model.answer(video, q), model.explain(video, q)
    assert np.array_equal(a.v_star, e.v_star) and e.answers == a.answers[:1]
    assert e.match_score == np.float32(model.match(video, q)) and e.similarity == np.float32(model.similarity(video, q))


def _example(name="example_0.mp4"):
    return os.path.join(os.path.dirname(__file__), "..", "..", "..", "examples", "videos", name)


def _shipped_model():
    return os.path.join(os.path.dirname(__file__), "..", "..", "..", "examples", "models", "shapesqa.gguf")


def test_encode_video_progress_and_batch():
    vd = _vd()
    if not vd._L.has_video_files:
        pytest.skip("libvideodistill_video.so not loaded")
    with vd.Model(_shipped_model()) as model:
        calls = []
        video = model.encode_video(_example(), progress=lambda done, total: calls.append((done, total)))
        assert calls and calls[-1][0] == calls[-1][1] and all(0 < d <= t for d, t in calls)

        class Stop(Exception):
            pass

        def stop(done, total):
            raise Stop()
        with pytest.raises(Stop):
            model.encode_video(_example(), progress=stop)
        paths = [_example(f"example_{i}.mp4") for i in range(3) if os.path.exists(_example(f"example_{i}.mp4"))]
        batch = model.encode_videos(paths, workers=2)
        q = "what colour is the shape that flashed?"
        for p, v in zip(paths, batch):
            assert np.array_equal(v.tokens, model.encode_video(p).tokens)
        assert np.array_equal(model.answer(batch[0], q).v_star, model.answer(video, q).v_star)
        with pytest.raises(vd.NotFoundError):
            model.encode_videos([paths[0], "no-such-video.mp4"])
