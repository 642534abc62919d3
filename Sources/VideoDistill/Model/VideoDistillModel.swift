import Synchronization

/// A loaded VideoDistill (SPEC 1-7) ready to answer questions about videos, in fp32.
///
/// Weights stay where the `ModelFile` mapped them: every layer holds views into it, resolved once here.
/// Activations live in scratch owned by each call, so one model serves any number of concurrent calls.
/// Each call takes `threads` (>= 1): the threads that split its products and attention (`ComputeThreads`;
/// OpenBLAS itself runs on one). Concurrent calls with any counts run at the same time.
///
/// Usage:
///     let model = try VideoDistillModel(path: "model.gguf")
///     let video = try model.encode(frames: rgb, frameCount: F, height: H, width: W, rowStride: 3 * W, threads: 2)
///     let out = try model.answer(video, question: "what is the man holding?", threads: 2)
///     let answer = out.topAnswer.map { model.answers[$0] }
public final class VideoDistillModel: @unchecked Sendable {
    /// The model's blueprint (SPEC 11).
    public let config: ModelConfig
    /// The QA head's answers, in logit order (empty without a QA head).
    public let answers: [String]
    /// The optional heads this model has.
    public let heads: Set<Head>
    /// Unique among the models of this process; stamps the videos this model encodes.
    public let identity: UInt64

    let file: ModelFile
    /// The BPE tokenizer built from the file's merges (SPEC 2.3).
    public let tokenizer: CLIPTokenizer
    let frameEncoder: FrameEncoder
    let textEncoder: TextEncoder
    let samplingAndRefinement: FrameSamplingAndRefinement
    let headLayers: Heads

    /// Scratch bound of a frame-encoder batch: frames are encoded together (GEMMs over frames * (1+P)
    /// rows) as long as their scratch stays under this. 64 MiB is ten 224 px ViT-B/16 frames (1970 rows): the
    /// products run as fast as with more (tools/benchmark), and it is what a call holds above the model.
    static let frameBatchBytes = 64 << 20
    /// Largest thread count a call may ask for.
    public static let maxThreads = 1024
    /// The largest scratch one call may need (floats, 1 GiB); beyond it a model file is refused at load, so a
    /// small file cannot make every call allocate gigabytes (num_frames = 40,000 costs N^2 = 1.6e9 floats of
    /// FS attention scores). The paper's config needs ~4.1e7 floats (answer side); ViT-L/14 sizes with K = 16, ~5.5e7.
    static let maxScratchFloats = 1 << 28

    private static let identities = Atomic<UInt64>(0)
    /// `fingerprint`, once computed.
    let fingerprintCache = OnceValue<UInt64>()

    /// Builds the model from a checked model file (kept alive by the model).
    package init(file: ModelFile) throws {
        let c = file.config
        try c.validate()
        try Self.checkSizes(c, answerCount: file.answers.count)
        let w = WeightReader(file: file)
        self.file = file
        config = c
        answers = file.answers
        heads = file.heads
        (frameEncoder, textEncoder, samplingAndRefinement, headLayers) = try Self.layers(w, c,
                                                                                       answerCount: file.answers.count)
        tokenizer = try CLIPTokenizer(merges: file.bpeMerges)
        identity = Self.identities.wrappingAdd(1, ordering: .relaxed).newValue
    }

    /// The layers of SPEC 1-7, reading their tensors through `w` in SPEC 10's order (through a recording
    /// reader, that order and what they read are `expectedTensors`).
    static func layers(_ w: WeightReader, _ c: ModelConfig, answerCount: Int) throws
        -> (FrameEncoder, TextEncoder, FrameSamplingAndRefinement, Heads) {
        (try FrameEncoder(w, c), try TextEncoder(w, c), try FrameSamplingAndRefinement(w, c),
         try Heads(w, c, answerCount: answerCount))
    }

    /// Maps and checks the model file at `path`, then builds the model.
    public convenience init(path: String) throws {
        try self.init(file: ModelFile(path: path))
    }

    /// Sizes the kernels take as OpenBLAS ints, and the scratch one call needs, must stay in range.
    private static func checkSizes(_ c: ModelConfig, answerCount: Int) throws {
        let P = c.patchesPerFrame, D = c.modelDim
        let widest = Swift.max(c.visionWidth, c.textWidth, D, c.qaHidden)
        guard GEMM.fits(P * 3 * D, c.tokensPerFrame * c.visionWidth, 4 * widest, c.refinementTokens,
                        c.numFrames * c.numFrames, 3 * c.patchSize * c.patchSize, answerCount) else {
            throw VideoDistillError.invalidModelFile("model sizes exceed the 32-bit sizes of the GEMM library")
        }
        let frame = c.tokensPerFrame * (9 * c.visionWidth) + c.tokensPerFrame * c.tokensPerFrame
        // The text encoder's scratch for the longest question: context_length rows and their causal scores.
        let text = Workspace.floats(rows: c.contextLength, width: c.textWidth, hidden: 4 * c.textWidth,
                                    scoreCount: c.contextLength * c.contextLength, gated: false)
        guard FrameSamplingAndRefinement.scratchFloats(c) <= maxScratchFloats, frame <= maxScratchFloats,
              text <= maxScratchFloats else {
            throw VideoDistillError.invalidModelFile("model sizes need more than \(maxScratchFloats) floats of scratch")
        }
    }

    /// Throws unless 1 <= threads <= maxThreads.
    static func checkThreads(_ threads: Int) throws {
        guard (1...maxThreads).contains(threads) else {
            throw VideoDistillError.invalidArgument("threads = \(threads); expected 1...\(maxThreads)")
        }
    }

    /// SPEC 2.3's token ids [context_length] of `text`.
    public func tokenIds(_ text: String) throws -> [Int32] {
        try tokenizer.tokenIds(text, contextLength: config.contextLength)
    }
}
