"""A video corpus: index many videos once, then ask it anything, on one machine or on a Ray cluster.

    from videodistill import corpus
    c = corpus.index("model.gguf", "corpus/", ["a.mp4", "b.mp4"])   # or manifest="videos.jsonl"
    rows = c.answer("model.gguf", "what colour is the ball?")        # a row per video: answers, frames
    best = c.find("model.gguf", "a red ball", top_k=5)               # the videos that best match a text

The job is a pure map over shards (consecutive runs of `shard_size` input videos), as video2dataset and
clip-retrieval lay theirs out. Index decodes and encodes each video once and writes, per shard, its encoded-video
files (Video.save) and a Parquet manifest. A corpus folder:

    corpus.json                    what it is: format version, model file (path, size, sha256), precision, shard size
    inputs.parquet                 the plan, written once: every input video (index, id, path, shard)
    shards/00000/manifest.parquet  a row per video of shard 0 (MANIFEST_SCHEMA)
    shards/00000/00000000.vdv      its encoded-video files, named by the video's index in the plan

A shard folder appears whole or not at all: a worker writes shards/.00000.tmp-HOST-PID and renames it when the shard
is done, so a shard folder that exists is finished. A rerun of the same job skips finished shards; a worker that dies
mid-shard leaves only its temporary folder, and the shard is redone. A video that fails to decode is a manifest row
with status "error" and the runtime's message, never the end of the job.

Engines: "local" (default) runs `workers` worker processes of this package on this machine, each with its own model
(`threads` runtime threads; the model file is mapped, so the workers share its pages). "ray" runs the same per-shard
map with Ray Data (`map_batches` with a callable class: one model per actor, `num_cpus` = `threads`) on the cluster
at `address` (None: the one this process joined, else a local one). Ask runs on either engine too.
"""

import concurrent.futures
import contextlib
import fcntl
import hashlib
import json
import math
import multiprocessing
import os
import shutil
import signal
import socket
import sys
import time
import warnings
from typing import Any, Callable, Dict, List, Optional, Sequence, Union

import numpy as np

from . import Model, VideoDistillError

FORMAT, VERSION = "videodistill-corpus", 1
ENGINES = ("local", "ray")


def _pa():
    try:
        import pyarrow
        import pyarrow.parquet  # noqa: F401
    except ImportError as e:
        raise ImportError("videodistill.corpus writes Parquet with pyarrow: pip install 'videodistill[corpus]' "
                          "(or pyarrow)") from e
    return pyarrow


def manifest_schema():
    """The columns of a shard's manifest.parquet, one row per input video."""
    pa = _pa()
    return pa.schema([
        ("index", pa.int64()),            # position in the plan (inputs.parquet)
        ("id", pa.string()),              # the manifest's id, else the path as given
        ("path", pa.string()),            # the video file, absolute
        ("shard", pa.int32()),
        ("status", pa.string()),          # "ok" or "error"
        ("error", pa.string()),           # the runtime's message (error class first); null when ok
        ("file", pa.string()),            # the encoded-video file, relative to the corpus folder; null on error
        ("frame_count", pa.int64()),      # F: the frames the file holds
        ("width", pa.int32()), ("height", pa.int32()),
        ("duration_s", pa.float64()),     # F / the frame rate the sampled frames' timestamps give; NaN: unknown
        ("replaced_frames", pa.int32()),  # sampled frames that hold a decoded neighbour's (undecodable own frame)
        ("size_bytes", pa.int64()),       # the input file's size (an image folder: its files')
        ("encoded_bytes", pa.int64()),    # the encoded-video file's size
        ("seconds", pa.float64()),        # decode + encode + save, wall clock
        ("worker", pa.string()),          # HOST:PID of the process that indexed it
    ])


class CorpusError(Exception):
    """A corpus job that cannot run as asked (bad input list, a folder holding another job, a missing head).
    `exit_code` is the command's exit status for it (the `videodistill` command's table)."""

    def __init__(self, message, exit_code=1):
        super().__init__(message)
        self.exit_code = exit_code


# ---------------------------------------------------------------------------------------------------------------
# The plan: inputs, ids, shards


