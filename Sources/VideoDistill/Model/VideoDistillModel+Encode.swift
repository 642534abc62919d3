/// Progress and cancellation of a long encode (what the C API's callbacks become).
public struct EncodeControl {
    /// Called on the encoding thread as frames finish: (frames encoded, frames to encode). Frames are encoded
    /// in batches, so calls come in bursts at the end of each batch, one per frame.
    public var progress: ((_ done: Int, _ total: Int) -> Void)?
    /// Polled before each batch and each transformer block; returning true stops the encode, which then
    /// throws `VideoDistillError.aborted`.
    public var shouldAbort: (() -> Bool)?

    public init(progress: ((_ done: Int, _ total: Int) -> Void)? = nil, shouldAbort: (() -> Bool)? = nil) {
        self.progress = progress
        self.shouldAbort = shouldAbort
    }
}

/// The frame side (SPEC 1, 2.1): frames or pixels -> tokens [N, 1+P, Dv].
extension VideoDistillModel {
    /// Encodes N preprocessed frames. pixels: [N, 3, S, S] exactly (N = num_frames), all finite.
    public func encode(pixels: UnsafeBufferPointer<Float>, threads: Int,
                       control: EncodeControl = EncodeControl()) throws -> EncodedVideo {
        let c = config
        let tokens = try encodeTokens(pixels: pixels, frameCount: c.numFrames, threads: threads, control: control)
        return EncodedVideo(tokens: tokens, frameCount: c.numFrames, tokensPerFrame: c.tokensPerFrame,
                            width: c.visionWidth, modelIdentity: identity, sourceFrameIndices: nil)
    }

    /// Picks N of F frames (SPEC 1), preprocesses them (SPEC 1.1) and encodes them. Frames are uint8 RGB,
    /// interleaved, `rowStride >= 3 * width` bytes per row, frame i at `frames + i * height * rowStride`.
    /// A frame picked more than once (F < N) is encoded once (progress counts distinct frames).
    public func encode(frames: UnsafePointer<UInt8>, frameCount: Int, height: Int, width: Int, rowStride: Int,
                       threads: Int, control: EncodeControl = EncodeControl()) throws -> EncodedVideo {
        try Self.checkThreads(threads)
        let c = config, frame = 3 * c.imageSize * c.imageSize, perFrame = c.tokensPerFrame * c.visionWidth
        let pixels = try FramePipeline.preprocess(frames: frames, frameCount: frameCount, height: height,
                                                  width: width, rowStride: rowStride, config: c)
        let indices = FramePipeline.frameIndices(frameCount: frameCount, numFrames: c.numFrames)
        // Encode each distinct source frame once (indices never decrease, so repeats are adjacent).
        let firsts = indices.indices.filter { $0 == 0 || indices[$0] != indices[$0 - 1] }
        var unique = [Float](repeating: 0, count: firsts.count * frame)
        for (u, n) in firsts.enumerated() {
            unique.replaceSubrange(u * frame ..< (u + 1) * frame, with: pixels[n * frame ..< (n + 1) * frame])
        }
        let encoded = try unique.withUnsafeBufferPointer {
            try encodeTokens(pixels: $0, frameCount: firsts.count, threads: threads, control: control)
        }
        var tokens = [Float](repeating: 0, count: c.numFrames * perFrame)
        var u = -1
        for n in 0..<c.numFrames {
            if u + 1 < firsts.count && firsts[u + 1] == n { u += 1 }
            tokens.replaceSubrange(n * perFrame ..< (n + 1) * perFrame,
                                   with: encoded[u * perFrame ..< (u + 1) * perFrame])
        }
        return EncodedVideo(tokens: tokens, frameCount: c.numFrames, tokensPerFrame: c.tokensPerFrame,
                            width: c.visionWidth, modelIdentity: identity, sourceFrameIndices: indices)
    }

    /// Encodes any number of preprocessed frames, for callers that assemble a video themselves (streaming,
    /// caches, benchmarks): pixels [F, 3, S, S] (F >= 1, all finite) -> tokens [F, 1+P, Dv]. A video for
    /// `answer` is N such frames, wrapped with `encodedVideo(tokens:)`.
    public func encodeTokens(pixels: UnsafeBufferPointer<Float>, frameCount F: Int, threads: Int,
                             control: EncodeControl = EncodeControl()) throws -> [Float] {
        try Self.checkThreads(threads)
        let frame = 3 * config.imageSize * config.imageSize
        let (expected, overflow) = F.multipliedReportingOverflow(by: frame)
        guard F >= 1, !overflow, let base = pixels.baseAddress, pixels.count == expected else {
            throw VideoDistillError.invalidArgument(
                "pixels: \(pixels.count) floats for \(F) frames given, expected F x 3 x S x S = \(F) x 3 x \(config.imageSize) x \(config.imageSize)")
        }
        if let bad = pixels.firstIndex(where: { !$0.isFinite }) {
            throw VideoDistillError.invalidArgument("pixel \(bad) is not a finite number")
        }
        return try ComputeThreads.run(threads: threads) { try encodeFrames(base, count: F, control: control) }
    }

    /// Wraps tokens [N, 1+P, Dv] made earlier by this model's frame encoder (or an equivalent one, e.g. a
    /// cache on disk) so that `answer` accepts them.
    public func encodedVideo(tokens: [Float], sourceFrameIndices: [Int]? = nil) throws -> EncodedVideo {
        let c = config, expected = c.numFrames * c.tokensPerFrame * c.visionWidth
        guard tokens.count == expected else {
            throw VideoDistillError.invalidArgument("tokens: \(tokens.count) floats given, expected N x (1+P) x Dv = \(expected)")
        }
        if let s = sourceFrameIndices, s.count != c.numFrames {
            throw VideoDistillError.invalidArgument("sourceFrameIndices: \(s.count) given, expected N = \(c.numFrames)")
        }
        return EncodedVideo(tokens: tokens, frameCount: c.numFrames, tokensPerFrame: c.tokensPerFrame,
                            width: c.visionWidth, modelIdentity: identity, sourceFrameIndices: sourceFrameIndices)
    }

    /// tokens [count, 1+P, Dv] of pixels [count, 3, S, S], in batches bounded by `frameBatchBytes`.
    func encodeFrames(_ pixels: UnsafePointer<Float>, count: Int, control: EncodeControl) throws -> [Float] {
        let c = config, frame = 3 * c.imageSize * c.imageSize, perFrame = c.tokensPerFrame * c.visionWidth
        let perFrameBytes = 4 * frameEncoder.workspaceFloatsPerFrame
        let batch = Swift.max(1, Swift.min(count, Self.frameBatchBytes / Swift.max(perFrameBytes, 1)))
        let ws = frameEncoder.workspace(frames: batch)
        let patches = FloatBuffer(count: c.patchesPerFrame * 3 * c.patchSize * c.patchSize)
        var tokens = [Float](repeating: 0, count: count * perFrame)
        try withExtendedLifetime((ws, patches)) {
            try tokens.withUnsafeMutableBufferPointer { out in
                var f = 0
                while f < count {
                    let b = Swift.min(batch, count - f)
                    try frameEncoder.encode(pixels: pixels + f * frame, frames: b, into: out.baseAddress! + f * perFrame,
                                            patches: patches.base, ws: ws, shouldAbort: control.shouldAbort)
                    for done in (f + 1)...(f + b) { control.progress?(done, count) }
                    f += b
                }
            }
        }
        return tokens
    }
}
