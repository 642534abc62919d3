#!/usr/bin/env python3
"""Side-by-side speed of this runtime, ONNX Runtime and OpenVINO on the same exported VideoDistill graphs (issue 17).

One command: makes a model with random weights (SPEC 9's paper config by default), exports it to ONNX, converts
it to our files (fp32; int8 with the default policy, what `convert-weights --type int8` gives users; int8 with
`--keep-f32 fast`), quantizes the ONNX graphs with ONNX Runtime's `quantize_dynamic` (per channel) and, for
OpenVINO, with NNCF (static post-training quantization, model type TRANSFORMER, on random pixels and tokenized
random questions; and `nncf.compress_weights` INT8_SYM, run with OpenVINO's dynamic activation quantization),
caches all of it in the work folder, then measures, each side in its own subprocess (so peak memory is that side's
alone), on the same threads:

  - frame encoder: frames per second over --frames frames (pixels in, tokens out);
  - answer: latency of one answer from cached frame tokens (question text in, through the same tokenizer, all
    outputs);
  - cold answer: encode an N-frame video + answer;
  - peak resident memory of the process.

Sides (--sides): ort-fp32, ort-int8 (ONNX Runtime); ov-fp32 (INFERENCE_PRECISION_HINT f32), ov-int8-ptq (NNCF
static PTQ), ov-int8-wc (NNCF INT8_SYM weights + DYNAMIC_QUANTIZATION_GROUP_SIZE); ours-fp32, ours-int8 (the
default int8 file), ours-int8-fast (`--keep-f32 fast`). OpenVINO runs with INFERENCE_NUM_THREADS = --threads,
NUM_STREAMS 1 and PERFORMANCE_HINT LATENCY; the precision hint, thread count and group size are read back from
the compiled model and printed with the kinds of kernels its execution graph ran.

Medians of --runs runs per side per round; --rounds R runs every side once per round in alternating order (a shared
host drifts), and every ratio the targets name is also taken per round (ours against the best peer of that round)
and printed as a min-max spread with a verdict: met, missed, or "not settled" when the spread straddles the target.

    pip install -r tools/requirements-test.txt -r tools/requirements-torch.txt -r tools/requirements-bench.txt
    swift build -c release
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python3 tools/benchmark/peers/compare_peers.py --threads 2 --rounds 3

(OPENBLAS_CORETYPE is unset for every side: MACHINE.md.) The peers do not use OpenBLAS; our fp32 GEMMs do, and
Debian's OpenBLAS 0.3.21 picks its kernels from the CPU model it knows: on CPUs newer than it (e.g. Intel Xeons with
AVX512-FP16) it falls back to Prescott (SSE3) kernels, 3-5x slower. `--ours-coretype SkylakeX` sets
OPENBLAS_CORETYPE for our sides only; the table names the OpenBLAS core each of our sides ran.

`--isa avx2` emulates an AVX2-only CPU as far as the engines allow: our sides get VD_ISA=avx2 and
OPENBLAS_CORETYPE=Haswell, OpenVINO's ONEDNN_MAX_CPU_ISA=AVX2 (its oneDNN kernels obey it; the MLAS GEMMs inside
OpenVINO and some of its own JIT kernels do not: the execution-graph line shows which ran), and ONNX Runtime has no
such cap (MLAS picks its kernels from cpuid): its sides run with the CPU's full ISA, and the table says so.
"""

import argparse
import collections
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
ALL_SIDES = ["ort-fp32", "ov-fp32", "ours-fp32", "ort-int8", "ov-int8-ptq", "ov-int8-wc", "ours-int8", "ours-int8-fast"]
FP32_PEERS = ["ort-fp32", "ov-fp32"]
INT8_PEERS = ["ort-int8", "ov-int8-ptq", "ov-int8-wc"]
# Our converted files: the cache names say the policy (an older cache's model-int8.gguf is never reused).
OURS = {"ours-fp32": ("gguf_f32", ["--type", "f32"]),
        "ours-int8": ("gguf_int8_default", ["--type", "int8"]),
        "ours-int8-fast": ("gguf_int8_fast", ["--type", "int8", "--keep-f32", "fast"])}
WORDS = ("what which who where when how many color shape ball cube square circle red green blue yellow moves "
         "flashes appears after before first last left right top bottom happens the a is does of in on").split()


