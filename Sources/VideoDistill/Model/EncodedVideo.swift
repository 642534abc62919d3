/// One video's frame side (SPEC 1): the frame encoder's tokens, computed once per video and reused for any
/// number of questions, held in memory or in a mapped encoded-video file (`EncodedVideoFile`). Immutable; share it
/// freely between threads.
public struct EncodedVideo: Sendable {
    /// Where the tokens are.
    enum Storage: Sendable {
        case memory(TokenBuffer)
        case file(EncodedVideoFile)
    }
    let storage: Storage

    /// tokens [N, 1+P, Dv], row-major: token 0 of each frame is v_cls, tokens 1... its patches (row-major). For a
    /// video loaded from a file this reads (and, for compact files, widens) the whole file.
    public var tokens: [Float] {
        switch storage {
        case .memory(let t): return Array(t.floats)
        case .file(let f): return f.allTokens()
        }
    }
    /// The file the tokens are mapped from, when loaded from one.
    public var file: EncodedVideoFile? {
        if case .file(let f) = storage { return f }
        return nil
    }
    /// N, the frames encoded.
    public let frameCount: Int
    /// 1 + P.
    public let tokensPerFrame: Int
    /// Dv.
    public let width: Int
    /// The model that made these tokens (`VideoDistillModel.identity`); a model answers only from its own.
    public let modelIdentity: UInt64
    /// SPEC 1's idx_n, the source frame of each of the N encoded frames; nil when encoded from pixels.
    public let sourceFrameIndices: [Int]?
    /// Each encoded frame's time in its video file, in seconds after the first frame; nil when not from a file.
    public internal(set) var sourceSeconds: [Double]? = nil
    /// The encoded frames (0..<N) whose own source frame could not be decoded and that hold a neighbour's
    /// instead (the video library's replacement policy); their `sourceFrameIndices` name the neighbour.
    public internal(set) var replacedSamples: [Int] = []
    /// The video the N frames were picked from, when this runtime decoded or was given its frames; nil for
    /// preprocessed pixels and tokens made elsewhere.
    public internal(set) var sourceSize: SourceSize? = nil

    /// F frames of width x height pixels.
    public struct SourceSize: Sendable, Equatable {
        public let frameCount: Int, width: Int, height: Int

        public init(frameCount: Int, width: Int, height: Int) {
            (self.frameCount, self.width, self.height) = (frameCount, width, height)
        }
    }

    init(tokens: [Float], frameCount: Int, tokensPerFrame: Int, width: Int, modelIdentity: UInt64,
         sourceFrameIndices: [Int]?, sourceSeconds: [Double]? = nil, replacedSamples: [Int] = []) {
        storage = .memory(TokenBuffer(tokens))
        (self.frameCount, self.tokensPerFrame, self.width, self.modelIdentity) = (frameCount, tokensPerFrame, width, modelIdentity)
        (self.sourceFrameIndices, self.sourceSeconds, self.replacedSamples) = (sourceFrameIndices, sourceSeconds, replacedSamples)
    }

    /// A video whose tokens stay in `file`, for the model `modelIdentity`.
    init(file: EncodedVideoFile, modelIdentity: UInt64) {
        storage = .file(file)
        (frameCount, tokensPerFrame, width, self.modelIdentity) = (file.frameCount, file.tokensPerFrame, file.width, modelIdentity)
        (sourceFrameIndices, sourceSeconds, replacedSamples) = (file.sourceFrameIndices, file.sourceSeconds, file.replacedSamples)
        sourceSize = file.sourceSize
    }

    /// What a question reads (SPEC 4-6): v_cls of the N frames (a pointer and its row stride in floats; `scratch`
    /// [N, Dv] is filled when the rows must be widened), and the patches [P, Dv] of one frame, copied out.
    struct FrameTokens {
        let cls: (_ scratch: UnsafeMutablePointer<Float>) -> (rows: UnsafePointer<Float>, stride: Int)
        let copyPatches: (_ frame: Int, _ into: UnsafeMutablePointer<Float>) -> Void
    }

    /// Runs `body` with this video's `FrameTokens`, which read nothing else of the tokens.
    func withFrameTokens<R>(_ body: (FrameTokens) throws -> R) rethrows -> R {
        let (T, Dv) = (tokensPerFrame, width)
        switch storage {
        case .memory(let tokens):
            return try withExtendedLifetime(tokens) {
                let base = UnsafePointer(tokens.floats.baseAddress!)
                return try body(FrameTokens(cls: { _ in (base, T * Dv) },
                                            copyPatches: { n, out in out.update(from: base + (n * T + 1) * Dv, count: (T - 1) * Dv) }))
            }
        case .file(let f):
            return try withExtendedLifetime(f) {
                try body(FrameTokens(cls: { (f.clsRows(scratch: $0), Dv) }, copyPatches: f.copyPatches))
            }
        }
    }

    /// Runs `body` with every token [N, 1+P, Dv]: the video's own memory, or the file widened into a copy.
    func withTokens<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        switch storage {
        case .memory(let t): return try withExtendedLifetime(t) { try body(UnsafeBufferPointer(t.floats)) }
        case .file(let f): return try f.allTokens().withUnsafeBufferPointer(body)
        }
    }
}

/// Tokens in memory at an address that stays put for the buffer's life (vd_video_tokens hands it out).
final class TokenBuffer: @unchecked Sendable {
    let floats: UnsafeMutableBufferPointer<Float>

    init(_ tokens: [Float]) {
        floats = .allocate(capacity: Swift.max(tokens.count, 1))
        _ = floats.initialize(from: tokens)
    }

    deinit { floats.deallocate() }
}
