"""Concurrent calls from Python threads: the same work (encode a video and answer a question, `--jobs` times) done
sequentially on one thread and split over two Python threads, alternating over rounds; prints each round's times
and the median ratio. The runtime releases the GIL in every call (ctypes), so two threads should take about half
the time on a machine with two free cores.

    VIDEODISTILL_LIBRARY=.build/release/libvideodistill_video.so .venv/bin/python tools/benchmark/python/python_threads.py
"""

import argparse
import os
import platform
import statistics
import time
from concurrent.futures import ThreadPoolExecutor

import videodistill

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", ".."))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default=os.path.join(ROOT, "examples", "models", "shapesqa.gguf"))
    ap.add_argument("--video", default=os.path.join(ROOT, "examples", "videos", "example_0.mp4"))
    ap.add_argument("--jobs", type=int, default=8)
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    model = videodistill.Model(args.model, threads=1)
    question = "what colour is the shape that flashed?"

    def job(_):
        return model.answer(model.encode_video(args.video, threads=1), question, top_k=1).answers[0]

    def sequential():
        return [job(i) for i in range(args.jobs)]

    def two_threads():
        with ThreadPoolExecutor(max_workers=2) as pool:
            return list(pool.map(job, range(args.jobs)))

    assert sequential() == two_threads()   # warm-up, and the same answers
    ratios = []
    for r in range(args.rounds):
        times = []
        for f in (sequential, two_threads):
            t0 = time.perf_counter()
            f()
            times.append(time.perf_counter() - t0)
        ratios.append(times[0] / times[1])
        print(f"round {r + 1}: sequential {times[0]:.3f} s, two threads {times[1]:.3f} s, speed-up {ratios[-1]:.2f}x")
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs: {args.jobs} jobs (encode + answer), "
          f"median speed-up of two Python threads over one: {statistics.median(ratios):.2f}x")


if __name__ == "__main__":
    main()