def prepare(work, small, answers, sides, ptq_samples):
    """Export + convert + quantize once; returns the paths."""
    import torch
    from vdref.config import PAPER
    from vdref.export import export
    from vdref.model import VideoDistill, init_random

    cfg = dict(SMALL if small else PAPER)
    paths = {k: os.path.join(work, v) for k, v in dict(
        fp32_dir="onnx_fp32", int8_dir="onnx_int8", gguf_f32="model-f32.gguf",
        gguf_int8_default="model-int8-default.gguf", gguf_int8_fast="model-int8-fast.gguf",
        ov_ptq_dir=f"ov_int8_ptq_s{ptq_samples}", ov_wc_dir="ov_int8_wc").items()}
    fe, an = os.path.join(paths["fp32_dir"], "frame_encoder.onnx"), os.path.join(paths["fp32_dir"], "answerer.onnx")
    if not os.path.exists(an):
        t = time.time()
        model = init_random(VideoDistill(cfg, [f"answer {i}" for i in range(answers)]).eval(), 0)
        with torch.no_grad():
            export(model, paths["fp32_dir"])
        print(f"exported in {time.time() - t:.0f} s", file=sys.stderr)
    tool = os.environ.get("CONVERT_WEIGHTS") or os.path.join(ROOT, ".build", "release", "convert-weights")
    for side, (key, flags) in OURS.items():
        out = paths[key]
        if side in sides and not os.path.exists(out):
            r = subprocess.run([tool, fe, an, "-o", out] + flags, capture_output=True, text=True)
            if r.returncode != 0:
                print(f"convert-weights {' '.join(flags)} failed: {r.stderr.strip()}", file=sys.stderr)
    if "ort-int8" in sides:
        from onnxruntime.quantization import QuantType, quantize_dynamic
        os.makedirs(paths["int8_dir"], exist_ok=True)
        for name in ("frame_encoder.onnx", "answerer.onnx"):
            out = os.path.join(paths["int8_dir"], name)
            if not os.path.exists(out):
                quantize_dynamic(os.path.join(paths["fp32_dir"], name), out, per_channel=True,
                                 weight_type=QuantType.QInt8, use_external_data_format=not small)
    paths["config"] = cfg
    if "ov-int8-ptq" in sides or "ov-int8-wc" in sides:
        prepare_openvino(paths, cfg, sides, ptq_samples)
    return paths


def _folded(core, onnx_path):
    """The ONNX graph as an OpenVINO model with its constant subgraphs folded: the exported Linear weights reach
    their MatMul through a Transpose, and NNCF compresses or quantizes a weight only when it is a constant."""
    try:
        from openvino.passes import ConstantFolding, Manager
    except ImportError:  # older OpenVINO
        from openvino.runtime.passes import ConstantFolding, Manager
    model = core.read_model(onnx_path)
    manager = Manager()
    manager.register_pass(ConstantFolding())
    manager.run_passes(model)
    return model


