"""`videodistill eval` and `videodistill explain` end to end on the fixtures, against independent oracles.

eval: a JSON Lines file of the fixture questions whose answers are ONNX Runtime's top-1 (so the learned
column must score 100% on them), plus an answer the model cannot give, and the same frames in three files
(relative, nested and absolute paths). The blind column is checked question by question against ONNX Runtime
(the fixture's two graphs on one mid-grey (128) frame through the float64 frame pipeline), the uniform column
against the PyTorch reference (the fixture's weights rebuilt from its seed, checked against ONNX Runtime first;
SPEC 6-7 on the slots (2k+1)N div 2K of ONNX Runtime's tokens), skipped without torch: ONNX Runtime's graph
cannot be given a selection. Accuracies and the majority baseline are recounted here from the data.

explain: the PNG is decoded here (zlib + struct, all five PNG filters), its size is the reported one, grid
tiles hold the fixture's resized frames (float64 pipeline, rounded), the selected ones (ONNX Runtime's
selection) carry the outline and the others do not, and each slot tile is its frame with ONNX Runtime's last
VR gates (mean over heads) blended in as the command documents.

Needs the built binaries and the ffmpeg command (skipped otherwise), like test_cli.py.
"""

import json
import struct
import zlib

import numpy as np
import onnxruntime as ort
import pytest

from vdref.frames import preprocess_f64
from vdref.testing import FIXTURE_NAMES, UINT8_PATH_FACTOR, Fixture, built, encode, run, tolerance

EXIT = {"ok": 0, "other": 1, "usage": 2, "missing": 3, "undecodable": 4, "bad_model": 5, "bad_question": 6}
OUTLINE, BACKGROUND = (255, 210, 0), (24, 24, 24)
POSITIVE, NEGATIVE, MAX_ALPHA = (255, 48, 0), (0, 96, 255), 0.75


