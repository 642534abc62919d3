#!/usr/bin/env python3
"""Side-by-side speed of this runtime and ONNX Runtime on the same exported VideoDistill graphs (issue 8).

One command: makes a model with random weights (SPEC 9's paper config by default), exports it to ONNX, converts
it to our fp32 and int8 files, quantizes the ONNX graphs with ONNX Runtime's `quantize_dynamic` (per channel),
then measures, each side in its own subprocess (so peak memory is that side's alone), on the same threads:

  - frame encoder: frames per second over an N-frame video (pixels in, tokens out);
  - answer: latency of one answer from cached frame tokens (question ids / text in, all outputs);
  - cold answer: encode + answer;
  - peak resident memory of the process.

Medians of --runs runs. Prints a markdown table with ratios, the machine and the date.

    pip install torch onnx onnxruntime
    swift build -c release
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python3 tools/benchmark/peers/compare_peers.py --threads 2

(OPENBLAS_CORETYPE is unset for every side: MACHINE.md.) ONNX Runtime does not use OpenBLAS; our fp32 GEMMs do, and
Debian's OpenBLAS 0.3.21 picks its kernels from the CPU model it knows: on CPUs newer than it (e.g. Intel Xeons with
AVX512-FP16) it falls back to Prescott (SSE3) kernels, 3-5x slower. `--ours-coretype SkylakeX` sets
OPENBLAS_CORETYPE for our sides only; the table names the OpenBLAS core each of our sides ran.
"""

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", ".."))

SMALL = dict(image_size=64, resize_short=72, patch_size=16, vision_width=192, vision_layers=4, vision_heads=3,
             text_width=128, text_layers=2, text_heads=2, vocab_size=49408, context_length=77,
             text_embed_dim=128, model_dim=256, model_heads=4, fs_layers=2, vr_layers=2, num_frames=16,
             num_selected=4, qa_hidden=256, mean=[0.48145466, 0.4578275, 0.40821073],
             std=[0.26862954, 0.26130258, 0.27577711], clip_ln_eps=1e-5, ln_eps=1e-6)
QUESTION = "what happens right after the red ball flashes?"


def prepare(work, small, answers):
    """Export + convert + quantize once; returns the paths."""
    import torch
    from vdref.config import PAPER
    from vdref.export import export
    from vdref.model import VideoDistill, init_random

    cfg = dict(SMALL if small else PAPER)
    paths = {k: os.path.join(work, v) for k, v in dict(
        fp32_dir="onnx_fp32", int8_dir="onnx_int8", gguf_f32="model-f32.gguf", gguf_int8="model-int8-fast.gguf").items()}
    fe, an = os.path.join(paths["fp32_dir"], "frame_encoder.onnx"), os.path.join(paths["fp32_dir"], "answerer.onnx")
    if not os.path.exists(an):
        t = time.time()
        model = init_random(VideoDistill(cfg, [f"answer {i}" for i in range(answers)]).eval(), 0)
        with torch.no_grad():
            export(model, paths["fp32_dir"])
        print(f"exported in {time.time() - t:.0f} s", file=sys.stderr)
    tool = os.environ.get("CONVERT_WEIGHTS") or os.path.join(ROOT, ".build", "release", "convert-weights")
    for kind in ("f32", "int8"):
        out = paths["gguf_" + kind]
        if not os.path.exists(out):
            # int8: the ViT blocks too ("fast"), as ONNX Runtime's quantize_dynamic makes every MatMul int8.
            r = subprocess.run([tool, fe, an, "-o", out, "--type", kind] + (["--keep-f32", "fast"] if kind == "int8" else []),
                               capture_output=True, text=True)
            if r.returncode != 0:
                print(f"convert-weights --type {kind} failed: {r.stderr.strip()}", file=sys.stderr)
    from onnxruntime.quantization import QuantType, quantize_dynamic
    os.makedirs(paths["int8_dir"], exist_ok=True)
    for name in ("frame_encoder.onnx", "answerer.onnx"):
        out = os.path.join(paths["int8_dir"], name)
        if not os.path.exists(out):
            quantize_dynamic(os.path.join(paths["fp32_dir"], name), out, per_channel=True,
                             weight_type=QuantType.QInt8, use_external_data_format=not small)
    paths["config"] = cfg
    return paths


