"""The `videodistill` command end to end: a fixture converted by convert-weights, its video encoded by the
`ffmpeg` command (losslessly, so the decoded frames are the fixture's), and the command's JSON against ONNX
Runtime's outputs in the fixture (top-1 answer, selected frames, multiple-choice winner), plus its exit
statuses for a missing file, an undecodable video, a bad model, a bad question and a bad command line.

Needs the built binaries (`swift build`; or $VIDEODISTILL and $CONVERT_WEIGHTS) and the ffmpeg command;
skipped with a message when they are missing.
"""

import json
import os
import subprocess

import numpy as np
import pytest

from vdref.testing import FIXTURE_NAMES, UINT8_PATH_FACTOR, Fixture, built, encode, run, tolerance

EXIT = {"ok": 0, "usage": 2, "missing": 3, "undecodable": 4, "bad_model": 5, "bad_question": 6}


class Case:
    """One fixture: its model file and its video as the command reads it."""

    def __init__(self, name, tmp, ffmpeg):
        self.fx = Fixture(name)
        self.model = str(tmp / f"{name}.gguf")
        conv = built("CONVERT_WEIGHTS", ["convert-weights"])
        r = subprocess.run([conv, self.fx.path("frame_encoder.onnx"), self.fx.path("answerer.onnx"), "-o", self.model],
                           capture_output=True, text=True, timeout=300)
        assert r.returncode == 0, r.stderr
        self.frames = self.fx.npy("video")
        self.lossless = encode(ffmpeg, self.frames, tmp / f"{name}.mkv", ["-c:v", "ffv1"])
        self.lossless_mp4 = encode(ffmpeg, self.frames, tmp / f"{name}.mp4", ["-c:v", "libx264rgb", "-qp", "0"])
        self.questions = self.fx.json("questions")
        self.answers = self.fx.json("answers")


@pytest.fixture(scope="module", params=FIXTURE_NAMES)
def case(request, tmp_path_factory, ffmpeg, cli):
    return Case(request.param, tmp_path_factory.mktemp(request.param), ffmpeg)


def run_json(cli, *args, env=None):
    r = run(cli, *args, "--json", env=env)
    assert r.returncode == 0, r.stderr.decode(errors="replace")
    return json.loads(r.stdout)


def test_answer_matches_onnx_runtime(cli, case):
    source = case.fx.npy("source_frames").tolist()
    qa, selected = case.fx.npy("qa_logits"), case.fx.npy("selected")
    for q, question in enumerate(case.questions):
        out = run_json(cli, "answer", "--model", case.model, "--video", case.lossless, "--question", question,
                       "--threads", 2, "--top-k", 3)
        assert out["answer"] == case.answers[int(np.argmax(qa[q]))], (case.fx.name, q)
        assert out["frames"]["frame_count"] == case.frames.shape[0]
        assert out["frames"]["sampled_frames"] == source
        assert out["selected"] == selected[q].tolist()
        assert out["selected_frames"] == [source[k] for k in selected[q]]
        got = np.array(out["qa_logits"], dtype=np.float32)
        assert np.abs(got - qa[q]).max() <= UINT8_PATH_FACTOR * tolerance(qa[q])
        assert [a["answer"] for a in out["top"]][0] == out["answer"] and len(out["top"]) == 3
        assert abs(sum(out["probabilities"]) - 1) < 1e-6
        sel = np.array(out["selection_logits"], dtype=np.float32)
        ref = case.fx.npy("selection_logits")[q]
        assert sel.shape == ref.shape
        assert np.abs(sel - ref).max() <= UINT8_PATH_FACTOR * tolerance(ref)


def test_several_questions_from_one_encode(cli, case, tmp_path):
    """--question more than once (or --questions FILE): one report per question, in order, each what the question
    alone gives (whose answers the test above checks against ONNX Runtime); choose and explain take one."""
    qs = case.questions
    alone = [run_json(cli, "answer", "-m", case.model, "-v", case.lossless, "-q", q, "--threads", 1) for q in qs]
    both = run_json(cli, "answer", "-m", case.model, "-v", case.lossless, *[a for q in qs for a in ("-q", q)],
                    "--threads", 1)
    assert isinstance(both, list) and both == alone
    lines = [i for i, q in enumerate(qs) if q.strip() and "\n" not in q]   # a file line cannot be blank
    (tmp_path / "qs.txt").write_text("\n".join(qs[i] for i in lines) + "\n\n")
    assert run_json(cli, "answer", "-m", case.model, "-v", case.lossless, "--questions", tmp_path / "qs.txt",
                    "--threads", 1) == [alone[i] for i in lines]
    text = run(cli, "answer", "-m", case.model, "-v", case.lossless, "-q", qs[0], "-q", qs[-1]).stdout.decode()
    assert text.count("question: ") == 2 and text.count("answer: ") == 2
    r = run(cli, "choose", "-m", case.model, "-v", case.lossless, "-q", qs[0], "-q", qs[-1], "--candidates", "a", "b")
    assert r.returncode == EXIT["usage"] and b"one question" in r.stderr
    (tmp_path / "blank.txt").write_text("\n \n")
    assert run(cli, "answer", "-m", case.model, "-v", case.lossless, "--questions", tmp_path / "blank.txt").returncode \
        == EXIT["bad_question"]


