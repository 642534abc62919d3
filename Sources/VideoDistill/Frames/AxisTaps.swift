/// One axis of SPEC 1.1's antialiased-bilinear resampler, for a range of output indices only (those that
/// survive the centre crop).
///
/// For output index i of an axis scaled by `scale = in / out`: centre `c = (i + 0.5) * scale`, support
/// `s = max(scale, 1)`, inputs `j` from `max(floor(c - s + 0.5), 0)` to `min(floor(c + s + 0.5), in) - 1`,
/// weight `max(0, 1 - |(j + 0.5 - c) / s|)`, normalised to sum 1. Weights are computed in Double and stored
/// as Float (relative error ~6e-8, far inside SPEC 8's 0.01 on 0..255 values).
struct AxisTaps {
    /// First input index read by each listed output.  [count]
    var first: [Int32]
    /// Number of inputs read by each listed output (always >= 1).  [count]
    var taps: [Int32]
    /// Weights, row k for the k-th listed output, zero-padded to `maxTaps`.  [count, maxTaps]
    var weights: [Float]
    /// Row width of `weights`.
    var maxTaps: Int
    /// The input indices any listed output reads.
    var inputs: Range<Int>

    /// Taps of outputs `outputs` (a subrange of 0..<outputSize) of an axis resized inputSize -> outputSize.
    /// The caller guarantees 1 <= inputSize, outputSize <= Int32.max and a non-empty `outputs`.
    init(inputSize: Int, outputSize: Int, outputs: Range<Int>) {
        let scale = Double(inputSize) / Double(outputSize)
        let support = max(scale, 1)
        var windows: [(lo: Int, hi: Int)] = []
        windows.reserveCapacity(outputs.count)
        for i in outputs {
            let c = (Double(i) + 0.5) * scale
            // 0 <= lo < hi <= inputSize always holds (c < inputSize, s >= 1); the clamps keep memory safe anyway.
            let lo = min(max(Int((c - support + 0.5).rounded(.down)), 0), inputSize - 1)
            let hi = min(Int((c + support + 0.5).rounded(.down)), inputSize)
            windows.append((lo, max(hi, lo + 1)))
        }
        maxTaps = windows.map { $0.hi - $0.lo }.max() ?? 1
        first = windows.map { Int32($0.lo) }
        taps = windows.map { Int32($0.hi - $0.lo) }
        inputs = (windows.map(\.lo).min() ?? 0) ..< (windows.map(\.hi).max() ?? 1)
        weights = [Float](repeating: 0, count: outputs.count * maxTaps)
        var row = [Double](repeating: 0, count: maxTaps)
        for (k, i) in outputs.enumerated() {
            let c = (Double(i) + 0.5) * scale
            let (lo, hi) = windows[k]
            var total = 0.0
            for j in lo ..< hi {
                let w = max(0, 1 - abs((Double(j) + 0.5 - c) / support))
                row[j - lo] = w
                total += w
            }
            // total >= 0.5: the input nearest c lies within 0.5 of it and s >= 1.
            for j in lo ..< hi { weights[k * maxTaps + j - lo] = Float(row[j - lo] / total) }
        }
    }
}
