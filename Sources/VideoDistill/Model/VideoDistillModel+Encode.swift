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

/// What a frame reader of `encode(frameCount:...)` delivered for one asked frame.
public struct FrameRead: Sendable {
    /// The source frame whose pixels were delivered: the asked one, or the one standing in for it.
    public var index: Int
    /// Its time in seconds after the video's first frame, when the source knows it.
    public var seconds: Double?
    /// True when the asked frame could not be had and `index`'s pixels stand in for it.
    public var replaced: Bool

    public init(index: Int, seconds: Double? = nil, replaced: Bool = false) {
        (self.index, self.seconds, self.replaced) = (index, seconds, replaced)
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
        _ = try FrameResampler(height: height, width: width, config: config).frameSpan(rowStride: rowStride)
        let (frameBytes, o1) = height.multipliedReportingOverflow(by: rowStride)
        let (_, o2) = frameBytes.multipliedReportingOverflow(by: Swift.max(frameCount, 1))
        guard !o1, !o2 else {
            throw VideoDistillError.invalidArgument("\(frameCount) frames of \(height) rows x \(rowStride) bytes overflow memory sizes")
        }
        let rowBytes = 3 * width   // checked by frameSpan
        return try encode(frameCount: frameCount, height: height, width: width, threads: threads, control: control) { i, rgb in
            let frame = frames + i * frameBytes
            for y in 0..<height {
                UnsafeMutableRawPointer(rgb.baseAddress! + y * rowBytes).copyMemory(from: frame + y * rowStride, byteCount: rowBytes)
            }
            return FrameRead(index: i)
        }
    }

    /// SPEC 1 and 1.1 over frames read on demand, the one place a video's frames become its tokens: picks N of
    /// the F frames, asks `readFrame(index, rgb)` for each distinct pick in ascending order (one frame of RGB in
    /// memory at a time: `rgb` holds height * width * 3 bytes, rows of 3 * width) and preprocesses it as it
    /// comes, encodes each distinct frame once and lays the tokens out in pick order (repeats when F < N). The
    /// reader says which frame it delivered, its time, and whether it stands in for one that could not be had;
    /// the video keeps those (`EncodedVideo`). `readProgress(done, total)` follows the reads, `control` the encode.
    public func encode(frameCount: Int, height: Int, width: Int, threads: Int, control: EncodeControl = EncodeControl(),
                       readProgress: ((_ done: Int, _ total: Int) -> Void)? = nil,
                       readFrame: (_ index: Int, _ rgb: UnsafeMutableBufferPointer<UInt8>) throws -> FrameRead) throws -> EncodedVideo {
        try Self.checkThreads(threads)
        guard frameCount >= 1 else {
            throw VideoDistillError.invalidArgument("a video needs at least one frame (got \(frameCount))")
        }
        let c = config
        let resampler = try FrameResampler(height: height, width: width, config: c)
        let (rowBytes, o1) = width.multipliedReportingOverflow(by: 3)
        let (frameBytes, o2) = rowBytes.multipliedReportingOverflow(by: height)
        guard !o1, !o2 else { throw VideoDistillError.invalidArgument("a \(width) x \(height) frame overflows memory sizes") }
        let picked = FramePipeline.frameIndices(frameCount: frameCount, numFrames: c.numFrames)
        // idx_n never decreases, so repeats are adjacent.
        let distinct = picked.indices.filter { $0 == 0 || picked[$0] != picked[$0 - 1] }.map { picked[$0] }
        let (pixelsPerFrame, o3) = (3 * c.imageSize).multipliedReportingOverflow(by: c.imageSize)
        let (pixelCount, o4) = pixelsPerFrame.multipliedReportingOverflow(by: distinct.count)
        guard !o3, !o4 else { throw VideoDistillError.invalidConfig("image_size = \(c.imageSize) is too large") }

        var pixels = [Float](repeating: 0, count: pixelCount)   // [U, 3, S, S]
        var rgb = [UInt8](repeating: 0, count: frameBytes)      // [H, W, 3]
        var reads: [FrameRead] = []
        for (u, index) in distinct.enumerated() {
            reads.append(try rgb.withUnsafeMutableBufferPointer { try readFrame(index, $0) })
            try rgb.withUnsafeBufferPointer { frame in
                try pixels.withUnsafeMutableBufferPointer { out in
                    try resampler.resample(frame.baseAddress!, rowStride: rowBytes, normalize: true,
                                           into: out.baseAddress! + u * pixelsPerFrame)
                }
            }
            readProgress?(u + 1, distinct.count)
        }
        let tokens = try pixels.withUnsafeBufferPointer {
            try encodeTokens(pixels: $0, frameCount: distinct.count, threads: threads, control: control)
        }   // [U, 1+P, Dv]
        let perFrame = c.tokensPerFrame * c.visionWidth
        var laidOut = [Float]()   // [N, 1+P, Dv]
        laidOut.reserveCapacity(picked.count * perFrame)
        var sources: [Int] = [], seconds: [Double] = [], replaced: [Int] = []
        var u = 0
        for (n, index) in picked.enumerated() {
            while distinct[u] != index { u += 1 }
            laidOut.append(contentsOf: tokens[u * perFrame ..< (u + 1) * perFrame])
            sources.append(reads[u].index)
            seconds.append(reads[u].seconds ?? .nan)
            if reads[u].replaced { replaced.append(n) }
        }
        var video = try encodedVideo(tokens: laidOut, sourceFrameIndices: sources,
                                     sourceSeconds: reads.contains { $0.seconds != nil } ? seconds : nil,
                                     replacedSamples: replaced)
        video.sourceSize = EncodedVideo.SourceSize(frameCount: frameCount, width: width, height: height)
        return video
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
    /// cache on disk) so that `answer` accepts them, with where each frame came from when known: its source
    /// frame index, its time in seconds, and which frames hold a neighbour's (`EncodedVideo`).
    public func encodedVideo(tokens: [Float], sourceFrameIndices: [Int]? = nil, sourceSeconds: [Double]? = nil,
                             replacedSamples: [Int] = []) throws -> EncodedVideo {
        let c = config, expected = c.numFrames * c.tokensPerFrame * c.visionWidth
        guard tokens.count == expected else {
            throw VideoDistillError.invalidArgument("tokens: \(tokens.count) floats given, expected N x (1+P) x Dv = \(expected)")
        }
        if let s = sourceFrameIndices, s.count != c.numFrames {
            throw VideoDistillError.invalidArgument("sourceFrameIndices: \(s.count) given, expected N = \(c.numFrames)")
        }
        if let s = sourceSeconds, s.count != c.numFrames {
            throw VideoDistillError.invalidArgument("sourceSeconds: \(s.count) given, expected N = \(c.numFrames)")
        }
        guard replacedSamples.allSatisfy({ (0..<c.numFrames).contains($0) }) else {
            throw VideoDistillError.invalidArgument("replacedSamples: an index is outside 0..<N = \(c.numFrames)")
        }
        return EncodedVideo(tokens: tokens, frameCount: c.numFrames, tokensPerFrame: c.tokensPerFrame,
                            width: c.visionWidth, modelIdentity: identity, sourceFrameIndices: sourceFrameIndices,
                            sourceSeconds: sourceSeconds, replacedSamples: replacedSamples.sorted())
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
