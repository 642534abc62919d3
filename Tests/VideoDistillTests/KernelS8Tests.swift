import Foundation
import Testing
import _VDKernels

/// int8 GEMM, activation quantization and the int8 Linear (vd_gemm_int8.h). Integer results must be exact:
/// every path is forced in turn and compared bit for bit with an Int64 reference and with the scalar path.
@Suite(.serialized) struct KernelInt8Tests {
    @Test func dispatchReportsAndForcesPaths() {
        let best = vd_int8_best_path()
        #expect(int8Paths.contains(best) && int8Paths.contains(Int32(VD_INT8_SCALAR)))
        #expect(vd_int8_set_path(-1) == -1 && vd_int8_set_path(Int32(VD_INT8_AVX512_VNNI) + 1) == -1)
        #expect(vd_int8_path_supported(-1) == 0 && vd_int8_path_supported(Int32(VD_INT8_AVX512_VNNI) + 1) == 0)
        for path in Int32(VD_INT8_SCALAR)...Int32(VD_INT8_AVX512_VNNI) where !int8Paths.contains(path) {
            #expect(vd_int8_set_path(path) == -1 && vd_int8_get_path() == best, "path \(path) is not supported")
        }
        for path in int8Paths {
            #expect(vd_int8_set_path(path) == 0)
            #expect(vd_int8_get_path() == path)
        }
        #expect(vd_int8_set_path(best) == 0)
        #expect(String(cString: vd_int8_path_name(Int32(VD_INT8_AVX_VNNI))) == "avx-vnni")
        #expect(String(cString: vd_int8_path_name(99)) == "unknown")
        print("int8 paths on this CPU:", int8Paths.map { String(cString: vd_int8_path_name($0)) })
    }

    /// (m, k, n): m = 1, odd k (not a multiple of 4), n not a multiple of 16, tails of every tile size,
    /// and model-like widths.
    static let shapes: [(Int, Int, Int)] = [
        (1, 1, 1), (1, 5, 17), (2, 3, 16), (3, 7, 15), (5, 64, 33), (7, 13, 48), (13, 129, 100), (25, 31, 65),
        (1, 768, 96), (37, 200, 130), (48, 771, 64), (97, 96, 193), (130, 257, 47),
    ]

    /// Activations over the whole int8 range (the AVX2 path's 16-bit kernel), within [-64, 64] (its vpmaddubsw
    /// kernel), and within it but for one row holding -65 (a row block that must fall back to the 16-bit kernel).
    @Test(arguments: ["full", "narrow", "narrow but one row"])
    func gemmMatchesInt64ReferenceOnEveryPath(_ range: String) throws {
        var rng = KernelRandom(seed: 7)
        for (m, k, n) in Self.shapes {
            var a = range == "full" ? rng.int8s(m * k) : rng.int8s(m * k, -64, 64)
            if range == "narrow but one row" { a[(m / 2) * k + k / 2] = -65 }
            let w = rng.int8s(n * k)
            let ref = referenceGEMM(a, w, m: m, n: n, k: k)
            let packed = try #require(Int8Weights(w, scales: [Float](repeating: 1, count: n), n: n, k: k))
            let scalar = withInt8Path(Int32(VD_INT8_SCALAR)) { packed.gemm(a, m: m) }
            #expect(scalar.map(Int64.init) == ref, "scalar m=\(m) k=\(k) n=\(n)")
            for path in int8Paths {
                for threads: Int32 in [1, 2, 3] {
                    let c = withInt8Path(path) { packed.gemm(a, m: m, threads: threads) }
                    #expect(c == scalar, "path \(path) threads \(threads) m=\(m) k=\(k) n=\(n)")
                }
            }
        }
    }

