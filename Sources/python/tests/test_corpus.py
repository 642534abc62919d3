"""videodistill.corpus and the `videodistill index` / `ask` commands, on the local engine and on a local Ray cluster
(ray.init(num_cpus=2), once for this module). The oracle is the issue's own: each video encoded alone by a fresh
model in this process (Model.encode_video), so a corpus video must have bit-identical tokens and the same answers;
find() is checked against Model.choose_video / similarity / answer over those same videos. Ten videos: the two
examples, seven made here with ffmpeg (sizes, frame rates, containers), one corrupt file."""

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

from conftest import ROOT, requires_library

pytestmark = requires_library
pa = pytest.importorskip("pyarrow")
import pyarrow.parquet  # noqa: E402

MODEL = os.path.join(ROOT, "examples", "models", "shapesqa.gguf")
QUESTION = "what colour is the shape that flashed?"
# (lavfi source, seconds, container): different sizes, frame rates, durations and containers.
GENERATED = [("testsrc=size=96x64:rate=16", 2, "mp4"), ("smptebars=size=64x64:rate=12", 3, "mp4"),
             ("testsrc2=size=80x60:rate=25", 1.6, "mkv"), ("rgbtestsrc=size=64x48:rate=10", 4, "avi"),
             ("mandelbrot=size=64x64:rate=16", 2, "mp4"), ("color=c=red:size=64x64:rate=8", 5, "mp4"),
             ("testsrc=size=128x72:rate=30", 1.5, "mkv")]


def _vd():
    import videodistill
    return videodistill


@pytest.fixture(scope="module")
def videos(tmp_path_factory):
    if shutil.which("ffmpeg") is None:
        pytest.skip("the ffmpeg command is not installed (Debian package ffmpeg)")
    d = tmp_path_factory.mktemp("videos")
    paths = []
    for name in ("example_0.mp4", "example_1.mp4"):
        shutil.copy(os.path.join(ROOT, "examples", "videos", name), d / name)
        paths.append(str(d / name))
    for n, (src, seconds, ext) in enumerate(GENERATED):
        path = str(d / f"gen_{n}.{ext}")
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", src, "-t", str(seconds), "-c:v", "mpeg4",
                        "-pix_fmt", "yuv420p", path], check=True)
        paths.append(path)
    corrupt = d / "corrupt.mp4"
    corrupt.write_bytes(b"not a video at all " * 64)
    paths.insert(5, str(corrupt))   # mid-list: the job goes on past it
    return paths


def _oracle(model_path, paths):
    """Each video encoded alone: {path: (tokens, source_frames, info, answer) or the error}."""
    vd = _vd()
    out = {}
    with vd.Model(model_path) as model:
        for p in paths:
            try:
                v = model.encode_video(p)
            except vd.VideoDistillError as e:
                out[p] = e
                continue
            a = model.answer(v, QUESTION, top_k=len(model.answers)) if "qa" in model.heads else None
            out[p] = (np.array(v.tokens), v.source_frames, v.info, a)
            v.close()
    return out


@pytest.fixture(scope="module")
def oracle(videos):
    return _oracle(MODEL, videos)


@pytest.fixture(scope="module")
def ray_cluster():
    ray = pytest.importorskip("ray")
    pytest.importorskip("ray.data")
    if not ray.is_initialized():
        ray.init(num_cpus=2, include_dashboard=False, logging_level="WARNING", log_to_driver=False)
    yield ray
    ray.shutdown()


def _check_corpus(root, paths, oracle, model_path=MODEL):
    """The corpus at root holds every video exactly once, each as encoding it alone gives it."""
    vd = _vd()
    from videodistill import corpus
    c = corpus.Corpus(root)
    rows = c.manifest()
    assert [r["path"] for r in rows] == paths   # every video, once, in plan order
    assert len(c.finished_shards()) == c.num_shards
    assert not [n for n in os.listdir(os.path.join(root, "shards")) if n.startswith(".")]   # no temporaries left
    with vd.Model(model_path) as model:
        for r in rows:
            want = oracle[r["path"]]
            if isinstance(want, Exception):
                assert r["status"] == "error" and r["file"] is None
                assert r["error"] == f"{type(want).__name__}: {want}"
                continue
            tokens, source_frames, info, _ = want
            assert r["status"] == "ok" and r["error"] is None, r
            assert (r["frame_count"], r["width"], r["height"]) == (info["frame_count"], info["width"], info["height"])
            assert r["encoded_bytes"] == os.path.getsize(os.path.join(root, r["file"]))
            assert r["size_bytes"] == os.path.getsize(r["path"])
            with model.load_video(os.path.join(root, r["file"])) as v:
                assert np.array_equal(v.tokens, tokens), r["id"]   # bit-identical
                assert v.source_frames.tolist() == source_frames.tolist()
    return rows