class Case:
    """A fixture's model file, its video three times over, an eval file, and the reference outputs."""

    def __init__(self, name, tmp, ffmpeg):
        self.fx = fx = Fixture(name)
        self.model = str(tmp / f"{name}.gguf")
        r = run(built("CONVERT_WEIGHTS", ["convert-weights"]), fx.path("frame_encoder.onnx"), fx.path("answerer.onnx"),
                "-o", self.model)
        assert r.returncode == 0, r.stderr
        frames = fx.npy("video")
        (tmp / "sub").mkdir()
        self.video = encode(ffmpeg, frames, tmp / "video.mkv", ["-c:v", "ffv1"])
        encode(ffmpeg, frames, tmp / "sub" / "same.mp4", ["-c:v", "libx264rgb", "-qp", "0"])
        absolute = encode(ffmpeg, frames, tmp / "abs.mkv", ["-c:v", "ffv1"])
        self.cfg, self.answers, self.questions = fx.json("config"), fx.json("answers"), fx.json("questions")
        self.ort_top = [self.answers[i] for i in fx.npy("qa_logits").argmax(1)]
        videos = ["video.mkv", "sub/same.mp4", absolute]
        self.rows = [dict(video=videos[q % 3], question=question, answer=self.ort_top[q],
                          category=["alpha", "beta"][q % 2], extra=[q]) for q, question in enumerate(self.questions)]
        self.rows.append(dict(video="sub/../video.mkv", question=self.questions[0], answer="not an answer", category="beta"))
        self.data = tmp / "test.jsonl"
        self.data.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in self.rows) + "\n\n", encoding="utf-8")
        N, K = self.cfg["num_frames"], self.cfg["num_selected"]
        self.uniform_selection = [(2 * k + 1) * N // (2 * K) for k in range(K)]
        self.blind_logits = self.onnx_blind()

    def onnx_blind(self):
        """ONNX Runtime: the fixture's graphs on one mid-grey frame; QA logits per question."""
        S = self.cfg["image_size"]
        _, grey = preprocess_f64(np.full((1, S, S, 3), 128, np.uint8), self.cfg)
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = 1
        frames, answerer = (ort.InferenceSession(self.fx.path(f), opts, providers=["CPUExecutionProvider"])
                            for f in ("frame_encoder.onnx", "answerer.onnx"))
        tokens = frames.run(["tokens"], {"pixels": grey.astype(np.float32)})[0]
        return np.stack([answerer.run(["qa_logits"], {"tokens": tokens, "token_ids": ids[None]})[0].reshape(-1)
                         for ids in self.fx.npy("token_ids")])

    def torch_uniform(self):
        """PyTorch: the fixture's model rebuilt from its seed; QA logits per question on the uniform slots."""
        import torch
        from vdref.model import VideoDistill, init_random
        fx = self.fx
        seed = fx.json("seed")["seed"]
        torch.manual_seed(seed)
        model = init_random(VideoDistill(self.cfg, self.answers).eval(), seed)
        tokens = torch.from_numpy(fx.npy("tokens"))
        ids = torch.from_numpy(fx.npy("token_ids"))
        Q = len(ids)
        with torch.no_grad():
            t = model.encode_text(ids)
            learned = model.answer(tokens.expand(Q, *tokens.shape), t)["qa_logits"].numpy()
            ref = fx.npy("qa_logits")
            assert np.abs(learned - ref).max() <= tolerance(ref), "the rebuilt reference is not the fixture's model"
            chosen = tokens[self.uniform_selection, 1:][None].expand(Q, -1, -1, -1)
            v_star, _ = model.vr(model.input_proj(chosen), t)
            return model.heads.qa(v_star).numpy()


@pytest.fixture(scope="module", params=FIXTURE_NAMES)
def case(request, tmp_path_factory, ffmpeg, cli):
    return Case(request.param, tmp_path_factory.mktemp(request.param), ffmpeg)


def softmax(x):
    e = np.exp(x - x.max())
    return e / e.sum()


@pytest.fixture(scope="module")
def baselines(cli, case):
    """`eval --baselines --json` on the case, run once for the tests below."""
    r = run(cli, "eval", "--model", case.model, "--data", case.data, "--baselines", "--json", "--threads", 2)
    assert r.returncode == 0, r.stderr.decode(errors="replace")
    return json.loads(r.stdout)


def check_column(out, case, column, logits):
    """Each question's prediction and probability in `column` against oracle logits [Q, A]."""
    for q, got in enumerate(out["questions"]):
        ref = q if q < len(case.questions) else 0   # the extra line asks question 0
        assert got["predicted"][column] == case.answers[int(np.argmax(logits[ref]))], (case.fx.name, q, column)
        p = softmax(logits[ref].astype(np.float64)).max()
        assert abs(got["probability"][column] - p) <= UINT8_PATH_FACTOR * 1e-4, (case.fx.name, q, column)


def test_eval_uniform_column_matches_torch(torch, baselines, case):
    check_column(baselines, case, "uniform", case.torch_uniform())


def test_eval_columns_match_the_oracles(baselines, case):
    out = baselines
    assert out["columns"] == ["videodistill", "uniform", "blind", "majority"]
    assert out["question_count"] == len(case.rows) and out["video_count"] == 3
    assert out["uniform_selection"] == case.uniform_selection
    check_column(out, case, "videodistill", case.fx.npy("qa_logits"))
    check_column(out, case, "blind", case.blind_logits)
    for q, got in enumerate(out["questions"]):
        row = case.rows[q]
        assert (got["line"], got["video"], got["question"], got["category"], got["answer"]) == \
               (q + 1, row["video"], row["question"], row["category"], row["answer"])
        for column in ("videodistill", "uniform", "blind"):
            assert got["correct"][column] == (got["predicted"][column] == row["answer"])

    # Recount: per category and overall, with the majority baseline from the data.
    majority = {}
    for c in {r["category"] for r in case.rows}:
        answers = [r["answer"] for r in case.rows if r["category"] == c]
        majority[c] = max(answers, key=lambda a: (answers.count(a), -answers.index(a)))
    assert out["majority_answers"] == majority
    known = set(case.answers)
    rows = {r["category"]: r for r in out["categories"]}
    assert sorted(rows) == sorted(majority) and [r["category"] for r in out["categories"]] == sorted(majority)
    for name, members in [(c, [i for i, r in enumerate(case.rows) if r["category"] == c]) for c in majority] + \
                         [("overall", list(range(len(case.rows))))]:
        row = out["overall"] if name == "overall" else rows[name]
        assert row["count"] == len(members)
        assert row["unknown_answers"] == sum(case.rows[i]["answer"] not in known for i in members)
        for column in out["columns"]:
            want = sum(out["questions"][i]["predicted"][column] == case.rows[i]["answer"] for i in members)
            if column == "majority":
                want = sum(majority[case.rows[i]["category"]] == case.rows[i]["answer"] for i in members)
            assert row["correct"][column] == want, (name, column)
            assert row["accuracy"][column] == pytest.approx(want / len(members))
    # ONNX Runtime's answers score 100% but for the answer the model cannot give.
    assert out["overall"]["correct"]["videodistill"] == len(case.questions)
    assert out["overall"]["unknown_answers"] == 1 and out["unknown_answer_list"] == ["not an answer"]


def test_eval_table_and_progress(cli, case):
    r = run(cli, "eval", "-m", case.model, "-d", case.data, "--blind", "--progress", "--threads", 1)
    assert r.returncode == 0, r.stderr.decode(errors="replace")
    text = r.stdout.decode()
    lines = text.splitlines()
    assert lines[0].split() == ["category", "count", "videodistill", "blind", "majority"]
    assert lines[1].split()[:2] == ["alpha", str(sum(r["category"] == "alpha" for r in case.rows))]
    assert lines[3].split()[:2] == ["overall", str(len(case.rows))]
    assert "blind: one" in text and "uniform:" not in text
    assert "answers the model cannot give (counted wrong): 1 questions; not an answer" in text
    total = len(case.rows)
    assert f"answering [{'#' * 30}] {total}/{total}" in r.stderr.decode()


def test_eval_exit_statuses(cli, case, tmp_path):
    def status(*args):
        return run(cli, "eval", "-m", case.model, *args)

    def data(text, name="d.jsonl"):
        path = tmp_path / name
        path.write_bytes(text if isinstance(text, bytes) else text.encode())
        return path

    good = json.dumps(dict(video=case.video, question="q", answer="a", category="c"))
    assert status("-d", tmp_path / "none.jsonl").returncode == EXIT["missing"]
    r = status("-d", data(good + "\n[1, 2]\n"))
    assert r.returncode == EXIT["bad_question"] and b"line 2: not a JSON object" in r.stderr
    r = status("-d", data(good + "\n" + json.dumps(dict(video="v", question="q", answer="a"))))
    assert r.returncode == EXIT["bad_question"] and b"line 2: no \"category\"" in r.stderr
    r = status("-d", data(json.dumps(dict(video="v", question=3, answer="a", category="c"))))
    assert r.returncode == EXIT["bad_question"] and b"\"question\" is not a string" in r.stderr
    assert status("-d", data(b'{"video": "\xff"}\n')).returncode == EXIT["bad_question"]
    assert status("-d", data("\n  \n")).returncode == EXIT["bad_question"]
    r = status("-d", data(good + "\n" + json.dumps(dict(video="gone.mkv", question="q", answer="a", category="c"))))
    assert r.returncode == EXIT["missing"] and b"line 2: video gone.mkv not found" in r.stderr
    data(b"not a video", "junk.mp4")
    r = status("-d", data(json.dumps(dict(video="junk.mp4", question="q", answer="a", category="c"))))
    assert r.returncode == EXIT["undecodable"]
    bad_model = tmp_path / "bad.gguf"
    bad_model.write_bytes(b"GGUF" + bytes(60))
    assert run(cli, "eval", "-m", bad_model, "-d", data(good)).returncode == EXIT["bad_model"]
    assert status("-d", data(good), "--threads", 0).returncode == EXIT["usage"]
    # CRLF line ends are fine.
    assert status("-d", data(good + "\r\n" + good + "\r\n")).returncode == EXIT["ok"]


# -- explain ----------------------------------------------------------------------------------------------------


def read_png(path):
    """A PNG (8-bit RGB, no interlace) -> uint8 [H, W, 3], checking the signature and every chunk CRC."""
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        assert struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])[0] == zlib.crc32(kind + body)
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
        if kind == b"IEND":
            break
    W, H, depth, colour, _, _, interlace = header
    assert (depth, colour, interlace) == (8, 2, 0)
    raw = zlib.decompress(idat)
    stride = 3 * W
    assert len(raw) == H * (1 + stride)
    out = np.zeros((H, stride), dtype=np.int32)
    for y in range(H):
        kind, line = raw[y * (1 + stride)], np.frombuffer(raw, np.uint8, stride, y * (1 + stride) + 1).astype(np.int32)
        up = out[y - 1] if y else np.zeros(stride, np.int32)
        row = out[y]
        if kind == 0:
            row[:] = line
            continue
        for x in range(stride):
            a = row[x - 3] if x >= 3 else 0
            b, c = up[x], (up[x - 3] if x >= 3 else 0)
            if kind == 0:
                pred = 0
            elif kind == 1:
                pred = a
            elif kind == 2:
                pred = b
            elif kind == 3:
                pred = (a + b) // 2
            else:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
            row[x] = (line[x] + pred) & 0xFF
    return out.reshape(H, W, 3).astype(np.uint8)


