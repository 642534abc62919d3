import Foundation
import VideoDistill
import VideoDistillVideo

/// Where the frames came from and which ones the model looked at (all indices are into the video's frames).
public struct FramesReport: Encodable {
    /// F, and the frames' size: null for an encoded-video file that does not say (one made from tokens).
    public let frameCount: Int?
    public let width: Int?
    public let height: Int?
    /// idx_n, n = 0..<N: the frames SPEC 1 picks and the model encodes.
    public let sampledFrames: [Int]
    /// The encoded-video file's precision ("float32", "float16", "int8") when the video was one; absent otherwise.
    public let storedPrecision: String?

    enum CodingKeys: String, CodingKey {
        case frameCount = "frame_count", width, height, sampledFrames = "sampled_frames", storedPrecision = "stored_precision"
    }

    public init(_ video: SampledVideo) {
        let s = video.encoded.sourceSize
        (frameCount, width, height, sampledFrames) = (s?.frameCount, s?.width, s?.height, video.sourceFrames)
        storedPrecision = video.storedPrecision?.name
    }

    /// "F in the video (W x H)", or what is known of it.
    public var summary: String {
        guard let frameCount, let width, let height else { return "? in the video (an encoded-video file made from tokens)" }
        return "\(frameCount) in the video (\(width) x \(height))"
    }
}

/// `videodistill answer`: the top answers, the selected frames and every raw output.
public struct AnswerReport: Encodable {
    public struct Ranked: Encodable {
        public let rank: Int
        public let answer: String
        /// Row of the QA head (index into the model's answers).
        public let index: Int
        public let probability: Double
        public let logit: Float
    }

    public let question: String
    public let answer: String
    /// The best `top-k` answers, most probable first (ties: lower index first).
    public let top: [Ranked]
    public let frames: FramesReport
    /// idx_k, k = 0..<K: the selected slot of each of the K selections, as an index into `sampled_frames`...
    public let selected: [Int]
    /// ...and as a frame index into the video.
    public let selectedFrames: [Int]
    /// [N][K] frame-selection logits.
    public let selectionLogits: [[Float]]
    /// [A] QA logits in answer order, and their softmax.
    public let qaLogits: [Float]
    public let probabilities: [Double]
    public let vtmLogits: [Float]?
    public let matchScore: Float?
    public let clSimilarity: Float?

    enum CodingKeys: String, CodingKey {
        case question, answer, top, frames, selected, selectedFrames = "selected_frames"
        case selectionLogits = "selection_logits", qaLogits = "qa_logits", probabilities
        case vtmLogits = "vtm_logits", matchScore = "match_score", clSimilarity = "cl_similarity"
    }

    /// Builds the report; throws `.missingHead` for a model without a QA head.
    public init(question: String, outputs o: AnswerOutputs, model: VideoDistillModel, video: SampledVideo,
                topK: Int) throws {
        guard let logits = o.qaLogits, let best = o.topAnswer, logits.count == model.answers.count else {
            throw VideoDistillError.missingHead("the model has no QA head (heads.qa.*), so it cannot answer; try `choose`")
        }
        let p = Choice.probabilities(logits)
        top = Choice.ranking(logits).prefix(max(1, topK)).enumerated().map {
            Ranked(rank: $0.offset + 1, answer: model.answers[$0.element], index: $0.element, probability: p[$0.element], logit: logits[$0.element])
        }
        let K = model.config.numSelected
        self.question = question
        answer = model.answers[best]
        frames = FramesReport(video)
        selected = o.selected
        selectedFrames = o.selected.map { video.sourceFrames[$0] }
        selectionLogits = stride(from: 0, to: o.selectionLogits.count, by: K).map { Array(o.selectionLogits[$0 ..< $0 + K]) }
        qaLogits = logits
        probabilities = p
        vtmLogits = o.vtmLogits
        matchScore = o.matchScore
        clSimilarity = o.clSim
    }
}

/// `videodistill choose`: SPEC 7's VTM match score of each candidate; the highest wins, ties to the first.
public struct ChoiceReport: Encodable {
    public struct Scored: Encodable {
        public let candidate: String
        /// The text scored: question + " " + candidate.
        public let text: String
        /// log_softmax(vtm_logits)[1].
        public let score: Float
    }

    public let question: String
    public let winner: Int
    public let answer: String
    public let candidates: [Scored]
    public let frames: FramesReport

    /// From `VideoDistillModel.choose`'s scores and winner.
    public init(question: String, candidates: [String], scores: [Float], best: Int, video: SampledVideo) {
        self.question = question
        winner = best
        answer = candidates[best]
        self.candidates = zip(candidates, scores).map {
            Scored(candidate: $0, text: Choice.candidateText(question: question, candidate: $0), score: $1)
        }
        frames = FramesReport(video)
    }
}

/// `videodistill encode`: the file written and the video behind it.
public struct EncodeReport: Encodable {
    public let path: String
    public let precision: String
    /// The file's size in bytes.
    public let bytes: Int
    public let frames: FramesReport

    public init(path: String, precision: TokenPrecision, bytes: Int, video: SampledVideo) {
        (self.path, self.precision, self.bytes, frames) = (path, precision.name, bytes, FramesReport(video))
    }
}

/// JSON as the command prints it: pretty, keys sorted, non-finite numbers as strings.
public func jsonText<T: Encodable>(_ value: T) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    return String(decoding: try encoder.encode(value), as: UTF8.self)
}
