import Foundation
import Testing
import _VDKernels

/// LayerNorm and the LA-Gate's cosine-and-scale: each SIMD path forced vs its scalar twin, and every path
/// vs a float64 formula of SPEC 2.1 / 3.
@Suite(.serialized) struct KernelNormTests {
    @Test func layerNormRows() {
        var rng = KernelRandom(seed: 4)
        for n in kernelSizes where n > 1 {
            let rows = 3, eps: Float = 1e-5
            var x = rng.floats(rows * n, -3, 3)
            for j in 0..<n { x[j] += 100 }   // a row with a large mean: the two-pass variance keeps it exact
            let w = rng.floats(n, 0.5, 1.5), b = rng.floats(n, -0.5, 0.5)
            var ref = [Double](repeating: 0, count: rows * n)
            for r in 0..<rows {
                let row = (0..<n).map { Double(x[r * n + $0]) }
                let mean = row.reduce(0, +) / Double(n)
                let v = row.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n)
                for j in 0..<n {
                    ref[r * n + j] = (row[j] - mean) / (v + Double(eps)).squareRoot() * Double(w[j]) + Double(b[j])
                }
            }
            // vs float64: the fp32 mean of the row near 100 alone is off by up to half an ulp (3.8e-6),
            // ~2.5e-6 after dividing by the spread; 5e-6 leaves room for the rest.
            var s = [Float](repeating: 0, count: rows * n)
            vd_layernorm_rows_scalar(&s, x, w, b, rows, n, eps)
            #expect(maxScaledError(s, ref) <= 5e-6, "scalar n=\(n)")
            for isa in simdPaths {
                var v = x   // in place (y == x) on the SIMD paths
                withISA(isa) { v.withUnsafeMutableBufferPointer { vd_layernorm_rows($0.baseAddress, $0.baseAddress, w, b, rows, n, eps) } }
                #expect(maxScaledError(v, ref) <= 5e-6, "isa \(isa) n=\(n)")
                #expect(maxScaledError(v, s) <= 2e-6, "isa \(isa) vs scalar n=\(n)")
            }
        }
    }

    @Test func layerNormConstantRowUsesEps() {
        // var = 0: y = (x - mean) / sqrt(eps) * w + b = b exactly.
        for isa in [Int32(VD_ISA_SCALAR)] + simdPaths {
            let x = [Float](repeating: 3, count: 20), w = [Float](repeating: 2, count: 20)
            let b = (0..<20).map { Float($0) }
            var y = [Float](repeating: 0, count: 20)
            withISA(isa) { vd_layernorm_rows(&y, x, w, b, 1, 20, 1e-6) }
            #expect(y == b, "isa \(isa)")
        }
    }

    /// float64 formula of SPEC 3's cosine and scale.
    private func gateReference(q: [Float], key: [Float], val: [Float], rows: Int, heads: Int, d: Int)
        -> (u: [Double], g: [Double]) {
        var u = [Double](repeating: 0, count: rows * heads * d), g = [Double](repeating: 0, count: rows * heads)
        for i in 0..<rows {
            for h in 0..<heads {
                var dot = 0.0, qq = 0.0, kk = 0.0
                for j in 0..<d {
                    let a = Double(q[(i * heads + h) * d + j]), b = Double(key[h * d + j])
                    dot += a * b; qq += a * a; kk += b * b
                }
                let gi = dot / (max(qq.squareRoot(), 1e-6) * max(kk.squareRoot(), 1e-6))
                g[i * heads + h] = gi
                for j in 0..<d { u[(i * heads + h) * d + j] = gi * Double(val[(i * heads + h) * d + j]) }
            }
        }
        return (u, g)
    }

    @Test func gateCosineAndScale() {
        var rng = KernelRandom(seed: 5)
        for d in [1, 3, 6, 8, 10, 16, 17, 64, 128] {
            let rows = 4, heads = 3, width = heads * d
            var q = rng.floats(rows * width), key = rng.floats(width)
            let val = rng.floats(rows * width, -2, 2)
            for j in 0..<d { q[j] = 0 }                 // a zero query: g = 0
            for j in 0..<d { key[2 * d + j] = 0 }       // a zero key head: g = 0 for every token
            for j in 0..<d { q[width + d + j] = 1e-9 }  // a tiny query: the 1e-6 clamp decides
            let (uRef, gRef) = gateReference(q: q, key: key, val: val, rows: rows, heads: heads, d: d)
            var us = [Float](repeating: 0, count: rows * width), gs = [Float](repeating: 0, count: rows * heads)
            vd_gate_cosine_scale_scalar(&us, &gs, q, key, val, rows, heads, d)
            #expect(maxScaledError(gs, gRef) <= 1e-6, "scalar g d=\(d)")
            #expect(maxScaledError(us, uRef) <= 1e-6, "scalar u d=\(d)")
            #expect(gs[0] == 0 && gs[2] == 0)
            for isa in simdPaths {
                var u = val, g = [Float](repeating: 0, count: rows * heads)   // u aliases val, as the model calls it
                withISA(isa) { u.withUnsafeMutableBufferPointer { vd_gate_cosine_scale($0.baseAddress, &g, q, key, $0.baseAddress, rows, heads, d) } }
                #expect(maxScaledError(g, gRef) <= 1e-6, "isa \(isa) g d=\(d)")
                #expect(maxScaledError(u, uRef) <= 1e-6, "isa \(isa) u d=\(d)")
                #expect(maxScaledError(g, gs) <= 1e-6, "isa \(isa) vs scalar d=\(d)")
            }
        }
    }
}