def test_choose_matches_onnx_runtime(cli, case):
    cands, scores = case.fx.json("mc_candidates"), case.fx.npy("mc_scores")
    for q, question in enumerate(case.questions):
        out = run_json(cli, "choose", "-m", case.model, "-v", case.lossless_mp4, "-q", question, "--candidates", *cands[q])
        assert out["winner"] == int(np.argmax(scores[q])), (case.fx.name, q)
        assert out["answer"] == cands[q][out["winner"]]
        got = np.array([c["score"] for c in out["candidates"]], dtype=np.float32)
        assert np.abs(got - scores[q]).max() <= UINT8_PATH_FACTOR * tolerance(scores[q])
        assert [c["text"] for c in out["candidates"]] == [question + " " + c for c in cands[q]]


def test_info(cli, case):
    out = run_json(cli, "info", "--model", case.model)
    want = case.fx.json("config")
    assert sorted(out["config"]) == sorted(want)
    for key, value in want.items():   # float values went through float32
        assert np.allclose(out["config"][key], value, rtol=1e-6, atol=0), key
    assert out["answers"] == case.answers and out["answer_count"] == len(case.answers)
    assert out["heads"] == ["qa", "vtm", "cl"]
    assert out["weight_type"] == "f32"
    assert out["merge_count"] == 48894
    text = run(cli, "info", "--model", case.model)
    assert text.returncode == 0 and b"heads:" in text.stdout
    assert "vd_isa" not in out["compute"] or os.environ.get("VD_ISA")


def test_vd_isa_caps_the_kernels(cli, case):
    """VD_ISA=avx2 runs this machine as an AVX2 CPU without VNNI would (benchmarks, tests), scalar as one without
    SIMD; the answer stays within the runtime's tolerance either way; an unknown name changes nothing."""
    cpu = open("/proc/cpuinfo").read().split()
    best = run_json(cli, "info", "--model", case.model)["compute"]
    question, want = case.questions[0], run_json(cli, "answer", "-m", case.model, "-v", case.lossless, "-q", case.questions[0])
    for isa, kernels, int8 in [("scalar", "scalar", "scalar"), ("avx2", "avx2", "avx2")]:
        if isa == "avx2" and not ("avx2" in cpu and "fma" in cpu):
            continue
        env = dict(os.environ, VD_ISA=isa)
        out = run_json(cli, "info", "--model", case.model, env=env)["compute"]
        assert (out["kernels"], out["int8"], out["vd_isa"]) == (kernels, int8, isa)
        got = run_json(cli, "answer", "-m", case.model, "-v", case.lossless, "-q", question, env=env)
        assert (got["answer"], got["selected"], got["frames"]) == (want["answer"], want["selected"], want["frames"])
        for key in ("qa_logits", "selection_logits"):   # other kernels, same numbers within SPEC 8's fp32 tolerance
            ref = np.array(want[key], dtype=np.float32)
            assert np.abs(np.array(got[key], dtype=np.float32) - ref).max() <= tolerance(ref), (isa, key)
    out = run_json(cli, "info", "--model", case.model, env=dict(os.environ, VD_ISA="avx1024"))["compute"]
    assert out == best