    /// Shapes that cross the SIMD paths' cache blocks (row blocks of ~256 KiB of a, weight chunks of
    /// ~384 KiB): each path vs the scalar path everywhere, and vs Int64 on a sample of entries.
    @Test func gemmAcrossCacheBlocks() throws {
        var rng = KernelRandom(seed: 9)
        for (m, k, n) in [(90, 3001, 150), (400, 700, 40), (7, 20000, 33)] {
            let a = rng.int8s(m * k), w = rng.int8s(n * k)
            let packed = try #require(Int8Weights(w, scales: [Float](repeating: 1, count: n), n: n, k: k))
            let scalar = withInt8Path(Int32(VD_INT8_SCALAR)) { packed.gemm(a, m: m) }
            for _ in 0..<50 {
                let i = Int(rng.next() % UInt64(m)), j = Int(rng.next() % UInt64(n))
                var s: Int64 = 0
                for l in 0..<k { s += Int64(a[i * k + l]) * Int64(w[j * k + l]) }
                #expect(Int64(scalar[i * n + j]) == s, "scalar [\(i), \(j)] m=\(m) k=\(k) n=\(n)")
            }
            for path in int8Paths {
                for threads: Int32 in [1, 2] {
                    let c = withInt8Path(path) { packed.gemm(a, m: m, threads: threads) }
                    #expect(c == scalar, "path \(path) threads \(threads) m=\(m) k=\(k) n=\(n)")
                }
            }
        }
    }

    /// All-extreme inputs: every product is +-127 * 127 (or 128 * 128), where any int16 pair sum saturates; and
    /// the AVX2 vpmaddubsw kernel's limits, |a| = 64 against w = -128 and 127 (u = 0 and 255).
    @Test func gemmExactAtExtremeValues() throws {
        let (m, k, n) = (29, 1027, 37)
        let cases: [(Int8, Int8)] = [(127, 127), (-127, 127), (-127, -127), (-128, -128), (-128, 127), (127, -128),
                                     (64, 127), (-64, 127), (64, -128), (-64, -128), (65, 127), (-65, -128)]
        for (av, wv) in cases {
            let a = [Int8](repeating: av, count: m * k), w = [Int8](repeating: wv, count: n * k)
            let expected = Int32(Int64(av) * Int64(wv) * Int64(k))
            let packed = try #require(Int8Weights(w, scales: [Float](repeating: 1, count: n), n: n, k: k))
            for path in int8Paths {
                let c = withInt8Path(path) { packed.gemm(a, m: m, threads: 2) }
                #expect(c.allSatisfy { $0 == expected }, "path \(path) a=\(av) w=\(wv)")
            }
        }
        // The largest k allowed with the largest products: |c| = 131071 * 128 * 128 fits int32.
        let kMax = 131_071
        let packed = try #require(Int8Weights([Int8](repeating: -128, count: kMax), scales: [1], n: 1, k: kMax))
        for path in int8Paths {
            let c = withInt8Path(path) { packed.gemm([Int8](repeating: -128, count: kMax), m: 1) }
            #expect(c == [Int32(kMax * 128 * 128)], "path \(path) at k = \(kMax)")
        }
    }

    @Test func packRejectsBadSizes() {
        let w = [Int8](repeating: 1, count: 131_072), s: [Float] = [1, 1]
        #expect(vd_int8_weights_pack(w, s, 0, 4) == nil)
        #expect(vd_int8_weights_pack(w, s, 1, 0) == nil)
        #expect(vd_int8_weights_pack(w, s, 1, 131_072) == nil)
        #expect(vd_int8_weights_pack(nil, s, 1, 4) == nil)
        let p = vd_int8_weights_pack(w, s, 2, 5)
        #expect(p != nil && vd_int8_weights_bytes(p) >= 2 * 5 + 2 * 4)
        var y = [Float](repeating: 0, count: 2)
        #expect(vd_linear_int8(&y, 2, [Float](repeating: 1, count: 6), 1, 6, 6, p, nil, 1) == -1) // k != 5
        #expect(vd_linear_int8(&y, 2, [Float](repeating: 1, count: 5), 0, 5, 5, p, nil, 1) == -1) // m = 0
        vd_int8_weights_free(p)
        vd_int8_weights_free(nil)
    }

    /// Swift reference: scale = max|x| / qmax, q = round-half-even(x / scale) clamped to [-qmax, qmax].
    private func referenceQuantize(_ x: [Float], m: Int, k: Int, ldx: Int, qmax: Float = 127) -> ([Int8], [Float]) {
        var q = [Int8](repeating: 0, count: m * k), scales = [Float](repeating: 0, count: m)
        for i in 0..<m {
            let row = x[(i * ldx)..<(i * ldx + k)]
            let amax = row.reduce(Float(0)) { $1.isNaN ? $0 : max($0, abs($1)) }
            let scale = amax / qmax
            scales[i] = scale
            guard scale != 0 else { continue }
            for l in 0..<k {
                var v = row[i * ldx + l] / scale
                if v.isNaN { v = 0 }
                q[i * k + l] = Int8(min(qmax, max(-qmax, v)).rounded(.toNearestOrEven))
            }
        }
        return (q, scales)
    }

