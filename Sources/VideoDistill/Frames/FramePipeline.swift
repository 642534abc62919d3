/// SPEC 1 and 1.1: pick N of a video's frames and turn each into pixels [3, S, S].
///
/// Frames are uint8 RGB, interleaved (HWC), all of one size, rows `rowStride >= 3 * width` bytes apart
/// (SPEC 12). Every size is checked before any arithmetic or memory access; bad input throws
/// `VideoDistillError.invalidArgument` (frame sizes) or `.invalidConfig` (config values), never traps.
public enum FramePipeline {
    /// SPEC 1: `idx_n = ((2n + 1) * F) div (2N)` for n = 0..N-1, exact for any positive F and N (repeats
    /// when F < N). Returns [] when frameCount < 1 or numFrames < 1.
    public static func frameIndices(frameCount: Int, numFrames: Int) -> [Int] {
        guard frameCount >= 1, numFrames >= 1 else { return [] }
        // In UInt, 2n + 1 and 2N fit for any Int N; the full-width product cannot overflow and the
        // quotient is < F.
        let F = UInt(frameCount), twoN = 2 * UInt(numFrames)
        return (0 ..< numFrames).map { n in
            let product = (2 * UInt(n) + 1).multipliedFullWidth(by: F)
            return Int(twoN.dividingFullWidth(product).quotient)
        }
    }

    /// SPEC 1.1 step 1: the shorter side becomes R, the longer `(R * long) div short`.
    public static func resizedSize(height: Int, width: Int, resizeShort: Int) throws -> (height: Int, width: Int) {
        guard height >= 1, width >= 1 else {
            throw VideoDistillError.invalidArgument("frame size \(height) x \(width) must be at least 1 x 1")
        }
        guard resizeShort >= 1 else {
            throw VideoDistillError.invalidConfig("resize_short = \(resizeShort) must be at least 1")
        }
        let short = min(height, width), long = max(height, width)
        let (product, overflow) = resizeShort.multipliedReportingOverflow(by: long)
        // Both sides index Int32 tables in the resampler.
        guard !overflow, height <= Int(Int32.max), width <= Int(Int32.max), product / short <= Int(Int32.max) else {
            throw VideoDistillError.invalidArgument(
                "frame size \(height) x \(width) with resize_short = \(resizeShort) gives a resized side that is too large")
        }
        return height <= width ? (resizeShort, product / short) : (product / short, resizeShort)
    }

    /// One frame -> [3, S, S] at `out` (S = config.imageSize): normalised pixels, or with `normalize: false`
    /// the resized and cropped 0..255 values (SPEC 8 checks those). Builds the weight tables for this size;
    /// to process many frames of one size, use `preprocess(frames:...)` or a `FrameResampler`.
    public static func preprocessFrame(_ rgb: UnsafePointer<UInt8>, height: Int, width: Int, rowStride: Int,
                                       config: ModelConfig, normalize: Bool,
                                       into out: UnsafeMutablePointer<Float>) throws {
        let resampler = try FrameResampler(height: height, width: width, config: config)
        try resampler.resample(rgb, rowStride: rowStride, normalize: normalize, into: out)
    }

    /// A whole video -> [N, 3, S, S] (N = config.numFrames). Frame i starts at `frames + i * height * rowStride`.
    /// Each selected frame is computed once, even when SPEC 1 repeats it.
    public static func preprocess(frames: UnsafePointer<UInt8>, frameCount: Int, height: Int, width: Int,
                                  rowStride: Int, config: ModelConfig, normalize: Bool = true) throws -> [Float] {
        guard frameCount >= 1 else {
            throw VideoDistillError.invalidArgument("a video needs at least one frame (got \(frameCount))")
        }
        let N = config.numFrames
        guard N >= 1, N <= ModelConfig.maxDimension else {
            throw VideoDistillError.invalidConfig("num_frames = \(N) is out of range 1...\(ModelConfig.maxDimension)")
        }
        let resampler = try FrameResampler(height: height, width: width, config: config)
        _ = try resampler.frameSpan(rowStride: rowStride)
        let (frameBytes, o1) = height.multipliedReportingOverflow(by: rowStride)
        let (_, o2) = frameBytes.multipliedReportingOverflow(by: frameCount)
        let S = config.imageSize
        let (plane, o3) = S.multipliedReportingOverflow(by: S)
        let (frameFloats, o4) = plane.multipliedReportingOverflow(by: 3)
        let (total, o5) = frameFloats.multipliedReportingOverflow(by: N)
        guard !o1, !o2 else {
            throw VideoDistillError.invalidArgument("\(frameCount) frames of \(height) rows x \(rowStride) bytes overflow memory sizes")
        }
        guard !o3, !o4, !o5 else {
            throw VideoDistillError.invalidConfig("N x 3 x S x S = \(N) x 3 x \(S) x \(S) overflows")
        }
        var pixels = [Float](repeating: 0, count: total)
        try pixels.withUnsafeMutableBufferPointer { buffer in
            let out = buffer.baseAddress!
            var previous = -1
            for (n, i) in frameIndices(frameCount: frameCount, numFrames: N).enumerated() {
                let dst = out + n * frameFloats
                if i == previous {   // indices never decrease, so a repeat follows its first use
                    dst.update(from: dst - frameFloats, count: frameFloats)
                } else {
                    try resampler.resample(frames + i * frameBytes, rowStride: rowStride, normalize: normalize, into: dst)
                }
                previous = i
            }
        }
        return pixels
    }
}
