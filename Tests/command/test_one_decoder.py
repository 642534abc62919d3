"""One video file, one answer, whoever asks: the `videodistill` command, the Python package (Model.encode_video),
the training pipeline (tools/shapesqa/prepare.py's cached frames, decoded by videodistill.read_video_frames) and
tools/shapesqa/evaluate.py (which reports `videodistill eval`'s numbers) give the same probability for the same
question about examples/videos/example_0.mp4 with the shipped model. All of them decode through the video library,
so the probabilities are equal to the last bit.
"""

import importlib.util
import json
import os
import subprocess
import sys

import numpy as np
import pytest

from vdref.testing import REPO

MODEL = os.path.join(REPO, "examples", "models", "shapesqa.gguf")
VIDEO = os.path.join(REPO, "examples", "videos", "example_0.mp4")
SHAPESQA = os.path.join(REPO, "tools", "shapesqa")


def evaluate_script():
    """tools/shapesqa/evaluate.py as a module (a script of the checkout, not of the shapesqa package)."""
    spec = importlib.util.spec_from_file_location("shapesqa_evaluate", os.path.join(SHAPESQA, "evaluate.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def question():
    with open(os.path.join(REPO, "examples", "videos", "example_0.question.txt"), encoding="utf-8") as f:
        return f.read().strip()


@pytest.fixture(scope="module")
def data(tmp_path_factory, question):
    """A ShapesQA data folder holding the example video once per split, as prepare.py and evaluate.py read it."""
    folder = tmp_path_factory.mktemp("data")
    os.symlink(VIDEO, folder / "example_0.mp4")
    record = {"video": "example_0.mp4", "question": question, "answer": "green", "category": "needle",
              "template": 0, "event_frames": [[0, 1]]}
    for split in ("train", "val", "test"):
        (folder / f"{split}.jsonl").write_text(json.dumps(record) + "\n")
    return folder


def test_every_caller_gives_the_same_probability(cli, data, question, tmp_path):
    import videodistill

    out = subprocess.run([cli, "answer", "--model", MODEL, "--video", VIDEO, "--question", question,
                          "--json", "--threads", "1"], capture_output=True, text=True, check=True)
    top = json.loads(out.stdout)["top"][0]
    by_command = (top["answer"], top["probability"])

    model = videodistill.Model(MODEL, threads=1)
    a = model.answer(model.encode_video(VIDEO), question, top_k=1)
    by_package = (a.answers[0], float(a.probabilities[0]))

    subprocess.run([sys.executable, os.path.join(SHAPESQA, "prepare.py"), "--data", str(data)], check=True,
                   capture_output=True)
    cached = np.load(data / "cache" / "test_frames.npy")[0]   # [N, H, W, 3], the frames training sees
    direct = videodistill.read_video_frames(VIDEO, model.config["num_frames"])
    assert np.array_equal(cached, direct.frames)
    a = model.answer(model.encode_frames(cached), question, top_k=1)
    by_training_frames = (a.answers[0], float(a.probabilities[0]))

    subprocess.run([sys.executable, os.path.join(SHAPESQA, "evaluate.py"), "--command", cli, "--data", str(data),
                    "--model", MODEL, "--split", "test", "--out", str(tmp_path / "eval.md")], check=True,
                   capture_output=True)
    report = evaluate_script().run_command(cli, MODEL, str(data / "test.jsonl"), 1)
    q = report["questions"][0]
    by_evaluate = (q["predicted"]["videodistill"], q["probability"]["videodistill"])
    summary = json.loads((tmp_path / "eval.json").read_text())
    assert summary["command"]["overall"]["accuracy"]["videodistill"] == (1.0 if by_command[0] == "green" else 0.0)

    # JSON prints doubles in full, the package's probability is a float32 widened: compare at float32.
    results = [by_command, by_package, by_training_frames, by_evaluate]
    assert len({r[0] for r in results}) == 1, results
    assert len({np.float32(r[1]) for r in results}) == 1, results


def test_read_video_frames_is_spec_1_and_the_encoder_input(question):
    """read_video_frames picks SPEC 1's frames (vd_frame_indices) and its frames encode to the very tokens
    encode_video makes (same answer to the last bit), for a model whose N differs from the file's F."""
    import videodistill

    model = videodistill.Model(MODEL, threads=1)
    N = model.config["num_frames"]
    frames = videodistill.read_video_frames(VIDEO, N)
    F = frames.info["frame_count"]
    assert list(frames.source_frames) == videodistill.frame_indices(F, N) == [((2 * n + 1) * F) // (2 * N) for n in range(N)]
    assert frames.info["replaced_frames"] == 0 and np.all(np.isfinite(frames.seconds))
    a = model.answer(model.encode_frames(frames.frames), question, top_k=3)
    b = model.answer(model.encode_video(VIDEO), question, top_k=3)
    assert a.answers == b.answers and np.array_equal(a.probabilities, b.probabilities)
    assert videodistill.uniform_selection(N, model.config["num_selected"]) == model.uniform_selection()
    with pytest.raises(videodistill.VideoDistillError, match="no such file"):
        videodistill.read_video_frames(os.path.join(REPO, "no-such-video.mp4"), N)
    with pytest.raises(videodistill.VideoDistillError):
        videodistill.read_video_frames(VIDEO, 0)


def test_the_default_model_has_every_head(cli, question):
    """The shipped model carries QA, VTM and CL (SPEC 7): `choose` scores each candidate with the VTM match score
    of `question + " " + candidate`, the same numbers the package's Model.match gives for those texts, and the
    winner is the first highest; CL's similarity of those texts is a cosine."""
    import videodistill

    candidates = ["red", "green", "blue", "yellow", "purple", "cyan"]
    out = subprocess.run([cli, "choose", "--model", MODEL, "--video", VIDEO, "--question", question,
                          "--candidates", *candidates, "--json", "--threads", "1"],
                         capture_output=True, text=True, check=True)
    report = json.loads(out.stdout)
    by_command = [c["score"] for c in report["candidates"]]
    model = videodistill.Model(MODEL, threads=1)
    assert set(model.heads) == {"qa", "vtm", "cl"}
    video = model.encode_video(VIDEO)
    by_package = [model.match(video, f"{question} {c}") for c in candidates]
    assert [np.float32(s) for s in by_command] == [np.float32(s) for s in by_package]
    assert report["answer"] == candidates[int(np.argmax(by_package))]
    sims = [model.similarity(video, f"{question} {c}") for c in candidates]
    assert all(-1.0 <= s <= 1.0 for s in sims) and len(set(sims)) > 1