def read_inputs(videos: Sequence[str] = (), manifest: Optional[str] = None) -> List[Dict[str, str]]:
    """The input videos as [{"id", "path"}], from paths and/or a manifest file: JSON Lines (an object per line with
    "path", optional "id") or Parquet (a "path" column, optional "id"). Relative paths in a manifest are relative
    to the manifest's folder. Ids must be unique (a video listed twice is an error, not a second row)."""
    items = [{"id": os.fspath(p), "path": os.path.abspath(os.fspath(p))} for p in videos]
    if manifest is not None:
        items += _read_manifest(os.fspath(manifest))
    if not items:
        raise CorpusError("no videos to index: give video paths or a manifest file")
    seen: Dict[str, str] = {}
    for item in items:
        if item["id"] in seen:
            raise CorpusError(f"video id {item['id']!r} is listed twice ({seen[item['id']]} and {item['path']}); "
                              "ids must be unique")
        seen[item["id"]] = item["path"]
    return items


def _read_manifest(path):
    base = os.path.dirname(os.path.abspath(path))
    if not os.path.isfile(path):
        raise CorpusError(f"manifest {path}: no such file", 3)
    if path.endswith(".parquet"):
        table = _pa().parquet.read_table(path)
        if "path" not in table.column_names:
            raise CorpusError(f"manifest {path}: no 'path' column (columns: {', '.join(table.column_names)})")
        records = table.to_pylist()
    else:
        records = []
        with open(path, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                if not line.strip():
                    continue
                try:
                    r = json.loads(line)
                except json.JSONDecodeError as e:
                    raise CorpusError(f"manifest {path}:{n}: not JSON ({e.msg})") from None
                if not isinstance(r, dict) or not isinstance(r.get("path"), str):
                    raise CorpusError(f"manifest {path}:{n}: each line must be an object with a \"path\" string")
                records.append(r)
    items = []
    for r in records:
        if not isinstance(r.get("path"), str) or not r["path"]:
            raise CorpusError(f"manifest {path}: a row without a path")
        vid = r.get("id")
        items.append({"id": str(vid) if vid is not None else r["path"],
                      "path": os.path.abspath(os.path.join(base, r["path"]))})
    return items


def _sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _shard_dir(root, shard):
    return os.path.join(root, "shards", f"{shard:05d}")


def _finished(root, shard):
    return os.path.exists(os.path.join(_shard_dir(root, shard), "manifest.parquet"))


def _write_atomic(path, write):
    tmp = f"{path}.tmp-{os.getpid()}"
    write(tmp)
    os.replace(tmp, path)


def _plan(root, model_path, items, shard_size, precision, strict):
    """corpus.json and inputs.parquet of a new corpus, or the check that an existing one is this same job."""
    pa = _pa()
    meta = {"format": FORMAT, "version": VERSION,
            "model": {"path": os.path.abspath(model_path), "size": os.path.getsize(model_path),
                      "sha256": _sha256(model_path)},
            "precision": precision, "strict": bool(strict), "shard_size": int(shard_size),
            "num_videos": len(items), "num_shards": math.ceil(len(items) / shard_size)}
    meta_path = os.path.join(root, "corpus.json")
    if os.path.exists(meta_path):
        old = _read_meta(root)
        for key in ("precision", "strict", "shard_size"):
            if old[key] != meta[key]:
                raise CorpusError(f"{root} was indexed with {key} {old[key]!r}, not {meta[key]!r}: rerun with the "
                                  "same options to resume, or index into a new folder")
        if old["model"]["sha256"] != meta["model"]["sha256"]:
            raise CorpusError(f"{root} was indexed with another model file ({old['model']['path']}); index into a "
                              "new folder")
        stored = pa.parquet.read_table(os.path.join(root, "inputs.parquet"), columns=["id", "path"]).to_pylist()
        if stored != items:
            raise CorpusError(f"{root} holds a corpus of other videos ({len(stored)} inputs, this job has "
                              f"{len(items)}); rerun with the same list to resume, or index into a new folder")
        return old
    os.makedirs(os.path.join(root, "shards"), exist_ok=True)
    table = pa.table({"index": pa.array(range(len(items)), pa.int64()),
                      "id": [i["id"] for i in items], "path": [i["path"] for i in items],
                      "shard": pa.array([n // shard_size for n in range(len(items))], pa.int32())})
    _write_atomic(os.path.join(root, "inputs.parquet"), lambda p: pa.parquet.write_table(table, p))
    # corpus.json last: a folder with it has a complete plan.
    _write_atomic(meta_path, lambda p: _write_json(p, meta))
    return meta


def _write_json(path, obj):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, indent=1)
        f.write("\n")


def _read_meta(root):
    path = os.path.join(root, "corpus.json")
    try:
        with open(path, encoding="utf-8") as f:
            meta = json.load(f)
    except FileNotFoundError:
        raise CorpusError(f"{root} is not a corpus (no corpus.json): make one with `videodistill index`",
                          3) from None
    except (OSError, json.JSONDecodeError) as e:
        raise CorpusError(f"{path}: unreadable ({e})") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT or meta.get("version") != VERSION:
        raise CorpusError(f"{path}: not a {FORMAT} file of version {VERSION}")
    return meta


@contextlib.contextmanager
def _job_lock(root):
    """One index job per corpus folder at a time (flock on corpus folder/.lock)."""
    os.makedirs(root, exist_ok=True)
    with open(os.path.join(root, ".lock"), "a") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise CorpusError(f"another index job is running on {root}") from None
        yield


def _remove_temporaries(root):
    shards = os.path.join(root, "shards")
    if os.path.isdir(shards):
        for name in os.listdir(shards):
            if name.startswith(".") and ".tmp-" in name:
                shutil.rmtree(os.path.join(shards, name), ignore_errors=True)


# ---------------------------------------------------------------------------------------------------------------
# The per-shard maps (pure: a shard's inputs -> its rows; run by whichever engine)


def _worker_name():
    return f"{socket.gethostname()}:{os.getpid()}"


def _size(path):
    if os.path.isdir(path):
        return sum(os.path.getsize(os.path.join(path, n)) for n in os.listdir(path)
                   if os.path.isfile(os.path.join(path, n)))
    return os.path.getsize(path) if os.path.exists(path) else 0


def _duration(video, frame_count):
    """F / fps, the frame rate from the first and last sampled frames' timestamps; NaN where they say nothing."""
    src, sec = video.source_frames, video.source_seconds
    ok = np.isfinite(sec)
    if ok.sum() < 2 or src[ok][-1] == src[ok][0] or sec[ok][-1] == sec[ok][0]:
        return float("nan")
    fps = (src[ok][-1] - src[ok][0]) / (sec[ok][-1] - sec[ok][0])
    return float(frame_count / fps)


def index_shard(model: Model, root: str, shard: int, inputs: List[Dict[str, Any]], precision: str = "float32",
                strict: bool = False, on_video: Optional[Callable[[], None]] = None) -> List[Dict[str, Any]]:
    """Index one shard: encode each of its inputs ({"index", "id", "path"}) once, save it, and write the shard's
    folder (files + manifest.parquet) atomically -> the manifest's rows. A finished shard is read, not redone."""
    pa = _pa()
    final = _shard_dir(root, shard)
    if _finished(root, shard):
        return pa.parquet.read_table(os.path.join(final, "manifest.parquet")).to_pylist()
    tmp = os.path.join(root, "shards", f".{shard:05d}.tmp-{socket.gethostname()}-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    rows = []
    for item in inputs:
        t0 = time.perf_counter()
        row = {"index": item["index"], "id": item["id"], "path": item["path"], "shard": shard, "status": "ok",
               "error": None, "file": None, "frame_count": None, "width": None, "height": None,
               "duration_s": None, "replaced_frames": None, "size_bytes": _size(item["path"]),
               "encoded_bytes": None, "worker": _worker_name()}
        try:
            # decode with the worker's own threads too: libav's default (0) takes every core of the node, which
            # oversubscribes a node of many workers (and Ray's num_cpus = threads would not hold)
            video = model.encode_video(item["path"], strict=strict, decode_threads=model.threads)
        except VideoDistillError as e:   # the video's own failure: a row, not the job's end
            row.update(status="error", error=f"{type(e).__name__}: {e}")
        else:
            with video:
                name = f"{item['index']:08d}.vdv"
                video.save(os.path.join(tmp, name), precision)
                info = video.info
                row.update(file=os.path.join("shards", f"{shard:05d}", name), frame_count=info["frame_count"],
                           width=info["width"], height=info["height"], replaced_frames=info["replaced_frames"],
                           duration_s=_duration(video, info["frame_count"]),
                           encoded_bytes=os.path.getsize(os.path.join(tmp, name)))
        row["seconds"] = time.perf_counter() - t0
        rows.append(row)
        if on_video is not None:
            on_video()
    pa.parquet.write_table(pa.Table.from_pylist(rows, schema=manifest_schema()), os.path.join(tmp, "manifest.parquet"))
    try:
        os.rename(tmp, final)   # atomic: the shard is finished from here on
    except OSError:
        if not _finished(root, shard):
            raise
        shutil.rmtree(tmp, ignore_errors=True)   # a twin of this task (a retry) finished it first: keep that one
        return pa.parquet.read_table(os.path.join(final, "manifest.parquet")).to_pylist()
    return rows


def _shard_videos(root, shard):
    """The indexed ("ok") rows of a finished shard."""
    table = _pa().parquet.read_table(os.path.join(_shard_dir(root, shard), "manifest.parquet"),
                                     columns=["index", "id", "path", "status", "file"])
    return [r for r in table.to_pylist() if r["status"] == "ok"]


def answer_shard(model: Model, root: str, shard: int, question: str, top_k: int = 5) -> List[Dict[str, Any]]:
    """The question answered for each indexed video of a shard, from its mapped encoded-video file."""
    rows = []
    top_k = max(1, min(int(top_k), len(model.answers)))
    for r in _shard_videos(root, shard):
        with model.load_video(os.path.join(root, r["file"])) as video:
            a = model.answer(video, question, top_k=top_k)
            seconds = video.source_seconds[a.selected_samples]
        rows.append({"index": r["index"], "id": r["id"], "path": r["path"], "answers": a.answers,
                     "probabilities": [float(p) for p in a.probabilities],
                     "selected_frames": [int(f) for f in a.selected_frames],
                     "selected_seconds": [None if math.isnan(s) else float(s) for s in seconds]})
    return rows


def score_shard(model: Model, root: str, shard: int, text: str, by: str, question: Optional[str] = None
                ) -> List[Dict[str, Any]]:
    """Each indexed video's score for `text`: "vtm" SPEC 7's multiple choice over videos (vd_choose_video: VTM
    log p(match)), "cl" the CL head's similarity, "qa" the QA head's probability that `text` answers `question`.
    A question with vtm/cl is scored as SPEC 7's multiple choice text, question + " " + text."""
    videos = _shard_videos(root, shard)
    if not videos:
        return []
    scored = text if question is None or by == "qa" else question + " " + text
    handles = [model.load_video(os.path.join(root, r["file"])) for r in videos]
    try:
        if by == "vtm":
            scores = model.choose_video(handles, scored)[1]
        elif by == "cl":
            scores = [model.similarity(v, scored) for v in handles]
        else:
            k = model.answers.index(text)
            scores = [_answer_probability(model, v, question, k) for v in handles]
    finally:
        for v in handles:
            v.close()
    return [{"index": r["index"], "id": r["id"], "path": r["path"], "score": float(s)} for r, s in zip(videos, scores)]


def _answer_probability(model, video, question, k):
    a = model.answer(video, question, top_k=len(model.answers))
    return float(a.probabilities[a.answer_indices.index(k)])


_TASKS = {"index": None, "answer": answer_shard, "score": score_shard}


def _run_task(model, task, shard, inputs, on_video=None):
    """One shard of a task {"kind": "index" | "answer" | "score", "root", "options"}; `inputs`: the shard's input
    videos for "index" (None otherwise)."""
    kind, root, options = task["kind"], task["root"], task["options"]
    if kind == "index":
        return index_shard(model, root, shard, inputs, on_video=on_video, **options)
    return _TASKS[kind](model, root, shard, **options)


# ---------------------------------------------------------------------------------------------------------------
# Engines: the same per-shard map on local worker processes or on Ray


_worker_model = None
_worker_queue = None


def _local_init(model_path, threads, queue):
    global _worker_model, _worker_queue
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # Ctrl-C is the coordinator's to handle: it ends the workers
    _worker_model, _worker_queue = Model(model_path, threads=threads), queue


def _local_shard(task, shard, inputs):
    return shard, _run_task(_worker_model, task, shard, inputs, on_video=lambda: _worker_queue.put(shard))


def _terminate(pool):
    # ProcessPoolExecutor ends idle workers only; a Ctrl-C must not leave busy ones behind.
    for p in list(getattr(pool, "_processes", {}).values()):
        p.terminate()
    pool.shutdown(wait=True, cancel_futures=True)


def _run_local(task, shards, model_path, workers, threads, progress, max_restarts=3):
    """Each shard ({shard: its inputs, None but for index}) on a pool of `workers` processes; a pool whose worker
    died is replaced and its unfinished shards are redone (up to max_restarts times a job; a rerun resumes)."""
    ctx = multiprocessing.get_context("spawn")   # no fork of a process that holds runtime threads
    queue = ctx.Queue()
    todo, restarts = list(shards), 0
    while todo:
        pool = concurrent.futures.ProcessPoolExecutor(max_workers=min(workers, len(todo)), mp_context=ctx,
                                                      initializer=_local_init, initargs=(model_path, threads, queue))
        try:
            futures = [pool.submit(_local_shard, task, s, shards[s]) for s in todo]
            pending = set(futures)
            while pending:
                done, pending = concurrent.futures.wait(pending, timeout=0.2,
                                                        return_when=concurrent.futures.FIRST_COMPLETED)
                _drain(queue, progress)
                for f in done:
                    try:
                        shard, rows = f.result()
                    except concurrent.futures.process.BrokenProcessPool:
                        continue
                    todo.remove(shard)
                    progress.shard_done(shard, rows)
                    yield shard, rows
        except BaseException:
            _terminate(pool)
            raise
        pool.shutdown(wait=True)
        if todo:
            restarts += 1
            if restarts > max_restarts:
                raise CorpusError(f"worker processes died (or could not start) {restarts} times; shards {todo} "
                                  "are unfinished (rerun to resume)")
            progress.partial.clear()
            progress.note(f"a worker died; redoing {len(todo)} unfinished shard(s)")


def _drain(queue, progress):
    import queue as q
    while True:
        try:
            shard = queue.get_nowait()
        except q.Empty:
            return
        progress.video_done(shard)


class _RayShardMapper:
    """Ray Data's callable class: one model per actor, loaded once; a batch holds shard numbers."""

    def __init__(self, model_path, threads, task):
        self.model, self.task = Model(model_path, threads=threads), task

    def __call__(self, batch):
        pa = _pa()
        rows = []
        for shard, inputs in zip(batch["shard"], batch["inputs"]):
            out = _run_task(self.model, self.task, int(shard), json.loads(inputs))
            rows.append({"shard": int(shard), "rows": json.dumps(out)})
        return pa.Table.from_pylist(rows, schema=pa.schema([("shard", pa.int64()), ("rows", pa.string())]))


def _ray_connect(address):
    try:
        import ray
        import ray.data  # noqa: F401
    except ImportError as e:
        raise ImportError("engine='ray' needs Ray Data: pip install 'videodistill[ray]' (or 'ray[data]')") from e
    if not ray.is_initialized():
        ray.init(address=address, logging_level="WARNING", log_to_driver=False)
    return ray


def _run_ray(task, shards, model_path, workers, threads, progress, address, max_retries=3):
    ray = _ray_connect(address)
    if workers is None:
        workers = max(1, int(ray.cluster_resources().get("CPU", 1) // threads))
    ctx = ray.data.DataContext.get_current()
    ctx.enable_progress_bars = False   # ours says videos and shards
    # A row per shard, its inputs with it (JSON: no actor holds the whole plan).
    ds = ray.data.from_items([{"shard": s, "inputs": json.dumps(i)} for s, i in shards.items()],
                             override_num_blocks=len(shards))
    # One shard per call; a killed actor is restarted and its shard retried (Ray Data's actor-pool fault tolerance).
    # max_restarts / max_task_retries: bounded (Ray Data's default is forever), so a video that kills every worker
    # that opens it ends the job (rerun to resume) instead of looping; passed as Ray Data documents, as extra
    # remote args, which 2.60 warns about.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        ds = ds.map_batches(_RayShardMapper, batch_size=1, batch_format="numpy",
                            compute=ray.data.ActorPoolStrategy(size=min(workers, len(shards))), num_cpus=threads,
                            fn_constructor_args=(model_path, threads, task), max_restarts=max_retries,
                            max_task_retries=max_retries)
    for row in ds.iter_rows():
        rows = json.loads(row["rows"])
        progress.shard_done(int(row["shard"]), rows)
        yield int(row["shard"]), rows


def _map_shards(task, shards, model_path, engine, workers, threads, address, progress):
    if engine not in ENGINES:
        raise CorpusError(f"engine must be one of {ENGINES}, got {engine!r}")
    if threads < 1 or (workers is not None and workers < 1):
        raise CorpusError("workers and threads must be >= 1")
    if not shards:
        return iter(())
    if engine == "ray":
        return _run_ray(task, shards, model_path, workers, threads, progress, address)
    return _run_local(task, shards, model_path, workers or 1, threads, progress)


class _Progress:
    """One line on stderr: videos and shards done, rate, time left (a line per shard where stderr is no terminal)."""

    def __init__(self, what, videos, shards, enabled=True, stream=None):
        self.what, self.videos, self.shards, self.enabled = what, videos, shards, enabled
        self.stream = stream or sys.stderr
        self.tty = self.enabled and self.stream.isatty()
        self.n_shards = self.n_failed = self.finished_videos = 0
        self.partial: Dict[int, int] = {}   # videos done so far in each unfinished shard (index, local engine)
        self.finished = set()
        self.t0 = time.monotonic()

    @property
    def n_videos(self):
        return self.finished_videos + sum(self.partial.values())

    def _line(self):
        dt = max(time.monotonic() - self.t0, 1e-9)
        rate = self.n_videos / dt * 60
        left = (self.videos - self.n_videos) / (self.n_videos / dt) if self.n_videos else float("nan")
        failed = f", {self.n_failed} failed" if self.n_failed else ""
        eta = f", {left:.0f} s left" if math.isfinite(left) and self.n_videos < self.videos else ""
        return (f"{self.what}: {self.n_videos}/{self.videos} videos{failed}, {self.n_shards}/{self.shards} shards, "
                f"{rate:.1f} videos/min{eta}")

    def _show(self, final=False):
        if not self.enabled:
            return
        if self.tty:
            self.stream.write("\r\033[K" + self._line() + ("\n" if final else ""))
        else:
            self.stream.write(self._line() + "\n")
        self.stream.flush()

    def video_done(self, shard):
        if shard in self.finished:   # a late message of a shard already counted whole
            return
        self.partial[shard] = self.partial.get(shard, 0) + 1
        if self.tty:
            self._show()

    def shard_done(self, shard, rows):
        self.partial.pop(shard, None)
        self.finished.add(shard)
        self.n_shards += 1
        self.finished_videos += len(rows)
        self.n_failed += sum(1 for r in rows if r.get("status") == "error")
        self._show()

    def skipped(self, shards, videos):
        self.shards -= shards
        self.videos -= videos
        if shards:
            self.note(f"{shards} shard(s) ({videos} videos) already done")

    def note(self, text):
        if self.enabled:
            self.stream.write(("\r\033[K" if self.tty else "") + f"{self.what}: {text}\n")
            self.stream.flush()

    def end(self):
        if self.tty and self.n_shards:
            self.stream.write("\n")
            self.stream.flush()


# ---------------------------------------------------------------------------------------------------------------
# The corpus


def default_shard_size(num_videos, workers):
    """About four shards per worker (stalls on a slow shard stay short), at most 256 videos a shard."""
    return max(1, min(256, math.ceil(num_videos / (4 * max(1, workers)))))


def index(model: Union[str, "os.PathLike[str]"], out: str, videos: Sequence[str] = (), manifest: Optional[str] = None,
          engine: str = "local", workers: Optional[int] = None, threads: int = 1, shard_size: Optional[int] = None,
          precision: str = "float32", strict: bool = False, address: Optional[str] = None,
          progress: bool = True) -> "Corpus":
    """Index videos (paths and/or a manifest file: read_inputs) into the corpus folder `out` -> Corpus. Reruns of
    the same job resume: finished shards are kept and skipped. workers: processes (local; default 1) or actors
    (ray; default the cluster's CPUs / threads), each with `threads` runtime threads. precision: how the
    encoded-video files store tokens ('float32', 'float16', 'int8': Video.save). strict: a video with an
    undecodable sampled frame is an error row instead of one with replaced frames."""
    from . import PRECISIONS
    model_path = os.fspath(model)
    if not os.path.isfile(model_path):
        raise CorpusError(f"model file {model_path}: no such file", 3)
    if precision not in PRECISIONS:
        raise CorpusError(f"precision must be one of {PRECISIONS}, got {precision!r}")
    if shard_size is not None and shard_size < 1:
        raise CorpusError("shard_size must be >= 1")
    Model(model_path).close()   # a bad model file is the job's error before any worker starts
    items = read_inputs(videos, manifest)
    if engine == "ray" and workers is None:   # the default shard size counts the cluster's actors
        workers = max(1, int(_ray_connect(address).cluster_resources().get("CPU", 1) // max(1, threads)))
    root = os.path.abspath(os.fspath(out))
    with _job_lock(root):
        size = shard_size or (_read_meta(root)["shard_size"] if os.path.exists(os.path.join(root, "corpus.json"))
                              else default_shard_size(len(items), workers or 1))
        meta = _plan(root, model_path, items, size, precision, strict)
        _remove_temporaries(root)
        plan = [dict(item, index=n) for n, item in enumerate(items)]
        inputs = {s: plan[s * size:(s + 1) * size] for s in range(meta["num_shards"])}
        todo = [s for s in inputs if not _finished(root, s)]
        bar = _Progress("index", len(items), meta["num_shards"], progress)
        bar.skipped(meta["num_shards"] - len(todo), len(items) - sum(len(inputs[s]) for s in todo))
        task = {"kind": "index", "root": root, "options": {"precision": precision, "strict": strict}}
        try:
            todo_inputs = {s: inputs[s] for s in todo}
            for _ in _map_shards(task, todo_inputs, model_path, engine, workers, threads, address, bar):
                pass
        finally:
            bar.end()
        _remove_temporaries(root)
    corpus = Corpus(root)
    failed = [r for r in corpus.manifest() if r["status"] != "ok"]
    if progress:
        sys.stderr.write(f"index: {len(items)} videos in {meta['num_shards']} shards at {root}: "
                         f"{len(items) - len(failed)} indexed, {len(failed)} failed\n")
        for r in failed[:20]:
            sys.stderr.write(f"  {r['id']}: {r['error']}\n")
    return corpus


class Corpus:
    """An indexed corpus folder (index() writes it): its manifest, and questions asked of it."""

    def __init__(self, root: str):
        self.root = os.path.abspath(os.fspath(root))
        self.meta = _read_meta(self.root)
        self.num_shards = int(self.meta["num_shards"])

    def finished_shards(self) -> List[int]:
        return [s for s in range(self.num_shards) if _finished(self.root, s)]

    def manifest(self) -> List[Dict[str, Any]]:
        """Every finished shard's manifest rows, in plan order."""
        pa = _pa()
        tables = [pa.parquet.read_table(os.path.join(_shard_dir(self.root, s), "manifest.parquet"))
                  for s in self.finished_shards()]
        rows = pa.concat_tables(tables).to_pylist() if tables else []
        return sorted(rows, key=lambda r: r["index"])

    def _shards(self):
        done = self.finished_shards()
        if len(done) < self.num_shards:
            sys.stderr.write(f"ask: {self.num_shards - len(done)} of {self.num_shards} shards are not indexed yet "
                             "(rerun index to finish them); asking the rest\n")
        return done

    def _map(self, kind, model, options, engine, workers, threads, address, progress):
        model_path = os.fspath(model)
        m = Model(model_path)
        try:
            _check_task(m, self.root, kind, options)
        finally:
            m.close()
        shards = self._shards()
        videos = sum(1 for r in self.manifest() if r["status"] == "ok")
        bar = _Progress("ask", videos, len(shards), progress)
        task = {"kind": kind, "root": self.root, "options": options}
        rows = []
        if engine == "local" and (workers or 1) == 1:   # one worker: this process, none to start
            with Model(model_path, threads=threads) as m:
                for s in shards:
                    shard_rows = _run_task(m, task, s, None)
                    rows += shard_rows
                    bar.shard_done(s, shard_rows)
        else:
            for _, shard_rows in _map_shards(task, dict.fromkeys(shards), model_path, engine, workers, threads,
                                             address, bar):
                rows += shard_rows
        bar.end()
        return sorted(rows, key=lambda r: r["index"])

    def answer(self, model: str, question: str, top_k: int = 5, engine: str = "local",
               workers: Optional[int] = None, threads: int = 1, address: Optional[str] = None,
               progress: bool = False) -> List[Dict[str, Any]]:
        """The question answered for every indexed video (QA head) -> rows in corpus order: index, id, path,
        answers and probabilities (top_k, most probable first), selected_frames (the K frames the model chose, as
        frame numbers of the video file) and selected_seconds (their times; None: unknown)."""
        return self._map("answer", model, {"question": question, "top_k": top_k}, engine, workers, threads,
                         address, progress)

    def find(self, model: str, text: str, top_k: int = 10, question: Optional[str] = None, by: str = "auto",
             engine: str = "local", workers: Optional[int] = None, threads: int = 1, address: Optional[str] = None,
             progress: bool = False) -> List[Dict[str, Any]]:
        """The top_k videos that best match `text` -> rows best first: rank, index, id, path, score, by. by:
        "vtm" (SPEC 7's multiple choice over videos: the VTM log p(match); ties to the first video), "cl" (the CL
        head's similarity), "qa" (the QA head's probability that `text`, one of the model's answers, answers
        `question`), or "auto": vtm, else cl, else qa, whichever head the model has."""
        m = Model(os.fspath(model))
        try:
            by = _pick_score(m, by, question)
        finally:
            m.close()
        rows = self._map("score", model, {"text": text, "by": by, "question": question}, engine, workers,
                         threads, address, progress)
        rows.sort(key=lambda r: (-r["score"], r["index"]))   # stable: ties to the first video in corpus order
        return [dict(r, rank=n + 1, by=by) for n, r in enumerate(rows[:max(0, int(top_k))])]


def _pick_score(model, by, question):
    if by == "auto":
        for head in ("vtm", "cl", "qa"):
            if head in model.heads and (head != "qa" or question is not None):
                return head
        raise CorpusError("this model has no VTM or CL head to match a text with; with a QA head, give a "
                          "question and an answer as the text")
    if by not in ("vtm", "cl", "qa"):
        raise CorpusError(f"by must be auto, vtm, cl or qa, not {by!r}")
    if by not in model.heads:
        raise CorpusError(f"this model has no {by.upper()} head (heads: {', '.join(model.heads) or 'none'})")
    if by == "qa" and question is None:
        raise CorpusError("matching with the QA head needs a question (the text is one of its answers)")
    return by


def _check_task(model, root, kind, options):
    """The errors every shard would raise, once, before any worker starts."""
    first = next((r for s in range(_read_meta(root)["num_shards"]) if _finished(root, s)
                  for r in _shard_videos(root, s)), None)
    if first is not None:   # WrongModelError unless this model's frame encoder made the corpus
        model.load_video(os.path.join(root, first["file"])).close()
    if kind == "answer":
        if "qa" not in model.heads:
            raise CorpusError(f"this model has no QA head to answer with (heads: {', '.join(model.heads)}); "
                              "use --match to find videos with its VTM/CL head")
        model.tokenize(options["question"])   # InvalidTextError for a text the model cannot take
    else:
        model.tokenize(options["text"])
        if options["by"] == "qa":
            model.tokenize(options["question"])
            if options["text"] not in model.answers:
                raise CorpusError(f"{options['text']!r} is not one of the model's answers (the QA head can only "
                                  f"match those: {', '.join(model.answers[:20])}"
                                  f"{', ...' if len(model.answers) > 20 else ''})")


def write_rows(rows: List[Dict[str, Any]], path: Optional[str], stream=None) -> None:
    """Rows as Parquet (path ending .parquet) or JSON Lines (any other path; None: `stream`, default stdout)."""
    if path is not None and os.fspath(path).endswith(".parquet"):
        pa = _pa()
        _write_atomic(os.fspath(path), lambda p: pa.parquet.write_table(pa.Table.from_pylist(rows), p))
        return
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    if path is None:
        (stream or sys.stdout).write(text)
    else:
        _write_atomic(os.fspath(path), lambda p: open(p, "w", encoding="utf-8").write(text))