def test_other_inputs_give_the_same_answer(cli, case, ffmpeg, tmp_path):
    """A PNG folder and a question file give the lossless answer; a lossy yuv420p mp4 (the acceptance
    case: even sizes for 4:2:0) answers from the same frames."""
    question = case.questions[0]
    want = run_json(cli, "answer", "-m", case.model, "-v", case.lossless, "-q", question)
    folder = tmp_path / "frames"
    folder.mkdir()
    encode(ffmpeg, case.frames, folder / "img%d.png", ["-start_number", "8"])   # img8 ... img16: numeric order
    (tmp_path / "q.txt").write_bytes(question.encode() + b"\n")
    got = run_json(cli, "answer", "-m", case.model, "-v", folder, "--question-file", tmp_path / "q.txt")
    assert got == want
    F, H, W, _ = case.frames.shape
    lossy = encode(ffmpeg, case.frames, tmp_path / "yuv.mp4", ["-vf", "pad=ceil(iw/2)*2:ceil(ih/2)*2", "-c:v", "libx264",
                                                                "-pix_fmt", "yuv420p"])
    out = run_json(cli, "answer", "-m", case.model, "-v", lossy, "-q", question)
    assert out["answer"] in case.answers
    assert out["frames"]["sampled_frames"] == want["frames"]["sampled_frames"]
    text = run(cli, "answer", "-m", case.model, "-v", lossy, "-q", question)
    assert text.returncode == 0 and text.stdout.decode().startswith("answer: ")


def test_progress_bar_only_when_asked(cli, case):
    quiet = run(cli, "answer", "-m", case.model, "-v", case.lossless, "-q", "")
    assert quiet.returncode == 0 and quiet.stderr == b""
    shown = run(cli, "answer", "-m", case.model, "-v", case.lossless, "-q", "", "--progress")
    assert shown.returncode == 0 and b"decoding [" in shown.stderr and b"encoding [" in shown.stderr


@pytest.mark.parametrize("name", FIXTURE_NAMES[:1])
def test_exit_statuses(cli, ffmpeg, tmp_path_factory, name):
    c = Case(name, tmp_path_factory.mktemp("exits"), ffmpeg)
    tmp = tmp_path_factory.mktemp("bad")
    # Fixed noise: unseeded noise is, about once in a few hundred draws, a raw H.263 stream libav decodes one frame
    # of (seen in CI: 128 x 96, exit 0), which is a video, not a corrupt one.
    (tmp / "corrupt.mp4").write_bytes(np.random.default_rng(7).bytes(50_000))
    (tmp / "notes.txt").write_text("not a video")
    (tmp / "garbage.gguf").write_bytes(b"GGUF" + np.random.default_rng(8).bytes(1000))
    truncated = tmp / "truncated.gguf"
    truncated.write_bytes(open(c.model, "rb").read()[:100_000])
    empty_folder = tmp / "empty"
    empty_folder.mkdir()
    missing = tmp / "missing"

    def status(*args, stdin=None):
        r = run(cli, *args, stdin=stdin)
        if r.returncode != 0:
            assert r.stderr.strip(), args   # every failure says why
        return r.returncode

    base = ["answer", "-m", c.model, "-q", "what?"]
    assert status(*base, "-v", c.lossless) == EXIT["ok"]
    assert status(*base, "-v", missing / "video.mp4") == EXIT["missing"]
    assert status("answer", "-m", missing / "m.gguf", "-v", c.lossless, "-q", "x") == EXIT["missing"]
    assert status("info", "-m", missing / "m.gguf") == EXIT["missing"]
    assert status(*base, "-v", tmp / "corrupt.mp4") == EXIT["undecodable"]
    assert status(*base, "-v", tmp / "notes.txt") == EXIT["undecodable"]
    assert status(*base, "-v", empty_folder) == EXIT["undecodable"]
    for bad in ["garbage.gguf", "truncated.gguf", "notes.txt"]:
        assert status("answer", "-m", tmp / bad, "-v", c.lossless, "-q", "x") == EXIT["bad_model"], bad
        assert status("info", "-m", tmp / bad) == EXIT["bad_model"], bad
    assert status("answer", "-m", c.model, "-v", c.lossless, "-q", b"caf\xe9?") == EXIT["bad_question"]
    assert status("answer", "-m", c.model, "-v", c.lossless, b"--question=\xff") == EXIT["bad_question"]
    assert status("choose", "-m", c.model, "-v", c.lossless, "-q", "x", "--candidates", "a", b"\xc3(") == EXIT["bad_question"]
    assert status("answer", "-m", c.model, "-v", c.lossless, "--question-file", missing / "q.txt") == EXIT["bad_question"]
    assert status("answer", "-m", c.model, "-v", c.lossless, "--question-file", "-", stdin=b"\xed\xa0\x80") == EXIT["bad_question"]
    assert status("answer", "-m", c.model, "-v", c.lossless, "--question-file", "-", stdin=b"") == EXIT["ok"]
    assert status("answer", "-m", c.model, "-q", "x") == EXIT["usage"]                        # no --video
    assert status(*base, "-v", c.lossless, "--threads", "0") == EXIT["usage"]
    assert status(*base, "-v", c.lossless, "--question-file", "x") == EXIT["usage"]           # two questions
    assert status("choose", "-m", c.model, "-v", c.lossless, "-q", "x") == EXIT["usage"]      # no candidates
    assert status("frobnicate") == EXIT["usage"]
    assert status("--help") == EXIT["ok"]
    help_text = run(cli, "--help").stdout.decode()
    for code in range(7):
        assert f"\n  {code}  " in help_text