def test_explain_sheet(cli, case, tmp_path):
    fx, cfg, q = case.fx, case.cfg, 2
    sheet = tmp_path / "sheet.png"
    r = run(cli, "explain", "-m", case.model, "-v", case.video, "-q", case.questions[q], "-o", sheet, "--zoom", 3, "--json")
    assert r.returncode == 0, r.stderr.decode(errors="replace")
    out = json.loads(r.stdout)
    img = read_png(sheet)
    assert img.shape == (out["sheet"]["height"], out["sheet"]["width"], 3)
    S, N, K, patch, z = cfg["image_size"], cfg["num_frames"], cfg["num_selected"], cfg["patch_size"], 3
    G, P, b = S // patch, (S // patch) ** 2, out["sheet"]["outline_thickness"]
    assert out["sheet"]["zoom"] == z and out["answer"] == case.ort_top[q]
    selected = fx.npy("selected")[q].tolist()
    assert out["selected"] == selected
    resized = np.clip(fx.npy("resized"), 0, 255).round().transpose(0, 2, 3, 1)   # [N, S, S, 3]

    def tile(rect):
        assert rect["width"] == rect["height"] == S * z
        return img[rect["y"]:rect["y"] + S * z, rect["x"]:rect["x"] + S * z].astype(np.int32)

    def ring(rect):   # the b pixels just outside the rect
        y, x, s = rect["y"], rect["x"], S * z
        box = img[y - b:y + s + b, x - b:x + s + b].astype(np.int32).copy()
        box[b:b + s, b:b + s] = -1
        return box[box[..., 0] >= 0]

    assert [t["n"] for t in out["grid"]] == list(range(N)) and len(out["slots"]) == K
    for t in out["grid"]:
        n = t["n"]
        plain = np.repeat(np.repeat(resized[n], z, 0), z, 1)
        assert np.abs(tile(t["rect"]) - plain).max() <= 1, (fx.name, n)
        assert t["slots"] == [k for k in range(K) if selected[k] == n]
        assert (ring(t["rect"]) == (OUTLINE if t["slots"] else BACKGROUND)).all(), (fx.name, n)

    gates = fx.npy("vr_gates")[q, -1, 1:].mean(-1).reshape(K, P)   # last VR block, mean over heads
    assert np.abs(np.array(out["gates"]["patches"]) - gates).max() <= UINT8_PATH_FACTOR * tolerance(gates)
    moved = 0
    for k, t in enumerate(out["slots"]):
        assert (t["n"], t["slots"]) == (selected[k], [k])
        got, plain = tile(t["rect"]), np.repeat(np.repeat(resized[selected[k]], z, 0), z, 1)
        g = np.repeat(np.repeat(gates[k].reshape(G, G), patch * z, 0), patch * z, 1)[..., None]
        colour = np.where(g > 0, np.array(POSITIVE), np.array(NEGATIVE))
        alpha = MAX_ALPHA * np.sqrt(np.abs(g))
        want = (1 - alpha) * plain + alpha * colour
        assert np.abs(got - want).max() <= 2, (fx.name, k)
        far = np.abs(g[..., 0]) > 0.05
        assert (np.abs(got - plain).max(-1)[far] > 0).mean() > 0.9   # the overlay shows where gates are far from 0
        moved += far.sum()
    assert moved > 0