def _shard_stamps(root):
    d = os.path.join(root, "shards")
    return {n: (os.stat(os.path.join(d, n, "manifest.parquet")).st_ino,
                os.stat(os.path.join(d, n, "manifest.parquet")).st_mtime_ns)
            for n in os.listdir(d) if not n.startswith(".")}


def test_local_index_equals_encoding_each_alone(videos, oracle, tmp_path):
    from videodistill import corpus
    root = str(tmp_path / "c")
    corpus.index(MODEL, root, videos, workers=2, shard_size=3, progress=False)
    rows = _check_corpus(root, videos, oracle)
    bad = [r for r in rows if r["status"] == "error"]
    assert [r["id"] for r in bad] == [videos[5]] and "UndecodableError" in bad[0]["error"]
    assert "corrupt.mp4" in bad[0]["error"]
    assert {r["shard"] for r in rows} == {0, 1, 2, 3}
    assert len({r["worker"] for r in rows}) <= 2
    # duration: F / fps from the sampled frames' timestamps, against the lavfi source's own duration
    for r, (_, want, _) in zip(rows[2:5] + rows[6:], GENERATED):
        assert abs(r["duration_s"] - want) <= 0.1, (r["id"], r["duration_s"], want)
    # the same answers as the video encoded alone, from the mapped files
    answers = corpus.Corpus(root).answer(MODEL, QUESTION, top_k=3)
    assert [a["path"] for a in answers] == [p for p in videos if not isinstance(oracle[p], Exception)]
    for a in answers:
        want = oracle[a["path"]][3]
        assert a["answers"] == want.answers[:3]
        assert a["probabilities"] == [float(p) for p in want.probabilities[:3]]
        assert a["selected_frames"] == want.selected_frames.tolist()
    # a rerun finds the job done and redoes nothing
    before = _shard_stamps(root)
    corpus.index(MODEL, root, videos, workers=2, progress=False)
    assert _shard_stamps(root) == before


def test_ray_index_equals_local(videos, oracle, tmp_path, ray_cluster):
    from videodistill import corpus
    root = str(tmp_path / "c")
    corpus.index(MODEL, root, videos, engine="ray", workers=2, shard_size=3, progress=False)
    rows = _check_corpus(root, videos, oracle)
    assert len({r["worker"] for r in rows}) <= 2
    answers = corpus.Corpus(root).answer(MODEL, QUESTION, top_k=3, engine="ray", workers=2)
    local = corpus.Corpus(root).answer(MODEL, QUESTION, top_k=3)
    assert answers == local and len(local) == 9


def _kill_first_worker_mid_shard(root, killed):
    """Watches the corpus' shard folder and SIGKILLs the first worker seen with a half-written shard (a temporary
    folder holding at least one encoded video): its pid is in the folder's name."""
    shards = os.path.join(root, "shards")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not killed:
        names = os.listdir(shards) if os.path.isdir(shards) else []
        for n in names:
            if n.startswith(".") and ".tmp-" in n:
                try:
                    has_video = any(f.endswith(".vdv") for f in os.listdir(os.path.join(shards, n)))
                except FileNotFoundError:
                    continue
                if has_video:
                    pid = int(n.rsplit("-", 1)[1])
                    os.kill(pid, signal.SIGKILL)
                    killed.append((pid, int(n[1:6]), os.path.isdir(os.path.join(shards, n))))
                    return
        time.sleep(0.001)


