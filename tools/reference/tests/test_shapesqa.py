"""ShapesQA generator (tools/shapesqa): determinism by seed, closed vocabulary, categories, event windows."""

import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

from shapesqa.captions import caption
from shapesqa.dataset import records
from shapesqa.render import render
from shapesqa.vocab import ANSWERS, CATEGORIES, FLASH

SHAPESQA = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shapesqa"))


def _white(frames):
    """Per frame: number of pure-white pixels (only a flash's halo is white)."""
    return (frames == np.array(FLASH, dtype=np.uint8)).all(-1).sum(axis=(1, 2))


@pytest.mark.parametrize("i", range(6))
def test_same_seed_same_video_and_questions(i):
    s1, r1 = records(0, "train", i)
    s2, r2 = records(0, "train", i)
    assert r1 == r2
    assert np.array_equal(render(s1), render(s2))
    _, r3 = records(1, "train", i)
    assert r3 != r1


def test_splits_differ():
    _, a = records(0, "train", 0)
    _, b = records(0, "test", 0)
    assert [r["answer"] for r in a] != [r["answer"] for r in b] or a[0]["seed"] != b[0]["seed"]


@pytest.mark.parametrize("i", range(20))
def test_answers_categories_and_events(i):
    scene, recs = records(0, "val", i)
    frames = render(scene)
    assert frames.shape == (64, 64, 64, 3) and frames.dtype == np.uint8
    assert {r["category"] for r in recs} == set(CATEGORIES)
    for r in recs:
        assert r["answer"] in ANSWERS
        assert set(r) >= {"video", "question", "answer", "category"}
    # the halo is white exactly during the flash window
    white = _white(frames) > 0
    start, end = scene.flash
    assert 3 <= end - start <= 5
    assert white[start:end].all() and not white[:start].any() and not white[end:].any()
    # the appearing object changes the frame exactly during its window
    a0, a1 = scene.appearance
    x, y = scene.appear.path[0].astype(int)
    assert 3 <= a1 - a0 <= 5 and (a1 <= start or end <= a0)
    needle = [r for r in recs if r["category"] == "needle"]
    assert needle and all(r["event_frames"] for r in needle)
    assert any(f"a big new {scene.appear.colour} {scene.appear.shape}" in caption(scene, f) for f in range(a0, a1))
    assert not any("a big new" in caption(scene, f) for f in range(0, a0))


def test_generate_cli_writes_jsonl_and_mp4(tmp_path):
    if shutil.which("ffmpeg") is None:
        pytest.skip("ffmpeg CLI not installed")
    out = tmp_path / "data"
    subprocess.run([sys.executable, os.path.join(SHAPESQA, "generate.py"), "--out", str(out),
                    "--train", "2", "--val", "1", "--test", "1"], check=True)
    assert json.loads((out / "answers.json").read_text()) == ANSWERS
    lines = [json.loads(x) for x in (out / "train.jsonl").read_text().splitlines()]
    assert len({r["video"] for r in lines}) == 2
    import videodistill
    video = videodistill.read_video_frames(out / lines[0]["video"], 64).frames   # N = F = 64: every frame
    scene, _ = records(0, "train", 0)
    assert video.shape == (64, 64, 64, 3)
    assert np.abs(video.astype(int) - render(scene)).mean() < 6  # lossy H.264, same picture
