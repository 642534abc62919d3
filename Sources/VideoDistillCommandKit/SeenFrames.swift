import VideoDistill
import VideoDistillVideo

/// The N frames a model sees of a video, as pictures: SPEC 1's pick, resized and centre-cropped to S x S
/// (SPEC 1.1 steps 1-2, the model's own resampler with `normalize: false`), rounded to 8 bits.
public struct SeenFrames {
    /// S.
    public let side: Int
    /// [N, S, S, 3] uint8 RGB; frame n is SPEC 1's idx_n.
    public let rgb: [UInt8]
    /// idx_n, n = 0..<N.
    public let sourceFrames: [Int]

    /// Decodes the distinct picked frames of `source` in ascending order (as `SampledVideo` does).
    public init(source: FrameSource, config c: ModelConfig) throws {
        let picked = FramePipeline.frameIndices(frameCount: source.frameCount, numFrames: c.numFrames)
        guard !picked.isEmpty else { throw FrameSourceError.undecodable("\(source.name): the video has no frames") }
        let S = c.imageSize
        let resampler = try FrameResampler(height: source.height, width: source.width, config: c)
        let plane = S * S   // the resampler checked S against ModelConfig.maxDimension
        var frame = [UInt8](repeating: 0, count: source.frameBytes)   // [H, W, 3]
        var resized = [Float](repeating: 0, count: 3 * plane)         // [3, S, S], 0..255
        var out = [UInt8](repeating: 0, count: picked.count * 3 * plane)
        var previous = -1
        for (n, index) in picked.enumerated() {
            let dst = n * 3 * plane
            if index == previous {   // picks never decrease: a repeat copies the frame before it
                out.replaceSubrange(dst ..< dst + 3 * plane, with: out[dst - 3 * plane ..< dst])
                continue
            }
            try frame.withUnsafeMutableBufferPointer { try source.readFrame(index, into: $0) }
            try frame.withUnsafeBufferPointer { f in
                try resized.withUnsafeMutableBufferPointer {
                    try resampler.resample(f.baseAddress!, rowStride: 3 * source.width, normalize: false, into: $0.baseAddress!)
                }
            }
            for p in 0..<plane {
                for ch in 0..<3 {
                    out[dst + 3 * p + ch] = UInt8(min(max(resized[ch * plane + p], 0), 255).rounded())
                }
            }
            previous = index
        }
        (side, rgb, sourceFrames) = (S, out, picked)
    }

    /// Frame n as [S, S, 3].
    public func frame(_ n: Int) -> ArraySlice<UInt8> {
        let size = 3 * side * side
        return rgb[n * size ..< (n + 1) * size]
    }
}
