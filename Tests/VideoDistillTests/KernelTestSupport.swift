import Foundation
import _VDKernels
import _VDTestSupport

/// Deterministic pseudo-random floats for kernel tests (SplitMix64).
struct KernelRandom {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [lo, hi).
    mutating func float(_ lo: Float, _ hi: Float) -> Float {
        lo + (hi - lo) * Float(next() >> 40) / Float(1 << 24)
    }

    mutating func floats(_ n: Int, _ lo: Float = -1, _ hi: Float = 1) -> [Float] {
        (0..<n).map { _ in float(lo, hi) }
    }
}

/// The SIMD paths this CPU has, each to be forced and compared with the scalar twin.
let simdPaths: [Int32] = [Int32(VD_ISA_AVX2), Int32(VD_ISA_AVX512)].filter { $0 <= vd_best_isa() }

/// Runs body with the kernels forced to `isa`, restoring the best path after.
func withISA<T>(_ isa: Int32, _ body: () throws -> T) rethrows -> T {
    precondition(vd_set_isa(isa) == 0)
    defer { _ = vd_set_isa(vd_best_isa()) }
    return try body()
}

/// Largest |a[i] - b[i]| / max(1, |b[i]|); NaN when shapes differ or a NaN appears on one side only.
func maxScaledError(_ a: [Float], _ b: [Double]) -> Double {
    guard a.count == b.count else { return .nan }
    var worst = 0.0
    for (x, y) in zip(a, b) {
        if x.isNaN != y.isNaN { return .nan }
        if x.isNaN { continue }
        worst = max(worst, abs(Double(x) - y) / max(1, abs(y)))
    }
    return worst
}

func maxScaledError(_ a: [Float], _ b: [Float]) -> Double { maxScaledError(a, b.map(Double.init)) }

/// The sizes kernel tests sweep: below, at and around both vector widths, and model-like widths.
let kernelSizes = [1, 3, 7, 8, 9, 15, 16, 17, 31, 33, 40, 64, 100, 129, 771]
