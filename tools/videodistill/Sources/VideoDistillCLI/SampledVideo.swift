import VideoDistill

/// One video read for one model: the frames SPEC 1 picks, and only those, decoded, preprocessed (SPEC 1.1)
/// and encoded, ready for any number of questions.
public struct SampledVideo {
    /// tokens [N, 1+P, Dv]; `encoded.sourceFrameIndices` are `sourceFrames`.
    public let encoded: EncodedVideo
    /// F, the frames of the source.
    public let frameCount: Int
    /// idx_n = ((2n + 1) F) div (2N), n = 0..<N: the source frame behind each encoded frame.
    public let sourceFrames: [Int]

    /// What a progress callback is told about.
    public enum Phase: String, Sendable { case decoding, encoding }

    /// Decodes the distinct frames of SPEC 1's pick in ascending order (one frame of RGB in memory at a
    /// time), preprocesses each as it comes, encodes each distinct frame once, and lays the tokens out in
    /// pick order (repeats when F < N). `progress(phase, done, total)` follows both phases.
    public init(source: FrameSource, model: VideoDistillModel, threads: Int,
                progress: ((Phase, Int, Int) -> Void)? = nil) throws {
        let c = model.config
        let picked = FramePipeline.frameIndices(frameCount: source.frameCount, numFrames: c.numFrames)
        guard !picked.isEmpty else {
            throw FrameSourceError.undecodable("\(source.name): the video has no frames")
        }
        // idx_n never decreases, so repeats are adjacent.
        let distinct = picked.indices.filter { $0 == 0 || picked[$0] != picked[$0 - 1] }.map { picked[$0] }
        let resampler = try FrameResampler(height: source.height, width: source.width, config: c)
        let (pixelsPerFrame, o1) = (3 * c.imageSize).multipliedReportingOverflow(by: c.imageSize)
        let (pixelCount, o2) = pixelsPerFrame.multipliedReportingOverflow(by: distinct.count)
        guard !o1, !o2 else { throw VideoDistillError.invalidConfig("image_size = \(c.imageSize) is too large") }

        var pixels = [Float](repeating: 0, count: pixelCount)   // [U, 3, S, S]
        var rgb = [UInt8](repeating: 0, count: source.frameBytes)   // [H, W, 3]
        for (u, index) in distinct.enumerated() {
            try rgb.withUnsafeMutableBufferPointer { try source.readFrame(index, into: $0) }
            try rgb.withUnsafeBufferPointer { frame in
                try pixels.withUnsafeMutableBufferPointer { out in
                    try resampler.resample(frame.baseAddress!, rowStride: 3 * source.width, normalize: true,
                                           into: out.baseAddress! + u * pixelsPerFrame)
                }
            }
            progress?(.decoding, u + 1, distinct.count)
        }

        let control = EncodeControl(progress: progress.map { p in { p(.encoding, $0, $1) } })
        let tokens = try pixels.withUnsafeBufferPointer {
            try model.encodeTokens(pixels: $0, frameCount: distinct.count, threads: threads, control: control)
        }   // [U, 1+P, Dv]
        let perFrame = c.tokensPerFrame * c.visionWidth
        var laidOut = [Float]()   // [N, 1+P, Dv]
        laidOut.reserveCapacity(picked.count * perFrame)
        var u = 0
        for index in picked {
            while distinct[u] != index { u += 1 }
            laidOut.append(contentsOf: tokens[u * perFrame ..< (u + 1) * perFrame])
        }
        encoded = try model.encodedVideo(tokens: laidOut, sourceFrameIndices: picked)
        frameCount = source.frameCount
        sourceFrames = picked
    }
}
