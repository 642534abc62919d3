import Foundation
import Testing
import _VDKernels

/// Activations, softmax and vector helpers: each SIMD path forced vs its scalar twin, and every path vs a
/// float64 formula. Tolerances are |err| / max(1, |ref|): ~1e-6 is a few fp32 ulps at the values used.
@Suite(.serialized) struct KernelElementwiseTests {
    @Test func dispatchReportsAndForcesPaths() {
        let best = vd_best_isa()
        #expect(vd_get_isa() >= Int32(VD_ISA_SCALAR) && vd_get_isa() <= best)
        #expect(vd_set_isa(best + 1) == -1)
        #expect(vd_set_isa(-1) == -1)
        #expect(vd_set_isa(Int32(VD_ISA_SCALAR)) == 0)
        #expect(vd_get_isa() == Int32(VD_ISA_SCALAR))
        #expect(String(cString: vd_isa_name(vd_get_isa())) == "scalar")
        #expect(vd_set_isa(best) == 0)
    }

    /// Compares kernel(x) on every path with reference(x) in float64.
    private func checkMap(_ kernel: (UnsafeMutablePointer<Float>, Int) -> Void,
                          scalar: (UnsafeMutablePointer<Float>, Int) -> Void,
                          reference: (Double) -> Double, range: ClosedRange<Float>, tolerance: Double) {
        var rng = KernelRandom(seed: 1)
        for n in kernelSizes {
            let x = rng.floats(n, range.lowerBound, range.upperBound)
            let ref = x.map { reference(Double($0)) }
            var s = x
            scalar(&s, n)
            #expect(maxScaledError(s, ref) <= tolerance, "scalar n=\(n)")
            for isa in simdPaths {
                var v = x
                withISA(isa) { kernel(&v, n) }
                #expect(maxScaledError(v, ref) <= tolerance, "isa \(isa) vs float64, n=\(n)")
                #expect(maxScaledError(v, s) <= tolerance, "isa \(isa) vs scalar twin, n=\(n)")
            }
        }
    }

    @Test func quickGELU() {
        // x * sigmoid(1.702 x) (SPEC 2.1), over [-12, 12] where both tails are exercised.
        checkMap({ vd_quickgelu($0, $1) }, scalar: { vd_quickgelu_scalar($0, $1) },
                 reference: { $0 / (1 + Foundation.exp(-1.702 * $0)) }, range: -12...12, tolerance: 1e-6)
    }

    @Test func exactGELU() {
        // 0.5 x (1 + erf(x / sqrt 2)) (SPEC 4), across both regions of the fitted erf and its clamp.
        checkMap({ vd_gelu_erf($0, $1) }, scalar: { vd_gelu_erf_scalar($0, $1) },
                 reference: { 0.5 * $0 * (1 + Foundation.erf($0 / 2.0.squareRoot())) }, range: -9...9,
                 tolerance: 1e-6)
    }

    @Test func exactGELUDense() {
        // A dense sweep of [-6, 6] in steps of 2^-12 catches any region seam of the vector erf.
        let x = (-6 * 4096 ... 6 * 4096).map { Float($0) / 4096 }
        let ref = x.map { 0.5 * Double($0) * (1 + Foundation.erf(Double($0) / 2.0.squareRoot())) }
        for isa in simdPaths {
            var v = x
            withISA(isa) { vd_gelu_erf(&v, v.count) }
            #expect(maxScaledError(v, ref) <= 5e-7, "isa \(isa)")
        }
    }

    @Test func activationsKeepNaNAndLimits() {
        for isa in [Int32(VD_ISA_SCALAR)] + simdPaths {
            withISA(isa) {
                var g: [Float] = [.nan, 0, 50, -50]
                vd_gelu_erf(&g, 4)
                #expect(g[0].isNaN && g[1] == 0 && g[2] == 50 && abs(g[3]) < 1e-30, "isa \(isa): \(g)")
                var q: [Float] = [.nan, 0, 100, -100]
                vd_quickgelu(&q, 4)
                #expect(q[0].isNaN && q[1] == 0 && q[2] == 100 && abs(q[3]) < 1e-30, "isa \(isa): \(q)")
            }
        }
    }

    @Test func softmaxRows() {
        var rng = KernelRandom(seed: 2)
        for n in kernelSizes {
            let rows = 3, ld = n + 5
            var x = rng.floats(rows * ld, -30, 30)
            x[0] = 80   // a large value: the max subtraction keeps exp finite
            var ref = [Double](repeating: 0, count: rows * ld)
            for r in 0..<rows {
                let row = (0..<n).map { Double(x[r * ld + $0]) }
                let m = row.max()!, e = row.map { Foundation.exp($0 - m) }, s = e.reduce(0, +)
                for j in 0..<ld { ref[r * ld + j] = j < n ? e[j] / s : Double(x[r * ld + j]) }   // padding untouched
            }
            var s = x
            vd_softmax_rows_scalar(&s, rows, n, ld)
            #expect(maxScaledError(s, ref) <= 1e-6, "scalar n=\(n)")
            for isa in simdPaths {
                var v = x
                withISA(isa) { vd_softmax_rows(&v, rows, n, ld) }
                #expect(maxScaledError(v, ref) <= 1e-6, "isa \(isa) n=\(n)")
                #expect(maxScaledError(v, s) <= 1e-6, "isa \(isa) vs scalar n=\(n)")
            }
        }
    }

    @Test func softmaxNaNRowBecomesNaN() {
        for isa in [Int32(VD_ISA_SCALAR)] + simdPaths {
            var x: [Float] = [1, .nan, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17]
            withISA(isa) { vd_softmax_rows(&x, 1, x.count, x.count) }
            #expect(x.allSatisfy { $0.isNaN }, "isa \(isa)")
        }
    }

    @Test func vectorHelpers() {
        var rng = KernelRandom(seed: 3)
        for n in kernelSizes {
            let a = rng.floats(n), b = rng.floats(n), rows = 2
            let bias = rng.floats(n), y = rng.floats(rows * n)
            let dotRef = zip(a, b).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
            for isa in [Int32(VD_ISA_SCALAR)] + simdPaths {
                withISA(isa) {
                    var s = a
                    vd_add(&s, b, n)
                    #expect(maxScaledError(s, zip(a, b).map { Double($0) + Double($1) }) <= 1e-7, "add isa \(isa)")
                    var t = a
                    vd_axpy(&t, 0.5, b, n)
                    #expect(maxScaledError(t, zip(a, b).map { Double($0) + 0.5 * Double($1) }) <= 1e-7, "axpy isa \(isa)")
                    #expect(abs(Double(vd_dot(a, b, n)) - dotRef) <= 1e-6 * Double(n), "dot isa \(isa) n=\(n)")
                    var u = y
                    vd_add_bias_rows(&u, bias, rows, n)
                    let ref = (0..<(rows * n)).map { Double(y[$0]) + Double(bias[$0 % n]) }
                    #expect(maxScaledError(u, ref) <= 1e-7, "bias isa \(isa)")
                }
            }
            #expect(abs(Double(vd_dot_scalar(a, b, n)) - dotRef) <= 1e-6 * Double(n))
        }
    }
}