def test_explain_errors(cli, case, tmp_path):
    args = ["explain", "-m", case.model, "-v", case.video, "-q", "q"]
    assert run(cli, *args).returncode == EXIT["usage"]   # no --out
    assert run(cli, *args, "-o", tmp_path / "s.png", "--zoom", 0).returncode == EXIT["usage"]
    assert run(cli, *args, "-o", tmp_path / "no" / "dir" / "s.png").returncode == EXIT["other"]
    assert run(cli, "explain", "-m", case.model, "-v", tmp_path / "none.mkv", "-q", "q", "-o", tmp_path / "s.png").returncode \
        == EXIT["missing"]
    r = run(cli, *args, "-o", tmp_path / "s.png")
    assert r.returncode == EXIT["ok"] and b"wrote" in r.stdout and (tmp_path / "s.png").exists()


def test_eval_warns_about_damaged_videos(cli, case, tmp_path, ffmpeg):
    """A video cut short (an mp4 with its index first) is answered from the frames it holds, with a warning on
    stderr naming it; answer --strict refuses it (exit 4)."""
    frames = np.concatenate([case.fx.npy("video")] * 4)
    path = encode(ffmpeg, frames, tmp_path / "cut.mp4", ["-c:v", "libx264", "-g", "4", "-movflags", "+faststart"])
    data = open(path, "rb").read()
    open(path, "wb").write(data[:len(data) * 2 // 3])
    rows = tmp_path / "d.jsonl"
    rows.write_text(json.dumps(dict(video="cut.mp4", question=case.questions[0], answer="a", category="c")) + "\n")
    r = run(cli, "eval", "-m", case.model, "-d", rows)
    assert r.returncode == EXIT["ok"], r.stderr
    stderr = r.stderr.decode()
    assert "cut.mp4: warning: the file declares" in stderr, stderr
    r = run(cli, "answer", "-m", case.model, "-v", path, "-q", case.questions[0], "--strict")
    assert r.returncode == EXIT["undecodable"] and b"declares" in r.stderr