@pytest.mark.parametrize("engine", ["local", "ray"])
def test_worker_killed_mid_shard_loses_nothing(videos, oracle, tmp_path, engine, request):
    if engine == "ray":
        request.getfixturevalue("ray_cluster")
    from videodistill import corpus
    root = str(tmp_path / "c")
    killed = []
    watcher = threading.Thread(target=_kill_first_worker_mid_shard, args=(root, killed))
    watcher.start()
    try:
        corpus.index(MODEL, root, videos, engine=engine, workers=2, shard_size=5, progress=False)
    finally:
        if not killed:
            killed.append(None)   # stops the watcher
        watcher.join()
    assert killed[0] is not None, "no worker was seen mid-shard to kill"
    pid, shard, was_unfinished = killed[0]
    assert was_unfinished
    rows = _check_corpus(root, videos, oracle)   # every video exactly once, as encoded alone
    # the killed worker's shard was redone by another process: no row is the killed worker's
    assert not [r for r in rows if r["worker"].endswith(f":{pid}")]
    assert any(r["shard"] == shard for r in rows)


def _cli(*args):
    return [sys.executable, "-m", "videodistill", *args]


def test_interrupted_command_resumes(videos, oracle, tmp_path):
    """Ctrl-C (SIGINT) of `videodistill index` mid-job: exit 130, finished shards kept; the same command again
    redoes only the rest."""
    root = str(tmp_path / "c")
    cmd = _cli("index", "--model", MODEL, "--out", root, "--shard-size", "1", "--workers", "1", *videos)
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True)
    first = os.path.join(root, "shards", "00000")
    deadline = time.monotonic() + 120
    while not os.path.isdir(first) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.002)
    proc.send_signal(signal.SIGINT)
    err = proc.communicate(timeout=60)[1]
    assert proc.returncode == 130, err
    assert "rerun the same command to resume" in err
    kept = _shard_stamps(root)
    assert 1 <= len(kept) < len(videos), kept   # interrupted mid-job, with work done
    time.sleep(0.5)
    assert _shard_stamps(root) == kept   # no worker left running behind the command
    again = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    assert f"{len(kept)} shard(s) ({len(kept)} videos) already done" in again.stderr
    assert "10 videos in 10 shards" in again.stderr and "9 indexed, 1 failed" in again.stderr
    after = _shard_stamps(root)
    assert {n: after[n] for n in kept} == kept   # the finished shards were not redone
    _check_corpus(root, videos, oracle)


def test_interrupted_ray_job_resumes(videos, oracle, tmp_path, ray_cluster):
    """KeyboardInterrupt in the driver of a Ray job (as Ctrl-C raises it) once a shard is done; the job again
    resumes, keeping the finished shards."""
    import _thread
    from videodistill import corpus
    root = str(tmp_path / "c")

    def interrupt():
        first = os.path.join(root, "shards", "00000")
        deadline = time.monotonic() + 120
        while not os.path.isdir(first) and time.monotonic() < deadline:
            time.sleep(0.002)
        _thread.interrupt_main()

    t = threading.Thread(target=interrupt)
    t.start()
    with pytest.raises(KeyboardInterrupt):
        corpus.index(MODEL, root, videos, engine="ray", workers=1, shard_size=1, progress=False)
        time.sleep(30)   # only if the job ended before the interrupt came: then the test fails below
    t.join()
    kept = _shard_stamps(root)
    assert 1 <= len(kept) < len(videos), kept
    corpus.index(MODEL, root, videos, engine="ray", workers=2, progress=False)
    after = _shard_stamps(root)
    assert {n: after[n] for n in kept} == kept
    _check_corpus(root, videos, oracle)


@pytest.fixture(scope="module")
def heads_model(converted):
    """tiny_a converted: a model with QA, VTM and CL heads."""
    return converted["tiny_a"].model_path


