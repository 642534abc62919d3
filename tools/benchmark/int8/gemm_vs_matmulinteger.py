#!/usr/bin/env python3
"""vd_gemm_int8 beside ONNX Runtime's MatMulInteger, on the same shapes, alternating, medians.

ORT gets what its dynamic quantization produces: uint8 activations [M, K] with a run-time zero point, int8
weights [K, N] as an initializer (so that ORT pre-packs them, as we do), int32 output [M, N] bound to a
preallocated buffer (IO binding), intra_op_num_threads = T. Ours: the vd-bench-int8 executable (int8
activations, weights packed once, int32 output). Each round times every shape once on each side (median of
--reps calls after a warm-up); the table shows the median over rounds (and the best round of each side,
which shows what it reaches when it has the cores to itself). 1 MAC = 2 ops.

Run with the OpenBLAS variables unset (../shared/MACHINE.md from the repository root):
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python3 tools/benchmark/int8/gemm_vs_matmulinteger.py
"""
import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import time

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper

DEFAULT_SHAPES = [(m, k, n) for m in (197, 1970, 3136, 19700) for (k, n) in ((768, 768), (768, 3072), (3072, 768))]
DEFAULT_SHAPES += [(3136, 1024, 1024), (3136, 1024, 4096)]


def ort_session(k, n, threads, rng):
    """A one-node MatMulInteger graph: A uint8 [M, K] and its zero point as inputs, B int8 [K, N] constant."""
    b = rng.integers(-127, 128, size=(k, n), dtype=np.int8)
    graph = helper.make_graph(
        [helper.make_node("MatMulInteger", ["A", "B", "a_zero_point"], ["Y"])],
        "matmul_integer",
        [helper.make_tensor_value_info("A", TensorProto.UINT8, ["M", k]),
         helper.make_tensor_value_info("a_zero_point", TensorProto.UINT8, [])],
        [helper.make_tensor_value_info("Y", TensorProto.INT32, ["M", n])],
        [onnx.numpy_helper.from_array(b, "B")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    return ort.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"])


def time_ort(session, m, k, n, reps, rng):
    a = rng.integers(0, 256, size=(m, k), dtype=np.uint8)
    binding = session.io_binding()
    binding.bind_cpu_input("A", a)
    binding.bind_cpu_input("a_zero_point", np.array(128, dtype=np.uint8))
    y = np.empty((m, n), dtype=np.int32)
    binding.bind_output("Y", "cpu", 0, np.int32, [m, n], y.ctypes.data)
    session.run_with_iobinding(binding)   # warm-up
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        session.run_with_iobinding(binding)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def time_ours(exe, m, k, n, threads, reps):
    out = subprocess.run([exe, "--threads", str(threads), "--reps", str(reps), f"{m},{k},{n}"],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def parse_shape(text):
    m, k, n = (int(v) for v in text.split(","))
    return m, k, n


def measured_peak(exe, threads):
    """vpdpbusd from registers on `threads` threads, measured now (vd-bench-int8 --peak), GOP/s."""
    r = subprocess.run([exe, "--threads", str(threads), "--peak"], capture_output=True, text=True, check=True)
    return json.loads(r.stdout)["gops"]


def main():
    root = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--exe", default=os.path.join(root, ".build-int8", "release", "vd-bench-int8"))
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--reps", type=int, default=7)
    parser.add_argument("shapes", nargs="*", type=parse_shape, help="M,K,N (default: MACHINE.md's shapes)")
    args = parser.parse_args()
    shapes = args.shapes or DEFAULT_SHAPES
    for var in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        if var in os.environ:
            sys.exit(f"gemm_vs_matmulinteger.py: unset {var} first (env -u {var} ...), see MACHINE.md")
    if not os.access(args.exe, os.X_OK):
        sys.exit(f"gemm_vs_matmulinteger.py: no {args.exe}; swift build -c release --scratch-path .build-int8 --product vd-bench-int8")

    rng = np.random.default_rng(0)
    sessions = {(k, n): ort_session(k, n, args.threads, rng) for (_, k, n) in shapes}
    ours = {s: [] for s in shapes}
    theirs = {s: [] for s in shapes}
    cpu = {s: [] for s in shapes}
    load_before = os.getloadavg()
    for r in range(args.rounds):
        for (m, k, n) in shapes:
            # Alternate which side goes first, so that neither always runs on a warmer or cooler machine.
            first_ours = (r + m + k + n) % 2 == 0
            for side in ((0, 1) if first_ours else (1, 0)):
                if side == 0:
                    res = time_ours(args.exe, m, k, n, args.threads, args.reps)
                    ours[(m, k, n)].append(res["median_s"])
                    cpu[(m, k, n)].append(res["cpu_gops"])
                    path = res["path"]
                else:
                    theirs[(m, k, n)].append(time_ort(sessions[(k, n)], m, k, n, args.reps, rng))
        print(f"round {r + 1}/{args.rounds} done", file=sys.stderr)
    load_after = os.getloadavg()

    model = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    print(f"{datetime.datetime.now().isoformat(timespec='seconds')}, {model}, {os.cpu_count()} CPUs, "
          f"{platform.platform()}; onnxruntime {ort.__version__}; our path {path}; threads {args.threads}; "
          f"{args.rounds} rounds x {args.reps} reps, median of round medians; "
          f"load average before {load_before[0]:.2f}, after {load_after[0]:.2f}")
    print()
    peak = measured_peak(args.exe, args.threads)
    print(f"| shape (M, K, N) | ours GOP/s | ORT GOP/s | ours / ORT | ours % of {peak:.0f} peak "
          f"| ours CPU-time GOP/s | best round: ours, ORT |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for (m, k, n) in shapes:
        ops = 2.0 * m * k * n
        g_ours = ops / statistics.median(ours[(m, k, n)]) * 1e-9
        g_ort = ops / statistics.median(theirs[(m, k, n)]) * 1e-9
        best_ours, best_ort = ops / min(ours[(m, k, n)]) * 1e-9, ops / min(theirs[(m, k, n)]) * 1e-9
        print(f"| ({m}, {k}, {n}) | {g_ours:.0f} | {g_ort:.0f} | {g_ours / g_ort:.2f} | "
              f"{100 * g_ours / peak:.0f}% | {statistics.median(cpu[(m, k, n)]):.0f} | "
              f"{best_ours:.0f}, {best_ort:.0f} |")


if __name__ == "__main__":
    main()