    @Test func activationRangeIsNarrowOnlyOnAVX2WhenAsked() {
        let all = [VD_INT8_SCALAR, VD_INT8_AVX2, VD_INT8_AVX_VNNI, VD_INT8_AVX512_VNNI].map { Int32($0) }
        #expect(vd_int8_set_thread_narrow(0) == 0)
        #expect(vd_int8_narrow() == 0 && all.allSatisfy { vd_int8_activation_max($0) == 127 })
        #expect(vd_int8_set_thread_narrow(1) == 0)
        #expect(vd_int8_narrow() == 1 && all.map { vd_int8_activation_max($0) } == [127, 64, 127, 127])
        #expect(vd_int8_set_thread_narrow(2) == -1 && vd_int8_narrow() == 1)
        #expect(vd_int8_set_thread_narrow(-1) == 0)
        var q = [Int8](repeating: 7, count: 4), s: [Float] = [-1]
        for bad: Int32 in [0, 128, -1] {   // writes nothing
            vd_quantize_rows_int8_max(&q, &s, [1, 2, 3, 4], 1, 4, 4, bad)
            #expect(q == [7, 7, 7, 7] && s == [-1])
        }
    }

    @Test func quantizeRowsMatchesReference() {
        var rng = KernelRandom(seed: 11)
        for (m, k) in [(1, 1), (3, 7), (5, 16), (4, 33), (9, 768), (2, 1001), (5, 8), (5, 15), (5, 17), (5, 31)] {
            let ldx = k + 3
            var x = rng.floats(m * ldx, -3, 3)
            for l in 0..<k { x[l] = 0 }   // a zero row
            if m > 2 {                    // a row with scale exactly 1, so that x / scale lands on ties
                let ties: [Float] = [127, 0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 126.5, -126.5, .nan]
                for l in 0..<k { x[2 * ldx + l] = ties[l % ties.count] }
            }
            if m > 3 { x[3 * ldx + k / 2] = .nan }        // NaN among ordinary values
            if m > 4 { x[4 * ldx + k - 1] = -.infinity }  // scale inf: every q is 0
            for qmax: Int32 in [127, 64, 1] {   // vd_quantize_rows_int8 is qmax 127
                let (qRef, sRef) = referenceQuantize(x, m: m, k: k, ldx: ldx, qmax: Float(qmax))
                for path in int8Paths {
                    var q = [Int8](repeating: 99, count: m * k), s = [Float](repeating: -1, count: m)
                    withInt8Path(path) {
                        if qmax == 127 { vd_quantize_rows_int8(&q, &s, x, Int32(m), Int32(k), Int64(ldx)) }
                        else { vd_quantize_rows_int8_max(&q, &s, x, Int32(m), Int32(k), Int64(ldx), qmax) }
                    }
                    #expect(q == qRef, "path \(path) qmax \(qmax) m=\(m) k=\(k)")
                    #expect(s.map(\.bitPattern) == sRef.map(\.bitPattern), "path \(path) qmax \(qmax) m=\(m) k=\(k)")
                }
            }
        }
    }