def test_find_is_multiple_choice_over_videos(videos, heads_model, tmp_path):
    vd = _vd()
    from videodistill import corpus
    root = str(tmp_path / "c")
    c = corpus.index(heads_model, root, videos, workers=1, shard_size=4, progress=False)
    ok = [p for p in videos if not p.endswith("corrupt.mp4")]
    text, question = "a red square", "which shape?"
    with vd.Model(heads_model) as model:
        alone = [model.encode_video(p) for p in ok]
        best, scores = model.choose_video(alone, text)
        sims = [model.similarity(v, text) for v in alone]
        with_q = [model.match(v, question + " " + text) for v in alone]
        answer = model.answers[1]
        qa = []
        for v in alone:
            a = model.answer(v, question, top_k=len(model.answers))
            qa.append(float(a.probabilities[a.answer_indices.index(1)]))
    found = c.find(heads_model, text, top_k=len(ok))   # auto: the VTM head
    assert found[0]["path"] == ok[best] and [f["by"] for f in found] == ["vtm"] * len(ok)
    assert {f["path"]: f["score"] for f in found} == {p: float(s) for p, s in zip(ok, scores)}
    assert [f["rank"] for f in found] == list(range(1, len(ok) + 1))
    assert all(a["score"] >= b["score"] for a, b in zip(found, found[1:]))
    top3 = c.find(heads_model, text, top_k=3, engine="local", workers=2)
    assert top3 == found[:3]
    assert {f["path"]: f["score"] for f in c.find(heads_model, text, top_k=99, by="cl")} == \
        {p: float(s) for p, s in zip(ok, sims)}
    assert {f["path"]: f["score"] for f in c.find(heads_model, text, top_k=99, question=question)} == \
        {p: float(s) for p, s in zip(ok, with_q)}
    assert {f["path"]: f["score"] for f in c.find(heads_model, answer, top_k=99, question=question, by="qa")} == \
        {p: s for p, s in zip(ok, qa)}


