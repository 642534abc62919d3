"""Corpus indexing throughput and worker memory (issue 16): videos per minute of `videodistill.corpus.index` with 1
and 2 workers (local processes, and Ray Data actors on a local Ray cluster) against the plain single-process loop
(Model.encode_video + Video.save per video, nothing else) at the same number of cores, the sides alternating over
rounds (the host drifts); and each worker's peak RSS and PSS (/proc/PID/smaps_rollup) next to the model file's
size, the part of the worker's PSS that is the mapped model file, and one video's tokens.

    .venv/bin/python tools/benchmark/python/corpus_bench.py [--model M] [--videos N] [--rounds R] [--json OUT]

Every job indexes the same N videos (generated once with ffmpeg: --size, --seconds, --fps) into a fresh folder;
a job's time includes starting its workers (and, for Ray, its actors; the cluster itself is started once before the
rounds, as a cluster is up before a job). Targets: ray(1 worker) >= 0.9 x plain(1 thread), ray(2 workers) >= 0.9 x
plain(2 threads), local/ray 2 one-thread workers >= 1.8 x one.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", ".."))


def make_videos(folder, n, size, seconds, fps):
    paths = []
    sources = ["testsrc", "testsrc2", "smptebars", "rgbtestsrc"]
    for i in range(n):
        path = os.path.join(folder, f"v{i:04d}.mp4")
        if not os.path.exists(path):
            # a different pattern and start per video, so no two files decode alike
            src = f"{sources[i % len(sources)]}=size={size}:rate={fps}"
            subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", src, "-ss", str(i % 7), "-t",
                            str(seconds), "-c:v", "mpeg4", "-q:v", "4", "-pix_fmt", "yuv420p", path], check=True)
        paths.append(path)
    return paths


def plain_loop(model_path, paths, threads, out):
    """The baseline: one process, one model, the same per-video work as a shard (encode, save)."""
    import videodistill as vd
    t0, per_video = time.perf_counter(), []
    with vd.Model(model_path, threads=threads) as model:
        for n, p in enumerate(paths):
            t1 = time.perf_counter()
            with model.encode_video(p, decode_threads=threads) as v:   # as a corpus worker decodes
                v.save(os.path.join(out, f"{n:08d}.vdv"))
            per_video.append(time.perf_counter() - t1)
    return time.perf_counter() - t0, statistics.median(per_video)


def _smaps(pid):
    """(RSS, PSS, anonymous) in bytes of process pid (/proc/PID/smaps_rollup)."""
    got = {"Rss:": 0, "Pss:": 0, "Anonymous:": 0}
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                key = line.split(maxsplit=1)[0]
                if key in got:
                    got[key] = int(line.split()[1]) * 1024
    except OSError:
        pass
    return got["Rss:"], got["Pss:"], got["Anonymous:"]


def idle_worker_memory():
    """What a worker process holds before any model: the interpreter with the modules a worker imports."""
    code = ("import os, numpy, pyarrow.parquet, videodistill, videodistill.corpus; "
            "print(open('/proc/self/smaps_rollup').read())")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    got = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[0] in ("Rss:", "Pss:", "Anonymous:"):
            got[parts[0][:-1].lower()] = int(parts[1]) * 1024
    return got


def _mapped_pss(pid, path):
    total, current = 0, False
    try:
        with open(f"/proc/{pid}/smaps") as f:
            for line in f:
                fields = line.split()
                if len(fields) >= 5 and "-" in fields[0] and ":" in fields[3]:   # a mapping's header line
                    current = len(fields) >= 6 and fields[5] == path
                elif current and line.startswith("Pss:"):
                    total += int(fields[1]) * 1024
    except OSError:
        pass
    return total


def _workers(engine):
    """The pids of this job's workers: local, this process' children running the package's worker; ray, the
    MapWorker actors' processes."""
    me, out = os.getpid(), []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/cmdline", "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
            with open(f"/proc/{d}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except OSError:
            continue
        if engine == "local" and ppid == me and "multiprocessing" in cmd and "resource_tracker" not in cmd:
            out.append(int(d))
        elif engine == "ray" and "MapWorker" in cmd:
            out.append(int(d))
    return out


class MemoryWatch:
    """Samples the job's workers every 50 ms: the peak RSS and PSS of any one worker, and of its model mapping."""

    def __init__(self, engine, model_file):
        self.engine, self.model_file = engine, os.path.realpath(model_file)
        self.rss = self.pss = self.anon = self.model_pss = 0
        self.seen = set()
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            for pid in _workers(self.engine):
                rss, pss, anon = _smaps(pid)
                self.seen.add(pid)
                if pss > self.pss:
                    self.rss, self.pss, self.anon = rss, pss, anon
                self.model_pss = max(self.model_pss, _mapped_pss(pid, self.model_file))
            self._stop.wait(0.05)

    def __enter__(self):
        self._t.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._t.join()


def _cpu_name():
    try:
        with open("/proc/cpuinfo") as f:
            return next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        return "unknown CPU"


def engine_job(model_path, paths, engine, workers, out):
    from videodistill import corpus
    t0 = time.perf_counter()
    c = corpus.index(model_path, out, paths, engine=engine, workers=workers, threads=1, progress=False)
    # the manifest's per-video seconds: the same work as one plain-loop iteration, timed inside the worker
    return time.perf_counter() - t0, statistics.median(r["seconds"] for r in c.manifest())


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default=os.path.join(ROOT, "examples", "models", "shapesqa.gguf"))
    ap.add_argument("--videos", type=int, default=240)
    ap.add_argument("--size", default="320x240")
    ap.add_argument("--seconds", type=float, default=8)
    ap.add_argument("--fps", type=int, default=25)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--sides", default="plain1,local1,ray1,plain2,local2,ray2")
    ap.add_argument("--cache", default=os.path.join(tempfile.gettempdir(), "vd-corpus-bench-videos"),
                    help="where the generated videos are kept between runs")
    ap.add_argument("--json", help="write the results here too")
    args = ap.parse_args()

    import videodistill as vd
    os.makedirs(args.cache, exist_ok=True)
    paths = make_videos(args.cache, args.videos, args.size, args.seconds, args.fps)
    sides = args.sides.split(",")
    if any(s.startswith("ray") for s in sides):
        import ray
        ray.init(num_cpus=os.cpu_count(), include_dashboard=False, logging_level="WARNING", log_to_driver=False)
    with vd.Model(args.model) as m:
        c = m.config
        token_bytes = c["num_frames"] * (1 + c["patches_per_frame"]) * c["vision_width"] * 4
    times = {s: [] for s in sides}
    per_video = {s: [] for s in sides}
    memory = {}
    startup = {e: [] for e in ("local", "ray") if any(s.startswith(e) for s in sides)}
    for r in range(args.rounds):
        order = sides if r % 2 == 0 else sides[::-1]
        for side in order:
            out = tempfile.mkdtemp(prefix="vd-corpus-bench-")
            try:
                n = int(side[-1])
                if side.startswith("plain"):
                    dt, one = plain_loop(args.model, paths, n, out)
                else:
                    engine = side[:-1]
                    with MemoryWatch(engine, args.model) as watch:
                        dt, one = engine_job(args.model, paths, engine, n, os.path.join(out, "c"))
                    if watch.pss > memory.get(side, {}).get("pss", 0):
                        memory[side] = {"rss": watch.rss, "pss": watch.pss, "anon": watch.anon,
                                        "model_pss": watch.model_pss, "workers_seen": len(watch.seen)}
            finally:
                shutil.rmtree(out, ignore_errors=True)
            times[side].append(dt)
            per_video[side].append(one)
            print(f"round {r + 1} {side}: {dt:.2f} s, {len(paths) / dt * 60:.0f} videos/min", file=sys.stderr)
        for engine in startup:   # a one-video job: what a job costs before its videos (workers, models)
            out = tempfile.mkdtemp(prefix="vd-corpus-bench-")
            try:
                startup[engine].append(engine_job(args.model, paths[:1], engine, 1, os.path.join(out, "c"))[0])
            finally:
                shutil.rmtree(out, ignore_errors=True)

    rate = {s: len(paths) / statistics.median(t) * 60 for s, t in times.items()}
    result = {"videos": len(paths), "video": f"{args.size} {args.seconds} s {args.fps} fps mpeg4",
              "model": os.path.basename(args.model), "model_bytes": os.path.getsize(args.model),
              "tokens_bytes": token_bytes, "rounds": args.rounds, "cpus": os.cpu_count(),
              "videos_per_min": {s: round(v, 1) for s, v in rate.items()},
              "seconds": {s: [round(x, 3) for x in t] for s, t in times.items()}, "worker_memory": memory,
              "per_video_ms": {s: round(statistics.median(t) * 1000, 1) for s, t in per_video.items()},
              "one_video_job_s": {e: round(statistics.median(t), 2) for e, t in startup.items()},
              "idle_worker": idle_worker_memory(), "host_load_1min": os.getloadavg()[0],
              "cpu": _cpu_name()}
    ratios = {}
    for a, b in (("ray1", "plain1"), ("local1", "plain1"), ("ray2", "plain2"), ("local2", "plain2"),
                 ("local2", "local1"), ("ray2", "ray1")):
        if a in rate and b in rate:
            ratios[f"{a}/{b}"] = round(rate[a] / rate[b], 3)
    result["ratios"] = ratios
    print(f"{len(paths)} videos ({result['video']}), {args.rounds} rounds, medians, {os.cpu_count()} CPUs")
    print("| side | videos/min (job) | one video (median ms, timed in the worker) |")
    print("|---|---|---|")
    for s in sides:
        print(f"| {s} | {rate[s]:.0f} | {result['per_video_ms'][s]:.1f} |")
    for k, v in ratios.items():
        print(f"{k}: {v:.2f}")
    for e, t in result["one_video_job_s"].items():
        print(f"a one-video {e} job: {t:.2f} s (median)")
    mb = 1 / 1e6
    idle = result["idle_worker"]
    print(f"model file {result['model_bytes'] * mb:.1f} MB, one video's tokens {token_bytes * mb:.2f} MB; a process "
          f"with a worker's imports and no model: RSS {idle['rss'] * mb:.0f} MB, PSS {idle['pss'] * mb:.0f} MB, "
          f"anonymous {idle['anonymous'] * mb:.0f} MB")
    for s, m in memory.items():
        print(f"{s} worker peak: RSS {m['rss'] * mb:.0f} MB, PSS {m['pss'] * mb:.0f} MB, anonymous "
              f"{m['anon'] * mb:.0f} MB; the mapped model file's PSS {m['model_pss'] * mb:.1f} MB")
    print(f"{result['cpu']}, load average {result['host_load_1min']:.2f} at the end")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()