def test_encoded_video_file_stands_in_for_the_video(cli, case, tmp_path):
    """`encode` writes an encoded-video file; `answer`, `choose` and `eval` take it for the video: a float32 file
    answers exactly as the video (whose answers the tests above check against ONNX Runtime), a compact one with the
    same answers and selections on these fixtures; a damaged file, another model's file, or one given to `explain`
    is a clear error with its exit status."""
    qs, cands = case.questions, case.fx.json("mc_candidates")
    files = {}
    for precision in ("float32", "float16", "int8"):
        files[precision] = tmp_path / f"video-{precision}.vdv"
        out = run_json(cli, "encode", "-m", case.model, "-v", case.lossless, "-o", files[precision],
                       "--precision", precision, "--threads", 1)
        assert out["bytes"] == files[precision].stat().st_size and out["precision"] == precision
        assert out["frames"]["frame_count"] == case.frames.shape[0]
        assert out["frames"]["sampled_frames"] == case.fx.npy("source_frames").tolist()
    assert files["float16"].stat().st_size <= files["float32"].stat().st_size / 2 + 4096
    want = run_json(cli, "answer", "-m", case.model, "-v", case.lossless, *[a for q in qs for a in ("-q", q)], "--threads", 1)
    for precision, path in files.items():
        got = run_json(cli, "answer", "-m", case.model, "-v", path, *[a for q in qs for a in ("-q", q)], "--threads", 1)
        for g, w in zip(got, want, strict=True):
            assert g["frames"].pop("stored_precision") == precision
            if precision == "float32":
                assert g == w
            else:
                assert (g["answer"], g["selected"], g["frames"]) == (w["answer"], w["selected"], w["frames"])
    q = 0
    chosen = run_json(cli, "choose", "-m", case.model, "-v", files["float32"], "-q", qs[q], "--candidates", *cands[q])
    direct = run_json(cli, "choose", "-m", case.model, "-v", case.lossless, "-q", qs[q], "--candidates", *cands[q])
    chosen["frames"].pop("stored_precision")
    assert chosen == direct
    rows = tmp_path / "rows.jsonl"
    rows.write_text("".join(json.dumps(dict(video=str(v), question=qs[0], answer=want[0]["answer"], category="c")) + "\n"
                            for v in (case.lossless, files["float32"])))
    ev = run_json(cli, "eval", "-m", case.model, "-d", rows)
    assert [r["predicted"]["videodistill"] for r in ev["questions"]] == [want[0]["answer"]] * 2

    good = files["float32"].read_bytes()
    damaged = {"cut": good[:len(good) // 2], "header": good[:40] + b"\xff" * 8 + good[48:],
               "fingerprint": good[:16] + bytes(b ^ 0xFF for b in good[16:24]) + good[24:]}
    for what, data in damaged.items():
        (tmp_path / f"{what}.vdv").write_bytes(data)
        r = run(cli, "answer", "-m", case.model, "-v", tmp_path / f"{what}.vdv", "-q", qs[0])
        assert r.returncode == EXIT["undecodable"], (what, r.stderr)
        assert (b"another model" if what == "fingerprint" else b"encoded-video file") in r.stderr, r.stderr
    r = run(cli, "explain", "-m", case.model, "-v", files["float32"], "-q", qs[0], "-o", tmp_path / "sheet.png")
    assert r.returncode == EXIT["usage"] and b"encoded-video file" in r.stderr
    r = run(cli, "encode", "-m", case.model, "-v", case.lossless, "-o", tmp_path / "x.vdv", "--precision", "float64")
    assert r.returncode == EXIT["usage"] and not (tmp_path / "x.vdv").exists()


def test_corpus_commands_point_to_the_python_package(cli):
    """index and ask are the Python package's (videodistill.corpus); the Swift command says so and exits 2."""
    for sub in ("index", "ask"):
        r = run(cli, sub, "--model", "m.gguf")
        assert r.returncode == EXIT["usage"] and f"python -m videodistill {sub}".encode() in r.stderr