    /// vd_linear_int8 is exactly (float)c * (a_scale * w_scale) + bias over the quantized product, and within the
    /// activation rounding error (|x - scale q| <= scale / 2 per element) of the fp32 product;
    /// vd_linear_int8_acc adds exactly that to y.
    @Test func linearMatchesQuantizedFormulaAndFloatMath() throws {
        var rng = KernelRandom(seed: 5)
        // Threads 1 and 2 at m = 1, 19, 70 (too few rows to split: quantized first, channels split) and
        // m = 150, 200 (tasks that quantize their own rows, at k = 3001 in blocks of 84 rows).
        for (m, k, n) in [(1, 7, 5), (19, 64, 33), (70, 771, 130), (150, 97, 20), (200, 3001, 9)] {
            let x = rng.floats(m * k, -4, 4), w = rng.int8s(n * k, -127, 127)
            let wScales = rng.floats(n, 0.001, 0.02), bias = rng.floats(n)
            let packed = try #require(Int8Weights(w, scales: wScales, n: n, k: k))
            for (path, narrow) in int8Modes {
                // The activations quantized to the mode's range ([-64, 64] on narrow AVX2), the exact product of those.
                var q = [Int8](repeating: 0, count: m * k), aScales = [Float](repeating: 0, count: m)
                let qmax = withInt8Path(path, narrow: narrow) { vd_int8_activation_max(path) }
                #expect(qmax == (narrow ? 64 : 127))
                vd_quantize_rows_int8_max(&q, &aScales, x, Int32(m), Int32(k), Int64(k), qmax)
                let c = referenceGEMM(q, w, m: m, n: n, k: k)
                // The fp32 product and the bound on its distance from the quantized one.
                var ref = [Double](repeating: 0, count: m * n), bound = ref
                for i in 0..<m {
                    for j in 0..<n {
                        for l in 0..<k {
                            let wr = Double(wScales[j]) * Double(w[j * k + l])
                            ref[i * n + j] += Double(x[i * k + l]) * wr
                            bound[i * n + j] += 0.5 * Double(aScales[i]) * abs(wr)
                        }
                    }
                }
                for (useBias, threads): (Bool, Int32) in [(true, 1), (false, 2), (true, 2)] {
                    var y = [Float](repeating: .nan, count: m * n)
                    let rc = withInt8Path(path, narrow: narrow) {
                        vd_linear_int8(&y, Int64(n), x, Int32(m), Int32(k), Int64(k), packed.pointer,
                                       useBias ? bias : nil, threads)
                    }
                    // The residual form adds the same value to what y held.
                    let y0 = rng.floats(m * n)
                    var yAcc = y0
                    let rcAcc = withInt8Path(path, narrow: narrow) {
                        vd_linear_int8_acc(&yAcc, Int64(n), x, Int32(m), Int32(k), Int64(k), packed.pointer,
                                           useBias ? bias : nil, threads)
                    }
                    #expect(rc == 0 && rcAcc == 0)
                    var exactMisses = 0, accMisses = 0, boundMisses = 0
                    for i in 0..<m {
                        for j in 0..<n {
                            let t = Float(c[i * n + j]) * (aScales[i] * wScales[j])
                            let exact = t + (useBias ? bias[j] : 0)
                            if y[i * n + j].bitPattern != exact.bitPattern { exactMisses += 1 }
                            if yAcc[i * n + j].bitPattern != (y0[i * n + j] + exact).bitPattern { accMisses += 1 }
                            let r = ref[i * n + j] + (useBias ? Double(bias[j]) : 0)
                            if abs(Double(y[i * n + j]) - r) > bound[i * n + j] * 1.001 + 1e-5 * max(1, abs(r)) {
                                boundMisses += 1
                            }
                        }
                    }
                    let label = "path \(path) narrow \(narrow) threads \(threads) bias \(useBias) m=\(m) k=\(k) n=\(n)"
                    #expect(exactMisses == 0 && accMisses == 0 && boundMisses == 0,
                            "\(label): \(exactMisses) inexact, \(accMisses) inexact residual, \(boundMisses) off bound")
                }
            }
        }
    }

    /// Several threads calling vd_linear_int8 at once (asking for 1 to 4 threads each, more than this machine's
    /// cores; m = 300 splits rows at 2 and 3 threads, channels at 4) get what serial calls get.
    @Test func concurrentCallsMatchSerialCalls() throws {
        var rng = KernelRandom(seed: 3)
        let (m, k, n, callers) = (300, 200, 70, 8)
        let w = rng.int8s(n * k, -127, 127), wScales = rng.floats(n, 0.01, 0.02)
        let packed = try #require(Int8Weights(w, scales: wScales, n: n, k: k))
        let inputs = (0..<callers).map { _ in rng.floats(m * k) }
        func run(_ x: [Float], threads: Int32) -> [Float] {
            var y = [Float](repeating: 0, count: m * n)
            _ = vd_linear_int8(&y, Int64(n), x, Int32(m), Int32(k), Int64(k), packed.pointer, nil, threads)
            return y
        }
        let serial = inputs.map { run($0, threads: 1) }
        for _ in 0..<5 {
            let results = UnsafeMutableBufferPointer<[Float]>.allocate(capacity: callers)
            results.initialize(repeating: [])
            defer { results.deallocate() }
            DispatchQueue.concurrentPerform(iterations: callers) {
                results[$0] = run(inputs[$0], threads: Int32(1 + $0 % 4))
            }
            #expect(Array(results) == serial)
        }
    }
}
