import Foundation
import Testing
@testable import VideoDistill

/// Attention over fused q;k;v rows (SPEC 2.1, 4, 6) vs a dense float64 formula with an explicit mask:
/// full, causal, and VarAttention's time and space groupings (token 0 attends to all tokens, every other
/// token to token 0 and its own group).
@Suite struct KernelAttentionTests {
    /// Owned floats that a TensorView can point into for the test's duration.
    final class Storage {
        var arrays: [UnsafeMutablePointer<Float>] = []
        func view(_ name: String, _ values: [Float], _ shape: [Int]) -> TensorView {
            let p = UnsafeMutablePointer<Float>.allocate(capacity: values.count)
            p.initialize(from: values, count: values.count)
            arrays.append(p)
            return TensorView(name: name, shape: shape, type: .f32, data: UnsafeRawPointer(p))
        }
        deinit { arrays.forEach { $0.deallocate() } }
    }

    /// y = residual + proj(softmax(mask(q k^T / sqrt(d))) v) in float64, per head; mask[i][j] true = attend.
    static func reference(x: [Float], T: Int, D: Int, H: Int, wqkv: [Float], bqkv: [Float], wp: [Float],
                          bp: [Float], residual: [Float], mask: (Int, Int) -> Bool) -> [Double] {
        let d = D / H
        var qkv = [Double](repeating: 0, count: T * 3 * D)
        for i in 0..<T { for o in 0..<(3 * D) {
            var s = Double(bqkv[o])
            for j in 0..<D { s += Double(x[i * D + j]) * Double(wqkv[o * D + j]) }
            qkv[i * 3 * D + o] = s
        } }
        var att = [Double](repeating: 0, count: T * D)
        for h in 0..<H { for i in 0..<T {
            var scores: [(Int, Double)] = []
            for j in 0..<T where mask(i, j) {
                var s = 0.0
                for c in 0..<d { s += qkv[i * 3 * D + h * d + c] * qkv[j * 3 * D + D + h * d + c] }
                scores.append((j, s / Double(d).squareRoot()))
            }
            let m = scores.map(\.1).max()!, e = scores.map { Foundation.exp($0.1 - m) }, z = e.reduce(0, +)
            for (n, (j, _)) in scores.enumerated() {
                for c in 0..<d { att[i * D + h * d + c] += e[n] / z * qkv[j * 3 * D + 2 * D + h * d + c] }
            }
        } }
        return (0..<(T * D)).map { k in
            let (i, o) = (k / D, k % D)
            var s = Double(bp[o]) + Double(residual[k])
            for j in 0..<D { s += att[i * D + j] * Double(wp[o * D + j]) }
            return s
        }
    }

    struct Case {
        let D = 12, H = 3
        let x: [Float], wqkv: [Float], bqkv: [Float], wp: [Float], bp: [Float], residual: [Float]
        init(T: Int, seed: UInt64) {
            var r = KernelRandom(seed: seed)
            x = r.floats(T * D, -2, 2); wqkv = r.floats(3 * D * D); bqkv = r.floats(3 * D)
            wp = r.floats(D * D); bp = r.floats(D); residual = r.floats(T * D)
        }
        func layers(_ s: Storage) -> (qkv: Linear, proj: Linear) {
            (Linear(weight: s.view("qkv.weight", wqkv, [3 * D, D]), bias: s.view("qkv.bias", bqkv, [3 * D])),
             Linear(weight: s.view("proj.weight", wp, [D, D]), bias: s.view("proj.bias", bp, [D])))
        }
    }

    @Test(arguments: [false, true]) func fullAndCausal(_ causal: Bool) {
        let T = 7, c = Case(T: T, seed: causal ? 11 : 12), s = Storage()
        let (qkv, proj) = c.layers(s)
        let ws = Workspace(rows: 2 * T, width: c.D, hidden: 0, scoreCount: T * T, gated: false)
        // Two groups of T rows: each attends within itself only.
        let x2 = c.x + c.x.reversed(), res2 = c.residual + c.residual
        var y = res2
        SelfAttention(qkv: qkv, proj: proj, heads: c.H).apply(x2, groups: 2, n: T, causal: causal, residual: &y, ws: ws)
        for g in 0..<2 {
            let xg = Array(x2[g * T * c.D ..< (g + 1) * T * c.D])
            let ref = Self.reference(x: xg, T: T, D: c.D, H: c.H, wqkv: c.wqkv, bqkv: c.bqkv, wp: c.wp, bp: c.bp,
                                     residual: c.residual) { i, j in !causal || j <= i }
            #expect(maxScaledError(Array(y[g * T * c.D ..< (g + 1) * T * c.D]), ref) <= 1e-5, "group \(g)")
        }
    }

    @Test(arguments: [VarAttention.Grouping.time, .space]) func varAttention(_ grouping: VarAttention.Grouping) {
        let K = 3, P = 4, T = 1 + K * P, c = Case(T: T, seed: 13), s = Storage()
        let (qkv, proj) = c.layers(s)
        let ws = Workspace(rows: T, width: c.D, hidden: 0, scoreCount: VarAttention.scoreCount(slots: K, patches: P),
                           gated: false)
        var y = c.residual
        VarAttention(qkv: qkv, proj: proj, heads: c.H, grouping: grouping)
            .apply(c.x, slots: K, patches: P, residual: &y, ws: ws)
        // Token 1 + k*P + p belongs to group p (time) or k (space).
        func group(_ i: Int) -> Int { grouping == .time ? (i - 1) % P : (i - 1) / P }
        let ref = Self.reference(x: c.x, T: T, D: c.D, H: c.H, wqkv: c.wqkv, bqkv: c.bqkv, wp: c.wp, bp: c.bp,
                                 residual: c.residual) { i, j in i == 0 || j == 0 || group(i) == group(j) }
        #expect(maxScaledError(y, ref) <= 1e-5)
    }
}
