#!/usr/bin/env python3
"""fp32 matrix products alone: OpenBLAS's sgemm (what our fp32 path calls) beside ONNX Runtime's MatMul (MLAS),
on the shapes of the paper config's frame encoder (M = 1970: ten frames) and answer (M = 3137: VR's tokens),
both on the same threads. Says how much of the fp32 gap to ONNX Runtime is the GEMM itself.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python3 tools/benchmark/ort/sgemm_vs_ort.py [--coretype SkylakeX]

OpenBLAS reads OPENBLAS_CORETYPE when it loads, so --coretype re-runs this script in a child with it set.
"""
import argparse
import ctypes
import os
import statistics
import subprocess
import sys
import time

import numpy as np

SHAPES = [(1970, 768, 2304), (1970, 768, 768), (1970, 768, 3072), (1970, 3072, 768),
          (3137, 1024, 3072), (3137, 1024, 1024), (3137, 1024, 4096), (3137, 4096, 1024)]


def time_fn(fn, reps):
    fn()
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--reps", type=int, default=7)
    ap.add_argument("--coretype")
    args = ap.parse_args()
    if args.coretype and os.environ.get("OPENBLAS_CORETYPE") != args.coretype:
        env = dict(os.environ, OPENBLAS_CORETYPE=args.coretype)
        sys.exit(subprocess.call([sys.executable] + sys.argv, env=env))
    blas = ctypes.CDLL("libopenblas.so.0")
    blas.openblas_get_corename.restype = ctypes.c_char_p
    blas.openblas_set_num_threads(args.threads)
    import onnx
    import onnxruntime as ort
    from onnx import TensorProto, helper
    print(f"OpenBLAS {blas.openblas_get_corename().decode()} vs onnxruntime {ort.__version__}, {args.threads} threads, "
          f"medians of {args.reps}\n")
    print("| shape (M, K, N) | OpenBLAS sgemm GFLOP/s | ORT MatMul GFLOP/s | OpenBLAS / ORT |")
    print("|---|---:|---:|---:|")
    rng = np.random.default_rng(0)
    f = ctypes.c_float
    for m, k, n in SHAPES:
        a = rng.standard_normal((m, k), dtype=np.float32)
        w = rng.standard_normal((n, k), dtype=np.float32)   # a Linear's [out, in], as the model file holds it
        c = np.empty((m, n), np.float32)
        p = [x.ctypes.data_as(ctypes.c_void_p) for x in (a, w, c)]
        # cblas_sgemm(RowMajor=101, NoTrans=111, Trans=112, ...): c = a w^T, as our Linear calls it
        blas_call = lambda: blas.cblas_sgemm(101, 111, 112, m, n, k, f(1.0), p[0], k, p[1], k, f(0.0), p[2], n)
        graph = helper.make_graph([helper.make_node("MatMul", ["a", "w"], ["c"])], "g",
                                  [helper.make_tensor_value_info("a", TensorProto.FLOAT, [m, k])],
                                  [helper.make_tensor_value_info("c", TensorProto.FLOAT, [m, n])],
                                  [helper.make_tensor("w", TensorProto.FLOAT, [k, n], w.T.copy().ravel())])
        opts = ort.SessionOptions()
        opts.intra_op_num_threads, opts.inter_op_num_threads = args.threads, 1
        sess = ort.InferenceSession(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
                                    .SerializeToString(), opts, providers=["CPUExecutionProvider"])
        ops = 2.0 * m * k * n
        g_blas = ops / time_fn(blas_call, args.reps) * 1e-9
        g_ort = ops / time_fn(lambda: sess.run(None, {"a": a}), args.reps) * 1e-9
        print(f"| ({m}, {k}, {n}) | {g_blas:.0f} | {g_ort:.0f} | {g_blas / g_ort:.2f} |")


if __name__ == "__main__":
    main()