def peak_rss_mb():
    """This process's peak resident memory (VmHWM: per address space, so a fork's parent does not count)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def _median_times(fn, runs):
    fn()  # warm-up
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), times


def worker(side, paths, threads, runs, frames):
    """Runs in a subprocess: measures one side, prints JSON."""
    import numpy as np
    cfg = paths["config"]
    S, N = cfg["image_size"], cfg["num_frames"]
    rng = np.random.default_rng(0)
    pixels = rng.standard_normal((frames, 3, S, S), dtype=np.float32)
    video_pixels = rng.standard_normal((N, 3, S, S), dtype=np.float32)
    out = {}
    if side.startswith("ort"):
        import onnxruntime as ort
        from vdref.tokenizer import Tokenizer
        out["baseline_rss_mb"] = peak_rss_mb()
        d = paths["fp32_dir" if side == "ort-fp32" else "int8_dir"]
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        fe = ort.InferenceSession(os.path.join(d, "frame_encoder.onnx"), opts, providers=["CPUExecutionProvider"])
        an = ort.InferenceSession(os.path.join(d, "answerer.onnx"), opts, providers=["CPUExecutionProvider"])
        tokenizer = Tokenizer()

        def encode(p):
            return fe.run(None, {"pixels": p})[0]

        def answer(tok):  # question text -> ids -> every output, as our answer does
            ids = tokenizer.tokenize(QUESTION, cfg["context_length"])[None]
            return an.run(None, {"tokens": tok, "token_ids": ids})

        tokens = encode(video_pixels)
        out["encode_s"], _ = _median_times(lambda: encode(pixels), runs)
        out["answer_s"], _ = _median_times(lambda: answer(tokens), runs)
        out["cold_s"], _ = _median_times(lambda: answer(encode(video_pixels)), max(1, runs // 2))
    else:
        import videodistill
        from vdref.tokenizer import Tokenizer  # noqa: F401  (same imports as the ORT side, for the baseline)
        out["baseline_rss_mb"] = peak_rss_mb()
        out["blas_core"] = openblas_core()
        kind = "f32" if side == "ours-fp32" else "int8"
        model = videodistill.Model(paths["gguf_" + kind], threads=threads)
        # Frames per second of the frame encoder alone: a video of `frames` frames is N frames for the API,
        # so time whole N-frame encodes and scale by frames encoded.
        video = model.encode_pixels(video_pixels)
        out["encode_s"], _ = _median_times(lambda: model.encode_pixels(video_pixels), runs)
        out["encode_s"] *= frames / N
        out["answer_s"], _ = _median_times(lambda: model.answer(video, QUESTION), runs)
        out["cold_s"], _ = _median_times(lambda: model.answer(model.encode_pixels(video_pixels), QUESTION),
                                         max(1, runs // 2))
    out["fps"] = frames / out["encode_s"]
    out["peak_rss_mb"] = peak_rss_mb()
    print(json.dumps(out))


def openblas_core():
    """The kernels OpenBLAS chose in this process (the runtime links the system libopenblas.so.0)."""
    import ctypes
    try:
        lib = ctypes.CDLL("libopenblas.so.0")
        lib.openblas_get_corename.restype = ctypes.c_char_p
        return lib.openblas_get_corename().decode()
    except (OSError, AttributeError):
        return "unknown"


def cpu_name():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--runs", type=int, default=5, help="timed runs per side per round")
    ap.add_argument("--rounds", type=int, default=1, help="rounds of all sides, alternating order (drift)")
    ap.add_argument("--small", action="store_true", help="a small config that runs in seconds")
    ap.add_argument("--answers", type=int, default=1500)
    ap.add_argument("--work", default=os.path.join(tempfile.gettempdir(), "vd-compare-ort"))
    ap.add_argument("--sides", default="ort-fp32,ours-fp32,ort-int8,ours-int8")
    ap.add_argument("--ours-coretype", help="OPENBLAS_CORETYPE for our sides only (default: the environment's)")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    args = ap.parse_args()
    work = args.work + ("-small" if args.small else "")
    os.makedirs(work, exist_ok=True)
    paths_file = os.path.join(work, "paths.json")
    if args.worker:  # a measuring subprocess: no torch, only the side it measures
        with open(paths_file) as f:
            paths = json.load(f)
        worker(args.worker, paths, args.threads, args.runs, paths["config"]["num_frames"])
        return
    paths = prepare(work, args.small, args.answers)
    with open(paths_file, "w") as f:
        json.dump(paths, f)
    # --rounds R: every side runs once per round, in an order that alternates, so that a host whose speed drifts
    # (a shared machine) slows both sides alike; each figure is the median over rounds of that side's medians.
    sides = args.sides.split(",")
    per_round = {side: [] for side in sides}
    for rnd in range(args.rounds):
        for side in (sides if rnd % 2 == 0 else sides[::-1]):
            env = dict(os.environ)
            if args.ours_coretype and side.startswith("ours"):
                env["OPENBLAS_CORETYPE"] = args.ours_coretype
            r = subprocess.run([sys.executable, __file__, "--worker", side, "--threads", str(args.threads),
                                "--runs", str(args.runs), "--work", args.work, "--answers", str(args.answers)]
                               + (["--small"] if args.small else []), capture_output=True, text=True, env=env)
            if r.returncode != 0:
                print(f"{side} failed:\n{r.stderr[-2000:]}", file=sys.stderr)
                continue
            per_round[side].append(json.loads(r.stdout.strip().splitlines()[-1]))
        if args.rounds > 1:
            print(f"round {rnd + 1}/{args.rounds} done", file=sys.stderr)
    results = {}
    for side, rounds in per_round.items():
        if rounds:
            results[side] = dict(rounds[0])
            for key in ("encode_s", "answer_s", "cold_s", "fps"):
                results[side][key] = statistics.median(r[key] for r in rounds)
            results[side]["peak_rss_mb"] = max(r["peak_rss_mb"] for r in rounds)
    if args.rounds > 1:   # the same-round ratios, to show how much the host moved
        for kind in ("fp32", "int8"):
            o, t = per_round.get("ours-" + kind, []), per_round.get("ort-" + kind, [])
            pairs = list(zip(o, t))
            if pairs:
                fe = sorted(a["fps"] / b["fps"] for a, b in pairs)
                an = sorted(b["answer_s"] / a["answer_s"] for a, b in pairs)
                print(f"{kind} per round: frame encoder {fe[0]:.2f}-{fe[-1]:.2f}x, answer {an[0]:.2f}-{an[-1]:.2f}x",
                      file=sys.stderr)
    sizes = {k: os.path.getsize(paths["gguf_" + k]) / 2**20 for k in ("f32", "int8")
             if os.path.exists(paths["gguf_" + k])}
    cfg = paths["config"]
    tokens_mb = cfg["num_frames"] * (1 + (cfg["image_size"] // cfg["patch_size"]) ** 2) * cfg["vision_width"] * 4 / 2**20
    print(f"\n{'paper' if not args.small else 'small'} config, {args.threads} threads, medians of {args.runs} runs"
          + (f" x {args.rounds} alternating rounds" if args.rounds > 1 else "") + "; "
          f"{cpu_name()}; {datetime.date.today()}; OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(unset)')}"
          + (f" (ours: {args.ours_coretype})" if args.ours_coretype else "") + "\n")
    print("| side | frame encoder (frames/s) | answer from cached tokens (ms) | cold answer (s) | peak RSS (MiB) "
          "| peak RSS above the Python baseline (MiB) |")
    print("|---|---|---|---|---|---|")
    for side, r in results.items():
        above = r["peak_rss_mb"] - r["baseline_rss_mb"]
        name = f"{side} (OpenBLAS {r['blas_core']})" if "blas_core" in r else side
        print(f"| {name} | {r['fps']:.2f} | {1000 * r['answer_s']:.0f} | {r['cold_s']:.2f} | {r['peak_rss_mb']:.0f} "
              f"| {above:.0f} |")
    print()
    for kind in ("fp32", "int8"):
        o, t = results.get("ours-" + kind), results.get("ort-" + kind)
        if o and t:
            print(f"- {kind}: frame encoder {o['fps'] / t['fps']:.2f}x ONNX Runtime; answer "
                  f"{t['answer_s'] / o['answer_s']:.2f}x; cold answer {t['cold_s'] / o['cold_s']:.2f}x")
    for kind, key in (("f32", "ours-fp32"), ("int8", "ours-int8")):
        if key in results and kind in sizes:
            budget = sizes[kind] * 1.25 + tokens_mb
            above = results[key]["peak_rss_mb"] - results[key]["baseline_rss_mb"]
            print(f"- {key}: peak RSS above the interpreter {above:.0f} MiB vs budget (file {sizes[kind]:.0f} MiB "
                  f"+ 25% + one video's tokens {tokens_mb:.0f} MiB) = {budget:.0f} MiB")


if __name__ == "__main__":
    main()