def test_commands_and_entry_point(videos, oracle, tmp_path):
    """The wheel's `videodistill` entry point runs index and ask itself (the rest goes to the Swift program)."""
    from videodistill import corpus
    exe = os.path.join(os.path.dirname(sys.executable), "videodistill")
    if not os.path.exists(exe):
        pytest.skip("no videodistill entry point in this environment (pip install -e Sources/python)")
    root = str(tmp_path / "c")
    manifest = tmp_path / "videos.jsonl"
    manifest.write_text("".join(json.dumps({"path": os.path.relpath(p, tmp_path), "id": f"v{n}"}) + "\n"
                                for n, p in enumerate(videos)))
    r = subprocess.run([exe, "index", "--model", MODEL, "--out", root, "--manifest", str(manifest)],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert "9 indexed, 1 failed" in r.stderr and "v5: UndecodableError" in r.stderr
    assert [row["id"] for row in corpus.Corpus(root).manifest()] == [f"v{n}" for n in range(10)]
    r = subprocess.run([exe, "ask", "--model", MODEL, "--corpus", root, "--question", QUESTION, "--top-k", "2",
                        "--quiet"], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    assert [row["id"] for row in rows] == [f"v{n}" for n in range(10) if n != 5]
    for row in rows:
        assert row["answers"] == oracle[row["path"]][3].answers[:2]
    out = tmp_path / "green.parquet"
    r = subprocess.run([exe, "ask", "--model", MODEL, "--corpus", root, "--question", QUESTION, "--match", "green",
                        "--by", "qa", "--top-k", "3", "--out", str(out), "--quiet"], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    top = pa.parquet.read_table(out).to_pylist()
    p_green = {p: float(o[3].probabilities[o[3].answers.index("green")]) for p, o in oracle.items()
               if not isinstance(o, Exception)}
    assert [t["path"] for t in top] == sorted(p_green, key=lambda p: -p_green[p])[:3]
    # anything else is the Swift program's
    r = subprocess.run([exe, "info", "--model", MODEL], capture_output=True, text=True, timeout=60)
    if "not in this installation" not in r.stderr:   # an editable install without a release build
        assert r.returncode == 0 and "num_frames" in r.stdout, r.stdout + r.stderr


@pytest.mark.parametrize("args, status, message", [
    (["ask", "--corpus", "{tmp}", "--question", "q"], 3, "is not a corpus"),
    (["ask", "--corpus", "{corpus}"], 2, "give --question"),
    (["ask", "--corpus", "{corpus}", "--question", "q", "--match", "chartreuse", "--by", "qa"], 1,
     "not one of the model's"),
    (["index", "--out", "{corpus}", "{video}", "{video}"], 1, "listed twice"),
    (["index", "--out", "{corpus}", "{video}"], 1, "holds a corpus of other videos"),
    (["index", "--out", "{corpus}", "--precision", "int8", "{video}"], 1, "precision"),
    (["index", "--out", "{tmp}/new"], 2, "give VIDEO files"),
    (["index", "--out", "{tmp}/new", "--manifest", "{tmp}/none.jsonl"], 3, "no such file"),
    (["index", "--out", "{tmp}/new", "--manifest", "{bad_manifest}"], 1, "not JSON"),
])
def test_bad_input_is_a_clear_error(videos, tmp_path, args, status, message):
    corpus_dir = tmp_path / "c"
    if not corpus_dir.exists():
        from videodistill import corpus
        corpus.index(MODEL, str(corpus_dir), videos[:2], progress=False)
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{\"path\": \"a.mp4\"}\nnot json\n")
    fill = dict(tmp=str(tmp_path), corpus=str(corpus_dir), video=videos[0], bad_manifest=str(bad))
    r = subprocess.run(_cli(args[0], "--model", MODEL, *[a.format(**fill) for a in args[1:]]),
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == status, r.stderr
    assert message in r.stderr and "Traceback" not in r.stderr


@pytest.fixture(scope="module")
def qa_only_model(tmp_path_factory):
    """tiny_a without its VTM and CL heads: its ONNX pair's initializers (SPEC 10 names) less heads.vtm.* and
    heads.cl_text_proj.*, as safetensors with tiny_a's config and answers, through convert-weights."""
    import onnx
    from onnx import numpy_helper
    from safetensors import safe_open
    from safetensors.numpy import save_file
    from conftest import FIXTURES, _binary
    tool = _binary("convert-weights")
    if tool is None:
        pytest.skip("convert-weights is not built")
    src = os.path.join(FIXTURES, "tiny_a")
    tensors = {i.name: numpy_helper.to_array(i) for name in ("frame_encoder.onnx", "answerer.onnx")
               for i in onnx.load(os.path.join(src, name)).graph.initializer
               if not i.name.startswith(("heads.vtm.", "heads.cl_text_proj."))}
    with safe_open(os.path.join(src, "videodistill.safetensors"), "np") as f:
        metadata = f.metadata()   # videodistill.config and videodistill.answers
    out = tmp_path_factory.mktemp("qa_only")
    save_file(tensors, str(out / "qa.safetensors"), metadata=metadata)
    subprocess.run([tool, str(out / "qa.safetensors"), "-o", str(out / "qa.gguf")], check=True, capture_output=True)
    return str(out / "qa.gguf")


@pytest.mark.parametrize("args, message", [
    (["--match", "yes"], "no VTM or CL head"),
    (["--match", "x", "--by", "vtm"], "no VTM head"),
])
def test_absent_heads_are_a_clear_error(videos, qa_only_model, tmp_path, args, message):
    from videodistill import corpus
    root = str(tmp_path / "c")
    corpus.index(qa_only_model, root, videos[:2], progress=False)
    r = subprocess.run(_cli("ask", "--model", qa_only_model, "--corpus", root, *args),
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 1, r.stderr
    assert message in r.stderr and "Traceback" not in r.stderr


def test_missing_model_and_wrong_model(videos, heads_model, tmp_path):
    from videodistill import corpus
    root = str(tmp_path / "c")
    corpus.index(MODEL, root, videos[:2], progress=False)
    r = subprocess.run(_cli("index", "--model", str(tmp_path / "none.gguf"), "--out", root, videos[0]),
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 3 and "no such file" in r.stderr
    r = subprocess.run(_cli("index", "--model", heads_model, "--out", root, *videos[:2]),
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 1 and "another model file" in r.stderr
    r = subprocess.run(_cli("ask", "--model", heads_model, "--corpus", root, "--question", "q"),
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 5 and "Traceback" not in r.stderr, r.stderr


def test_parquet_manifest_and_precision(videos, tmp_path):
    vd = _vd()
    from videodistill import corpus
    m = tmp_path / "videos.parquet"
    pa.parquet.write_table(pa.table({"path": videos[:3]}), m)
    c = corpus.index(MODEL, str(tmp_path / "c"), manifest=str(m), precision="float16", progress=False)
    rows = c.manifest()
    assert [r["id"] for r in rows] == videos[:3]
    with vd.Model(MODEL) as model:
        for r in rows:
            with model.load_video(os.path.join(c.root, r["file"])) as v:
                assert v.precision == "float16"
                alone = model.encode_video(r["path"])
                alone.save(tmp_path / "alone.vdv", "float16")
                with model.load_video(tmp_path / "alone.vdv") as w:
                    assert np.array_equal(v.tokens, w.tokens)