def prepare_openvino(paths, cfg, sides, ptq_samples):
    """NNCF's two int8 forms of the exported graphs, saved as OpenVINO IR in the work folder (made once)."""
    import numpy as np
    import openvino as ov
    import nncf
    from vdref.tokenizer import Tokenizer

    core = ov.Core()
    fe_onnx = os.path.join(paths["fp32_dir"], "frame_encoder.onnx")
    an_onnx = os.path.join(paths["fp32_dir"], "answerer.onnx")
    S, N = cfg["image_size"], cfg["num_frames"]
    if "ov-int8-wc" in sides and not os.path.exists(os.path.join(paths["ov_wc_dir"], "answerer.xml")):
        t = time.time()
        os.makedirs(paths["ov_wc_dir"], exist_ok=True)
        for name, src in (("frame_encoder", fe_onnx), ("answerer", an_onnx)):
            q = nncf.compress_weights(_folded(core, src), mode=nncf.CompressWeightsMode.INT8_SYM)
            ov.save_model(q, os.path.join(paths["ov_wc_dir"], name + ".xml"), compress_to_fp16=False)
        print(f"NNCF compress_weights INT8_SYM in {time.time() - t:.0f} s", file=sys.stderr)
    if "ov-int8-ptq" in sides and not os.path.exists(os.path.join(paths["ov_ptq_dir"], "answerer.xml")):
        t = time.time()
        os.makedirs(paths["ov_ptq_dir"], exist_ok=True)
        rng = np.random.default_rng(1)
        # Frame encoder: random pixels (the distribution the benchmark feeds), a few frames per sample.
        per = max(1, min(4, N))
        fe_data = [{"pixels": rng.standard_normal((per, 3, S, S), dtype=np.float32)} for _ in range(ptq_samples)]
        q = nncf.quantize(_folded(core, fe_onnx), nncf.Dataset(fe_data), model_type=nncf.ModelType.TRANSFORMER,
                          subset_size=len(fe_data))
        ov.save_model(q, os.path.join(paths["ov_ptq_dir"], "frame_encoder.xml"), compress_to_fp16=False)
        # Answerer: the fp32 frame tokens of one random video (frames shuffled per sample) and tokenized random
        # questions through the same tokenizer as every side.
        fp32 = core.compile_model(core.read_model(fe_onnx), "CPU", {"INFERENCE_PRECISION_HINT": "f32"})
        tokens = fp32.create_infer_request().infer({"pixels": rng.standard_normal((N, 3, S, S), dtype=np.float32)})
        tokens = next(iter(tokens.values()))
        del fp32
        tokenizer = Tokenizer()
        an_data = []
        for _ in range(ptq_samples):
            question = " ".join(rng.choice(WORDS, size=int(rng.integers(4, 12)))) + "?"
            an_data.append({"tokens": np.ascontiguousarray(tokens[rng.permutation(N)]),
                            "token_ids": tokenizer.tokenize(question, cfg["context_length"])[None]})
        q = nncf.quantize(_folded(core, an_onnx), nncf.Dataset(an_data), model_type=nncf.ModelType.TRANSFORMER,
                          subset_size=len(an_data))
        ov.save_model(q, os.path.join(paths["ov_ptq_dir"], "answerer.xml"), compress_to_fp16=False)
        print(f"NNCF static PTQ ({ptq_samples} samples per graph) in {time.time() - t:.0f} s", file=sys.stderr)


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


def _ov_exec_summary(compiled):
    """Kinds of kernels the compiled model's execution graph runs for its products: 'count x layer precision
    primitive' (the primitive names the ISA, e.g. brgemm_avx512_f32, jit_avx2; gemm_mlas_* is MLAS)."""
    count = collections.Counter()
    for op in compiled.get_runtime_model().get_ops():
        rt = op.get_rt_info()
        layer = rt["layerType"].astype(str)
        if layer in ("FullyConnected", "MatMul", "Convolution"):
            count[f"{layer} {rt['runtimePrecision'].astype(str)} {rt['primitiveType'].astype(str)}"] += 1
    return ", ".join(f"{n}x {k}" for k, n in sorted(count.items()))


