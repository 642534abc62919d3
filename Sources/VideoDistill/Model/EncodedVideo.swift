/// One video's frame side (SPEC 1): the frame encoder's tokens, computed once per video and reused for any
/// number of questions. Immutable; share it freely between threads.
public struct EncodedVideo: Sendable {
    /// tokens [N, 1+P, Dv], row-major: token 0 of each frame is v_cls, tokens 1... its patches (row-major).
    public let tokens: [Float]
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
}