def worker(side, paths, threads, runs, frames, dq_group):
    """Runs in a subprocess: measures one side, prints JSON."""
    import numpy as np
    cfg = paths["config"]
    S, N = cfg["image_size"], cfg["num_frames"]
    rng = np.random.default_rng(0)
    pixels = rng.standard_normal((frames, 3, S, S), dtype=np.float32)
    video_pixels = rng.standard_normal((N, 3, S, S), dtype=np.float32)
    out = {"frames": frames}
    if side.startswith("ort") or side.startswith("ov"):
        from vdref.tokenizer import Tokenizer
        if side.startswith("ort"):
            import onnxruntime as ort
            out["baseline_rss_mb"] = peak_rss_mb()
            out["version"] = "ONNX Runtime " + ort.__version__
            d = paths["fp32_dir" if side == "ort-fp32" else "int8_dir"]
            opts = ort.SessionOptions()
            opts.intra_op_num_threads = threads
            opts.inter_op_num_threads = 1
            fe = ort.InferenceSession(os.path.join(d, "frame_encoder.onnx"), opts, providers=["CPUExecutionProvider"])
            an = ort.InferenceSession(os.path.join(d, "answerer.onnx"), opts, providers=["CPUExecutionProvider"])

            def run_fe(p):
                return fe.run(None, {"pixels": p})[0]

            def run_an(tok, ids):
                return an.run(None, {"tokens": tok, "token_ids": ids})
        else:
            import openvino as ov
            import openvino.properties as props
            import openvino.properties.hint as hints
            out["baseline_rss_mb"] = peak_rss_mb()
            out["version"] = "OpenVINO " + ov.__version__.split("-")[0]
            core = ov.Core()
            if side == "ov-fp32":
                files = [os.path.join(paths["fp32_dir"], n + ".onnx") for n in ("frame_encoder", "answerer")]
            else:
                d = paths["ov_ptq_dir" if side == "ov-int8-ptq" else "ov_wc_dir"]
                files = [os.path.join(d, n + ".xml") for n in ("frame_encoder", "answerer")]
            config = {hints.inference_precision: ov.Type.f32, props.inference_num_threads: threads,
                      props.num_streams: 1, hints.performance_mode: hints.PerformanceMode.LATENCY}
            if side == "ov-int8-wc":
                config[hints.dynamic_quantization_group_size] = dq_group
            compiled = [core.compile_model(core.read_model(f), "CPU", config) for f in files]
            c = compiled[0]
            out["ov_precision"] = str(c.get_property(hints.inference_precision).get_type_name())
            out["ov_threads"] = int(c.get_property(props.inference_num_threads))
            out["ov_streams"] = int(c.get_property(props.num_streams))
            out["ov_dq_group"] = int(c.get_property(hints.dynamic_quantization_group_size))
            out["ov_readback_agree"] = all(
                str(x.get_property(hints.inference_precision)) == str(c.get_property(hints.inference_precision))
                and int(x.get_property(props.inference_num_threads)) == out["ov_threads"]
                and int(x.get_property(hints.dynamic_quantization_group_size)) == out["ov_dq_group"] for x in compiled)
            fe_req, an_req = (x.create_infer_request() for x in compiled)

            def run_fe(p):
                return next(iter(fe_req.infer({"pixels": p}).values()))

            def run_an(tok, ids):   # every output, copied out (as ONNX Runtime's run gives them)
                return list(an_req.infer({"tokens": tok, "token_ids": ids}).values())
        tokenizer = Tokenizer()

        def answer(tok):  # question text -> ids -> every output, as our answer does
            return run_an(tok, tokenizer.tokenize(QUESTION, cfg["context_length"])[None])

        tokens = run_fe(video_pixels)
        if side.startswith("ov"):
            answer(tokens)
            out["ov_exec"] = " | ".join(_ov_exec_summary(x) for x in compiled)
        out["encode_s"], _ = _median_times(lambda: run_fe(pixels), runs)
        out["answer_s"], _ = _median_times(lambda: answer(tokens), runs)
        out["cold_s"], _ = _median_times(lambda: answer(run_fe(video_pixels)), max(1, runs // 2))
    else:
        import videodistill
        from vdref.tokenizer import Tokenizer  # noqa: F401  (same imports as the peers' sides, for the baseline)
        out["baseline_rss_mb"] = peak_rss_mb()
        out["blas_core"] = openblas_core()
        out["version"] = "videodistill " + videodistill.version()
        model = videodistill.Model(paths[OURS[side][0]], threads=threads)
        if frames == N:
            def encode():
                return model.encode_pixels(video_pixels)
        else:
            # The pixels entry takes exactly N frames; F < N distinct uint8 frames through encode_frames are each
            # encoded once (their resize, crop and normalisation and the N frames' token layout count against us).
            R = cfg["resize_short"]
            rgb = rng.integers(0, 256, size=(frames, R, R, 3), dtype=np.uint8)

            def encode():
                return model.encode_frames(rgb)
            out["frames"] = len(set(encode().source_frames.tolist()))
        video = model.encode_pixels(video_pixels)
        out["encode_s"], _ = _median_times(encode, runs)
        out["answer_s"], _ = _median_times(lambda: model.answer(video, QUESTION), runs)
        out["cold_s"], _ = _median_times(lambda: model.answer(model.encode_pixels(video_pixels), QUESTION),
                                         max(1, runs // 2))
    out["fps"] = out["frames"] / out["encode_s"]
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


def cpu_isa():
    """The vector ISA flags that matter here, from /proc/cpuinfo."""
    try:
        with open("/proc/cpuinfo") as f:
            flags = next((line.split(":", 1)[1].split() for line in f if line.startswith("flags")), [])
    except OSError:
        flags = []
    return [f for f in ("avx2", "fma", "avx512f", "avx512_vnni", "avx_vnni", "avx512_bf16", "amx_int8") if f in flags]


def side_env(side, args):
    env = dict(os.environ)
    if side.startswith("ours"):
        if args.ours_coretype:
            env["OPENBLAS_CORETYPE"] = args.ours_coretype
        if args.isa == "avx2":
            env["VD_ISA"] = "avx2"
            env["OPENBLAS_CORETYPE"] = "Haswell"
    elif side.startswith("ov") and args.isa == "avx2":
        env["ONEDNN_MAX_CPU_ISA"] = "AVX2"
    return env


def side_settings(side, r, args):
    """What the side ran with, for the table."""
    s = [r.get("version", "")]
    if "blas_core" in r:
        s.append(f"OpenBLAS {r['blas_core']}")
        if args.isa == "avx2":
            s.append("VD_ISA=avx2 set")
    if "ov_precision" in r:
        s.append(f"precision hint {r['ov_precision']}, {r['ov_threads']} threads, {r['ov_streams']} stream"
                 + (f", dynamic quantization group {r['ov_dq_group']}" if side == "ov-int8-wc" else "")
                 + ("" if r.get("ov_readback_agree", True) else " (the answerer read back differently)"))
        if side == "ov-int8-ptq":
            s.append(f"NNCF static PTQ, TRANSFORMER, {args.ptq_samples} samples")
        if side == "ov-int8-wc":
            s.append("NNCF compress_weights INT8_SYM; dynamic quantization needs VNNI: CPU "
                     + ("has it" if args.vnni_cpu else "has none")
                     + (" (off under the AVX2 emulation)" if args.isa == "avx2" and r["ov_dq_group"] == 0 else ""))
        if args.isa == "avx2":
            s.append("ONEDNN_MAX_CPU_ISA=AVX2" + (" (its MLAS GEMMs are not capped: AVX-512 where the CPU has it)"
                                                   if "gemm_mlas" in r.get("ov_exec", "") else ""))
    if side.startswith("ort") and args.isa == "avx2":
        s.append("full ISA (no cap in ONNX Runtime)")
    if side == "ours-int8":
        s.append("default policy")
    if side == "ours-int8-fast":
        s.append("--keep-f32 fast")
    return "; ".join(x for x in s if x)


def ratio_rows(per_round, results, vnni, args):
    """(target, threshold, medians ratio, best peer, per-round ratios) for every ratio a target names."""
    rows = []

    def add(label, ours, peers, key, higher, threshold):
        if ours not in results or not any(p in results for p in peers):
            return
        best_of = max if higher else min
        best = best_of((p for p in peers if p in results), key=lambda p: results[p][key])
        ratio = (results[ours][key] / results[best][key]) if higher else (results[best][key] / results[ours][key])
        per = []
        for rnd in range(args.rounds):
            o = per_round[ours][rnd] if rnd < len(per_round[ours]) else None
            ps = [per_round[p][rnd] for p in peers if p in per_round and rnd < len(per_round[p])
                  and per_round[p][rnd] is not None]
            if o is None or not ps:
                continue
            b = best_of(ps, key=lambda x: x[key])
            per.append((o[key] / b[key]) if higher else (b[key] / o[key]))
        rows.append((label, threshold, ratio, best, sorted(per)))

    enc_target = 2.5 if vnni else 1.5
    cpu_kind = "VNNI CPU" if vnni else "AVX2-only CPU"
    add(f"default int8 frame encoder >= {enc_target}x the best peer's fp32 ({cpu_kind})", "ours-int8",
        FP32_PEERS, "fps", True, enc_target)
    for ours in ("ours-int8", "ours-int8-fast"):
        name = "default int8" if ours == "ours-int8" else "int8 fast"
        add(f"{name} frame encoder >= 1.3x the best peer's int8", ours, INT8_PEERS, "fps", True, 1.3)
        add(f"{name} answer >= 1.3x the best peer's int8", ours, INT8_PEERS, "answer_s", False, 1.3)
    add("fp32 frame encoder >= 1.0x the best peer's fp32", "ours-fp32", FP32_PEERS, "fps", True, 1.0)
    add("fp32 answer >= 1.0x the best peer's fp32", "ours-fp32", FP32_PEERS, "answer_s", False, 1.0)
    return rows


def verdict(per, threshold):
    if not per:
        return "no rounds"
    if per[0] >= threshold:
        v = "met"
    elif per[-1] < threshold:
        v = "missed"
    else:
        return "not settled"
    return v + (" (one round: no spread)" if len(per) == 1 else "")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--runs", type=int, default=5, help="timed runs per side per round")
    ap.add_argument("--rounds", type=int, default=3, help="rounds of all sides, alternating order (drift); a "
                    "ratio's verdict needs more than one")
    ap.add_argument("--frames", type=int, help="frames encoded per frame-encoder run, 1..N (default N, the "
                    "config's num_frames: 100 in the paper config)")
    ap.add_argument("--small", action="store_true", help="a small config that runs in seconds")
    ap.add_argument("--answers", type=int, default=1500)
    ap.add_argument("--work", default=os.path.join(tempfile.gettempdir(), "vd-compare-ort"))
    ap.add_argument("--sides", default=",".join(ALL_SIDES), help="comma-separated, from: " + ",".join(ALL_SIDES))
    ap.add_argument("--ours-coretype", help="OPENBLAS_CORETYPE for our sides only (default: the environment's)")
    ap.add_argument("--isa", choices=["native", "avx2"], default="native",
                    help="avx2: emulate an AVX2-only CPU (VD_ISA=avx2 and OPENBLAS_CORETYPE=Haswell for our sides, "
                    "ONEDNN_MAX_CPU_ISA=AVX2 for OpenVINO's; ONNX Runtime has no cap)")
    ap.add_argument("--ov-dq-group", type=int,
                    help="DYNAMIC_QUANTIZATION_GROUP_SIZE for ov-int8-wc (0: off; default 32, the CPU plugin's "
                    "default; 0 with --isa avx2, where OpenVINO 2026.4 fails to compile it under ONEDNN_MAX_CPU_ISA)")
    ap.add_argument("--ptq-samples", type=int, default=8, help="NNCF calibration samples per graph (subset_size)")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    args = ap.parse_args()
    work = args.work + ("-small" if args.small else "")
    os.makedirs(work, exist_ok=True)
    paths_file = os.path.join(work, "paths.json")
    sides = args.sides.split(",")
    unknown = [s for s in sides if s not in ALL_SIDES]
    if unknown:
        ap.error(f"unknown sides {unknown}; choose from {ALL_SIDES}")
    if args.ov_dq_group is None:
        # Under ONEDNN_MAX_CPU_ISA=AVX2 the CPU plugin still picks its dynamically quantized kernels from cpuid and
        # oneDNN cannot create them ("could not create a primitive descriptor for the inner product"); a real
        # AVX2-only CPU has no VNNI, which the dynamic quantization needs.
        args.ov_dq_group = 0 if args.isa == "avx2" else 32
    if args.worker:  # a measuring subprocess: no torch, only the side it measures
        with open(paths_file) as f:
            paths = json.load(f)
        worker(args.worker, paths, args.threads, args.runs, args.frames, args.ov_dq_group)
        return
    paths = prepare(work, args.small, args.answers, sides, args.ptq_samples)
    N = paths["config"]["num_frames"]
    frames = N if args.frames is None else args.frames
    if not 1 <= frames <= N:
        ap.error(f"--frames must be 1..{N} (our pixels entry takes N frames; fewer go through encode_frames)")
    with open(paths_file, "w") as f:
        json.dump(paths, f)
    # --rounds R: every side runs once per round, in an order that alternates, so that a host whose speed drifts
    # (a shared machine) slows both sides alike; each figure is the median over rounds of that side's medians.
    per_round = {side: [] for side in sides}
    started = datetime.datetime.now(datetime.timezone.utc)
    for rnd in range(args.rounds):
        t = time.time()
        for side in (sides if rnd % 2 == 0 else sides[::-1]):
            r = subprocess.run([sys.executable, __file__, "--worker", side, "--threads", str(args.threads),
                                "--runs", str(args.runs), "--work", args.work, "--answers", str(args.answers),
                                "--frames", str(frames), "--ov-dq-group", str(args.ov_dq_group)]
                               + (["--small"] if args.small else []), capture_output=True, text=True,
                               env=side_env(side, args))
            if r.returncode != 0:
                print(f"{side} failed:\n{r.stderr[-2000:]}", file=sys.stderr)
                per_round[side].append(None)
                continue
            per_round[side].append(json.loads(r.stdout.strip().splitlines()[-1]))
        print(f"round {rnd + 1}/{args.rounds} done in {time.time() - t:.0f} s", file=sys.stderr)
    results = {}
    for side, rounds in per_round.items():
        ok = [r for r in rounds if r is not None]
        if ok:
            results[side] = dict(ok[0])
            for key in ("encode_s", "answer_s", "cold_s", "fps"):
                results[side][key] = statistics.median(r[key] for r in ok)
            results[side]["peak_rss_mb"] = max(r["peak_rss_mb"] for r in ok)
            results[side]["rounds"] = len(ok)
    cfg = paths["config"]
    isa = cpu_isa()
    args.vnni_cpu = "avx512_vnni" in isa or "avx_vnni" in isa
    vnni = args.vnni_cpu and args.isa != "avx2"
    tokens_mb = N * (1 + (cfg["image_size"] // cfg["patch_size"]) ** 2) * cfg["vision_width"] * 4 / 2**20
    versions = []
    for module in ("onnxruntime", "openvino", "nncf"):
        try:
            versions.append(f"{module} {__import__(module).__version__.split('-')[0]}")
        except ImportError:
            pass
    print(f"\n{'paper' if not args.small else 'small'} config, {args.threads} threads, medians of {args.runs} runs"
          + f" x {args.rounds} alternating round{'s' if args.rounds > 1 else ''}; frame encoder over {frames} frames; "
          f"{cpu_name()} ({', '.join(isa) or 'no AVX2'})"
          + ("; AVX2-only emulated (--isa avx2)" if args.isa == "avx2" else "")
          + f"; {started:%Y-%m-%d %H:%M} UTC; {', '.join(versions)}; "
          f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(unset)')}"
          + (f" (ours: {args.ours_coretype})" if args.ours_coretype and args.isa != "avx2" else "") + "\n")
    print("| side | frame encoder (frames/s) | answer from cached tokens (ms) | cold answer (s) | peak RSS (MiB) "
          "| peak RSS above the Python baseline (MiB) | ran with |")
    print("|---|---|---|---|---|---|---|")
    for side, r in results.items():
        above = r["peak_rss_mb"] - r["baseline_rss_mb"]
        print(f"| {side} | {r['fps']:.2f} | {1000 * r['answer_s']:.0f} | {r['cold_s']:.2f} | {r['peak_rss_mb']:.0f} "
              f"| {above:.0f} | {side_settings(side, r, args)} |")
    print()
    rows = ratio_rows(per_round, results, vnni, args)
    if rows or any(side in results for side in OURS):
        print("| target | ratio (medians) | per round (min-max) | verdict |")
        print("|---|---|---|---|")
        for label, threshold, ratio, best, per in rows:
            spread = f"{per[0]:.2f}-{per[-1]:.2f}x ({len(per)} round{'s' if len(per) > 1 else ''})" if per else "-"
            print(f"| {label} | {ratio:.2f}x ({best}) | {spread} | {verdict(per, threshold)} |")
    sizes = {side: os.path.getsize(paths[key]) / 2**20 for side, (key, _) in OURS.items() if os.path.exists(paths[key])}
    for side in OURS:
        if side in results and side in sizes:
            budget = sizes[side] * 1.25 + tokens_mb
            above = results[side]["peak_rss_mb"] - results[side]["baseline_rss_mb"]
            print(f"| {side} peak RSS above the interpreter <= file {sizes[side]:.0f} MiB + 25% + one video's tokens "
                  f"{tokens_mb:.0f} MiB = {budget:.0f} MiB | {above:.0f} MiB (max over rounds) | - | "
                  f"{'met' if above <= budget else 'missed'} |")
    print()
    for side, r in results.items():
        if "ov_exec" in r:
            print(f"- {side} execution graph (frame encoder | answerer): {r['ov_exec']}")
    if args.isa == "avx2":
        print("- --isa avx2: ONNX Runtime's sides ran with the CPU's full ISA (MLAS dispatches on cpuid; no cap)")


if __name__ == "__main__":
    main()
