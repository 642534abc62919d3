import Foundation
import VideoDistill
import VideoDistillVideo

/// How `videodistill eval` has the model answer: VideoDistill itself, or one of the paper's ablations.
public enum EvalMode: String, CaseIterable, Sendable {
    /// SPEC 5's learned frame selection (VideoDistill).
    case learned = "videodistill"
    /// K evenly spaced sampled frames, `VideoDistillModel.uniformSelection`, instead of the learned selection.
    case uniform
    /// Every question asked of one constant video (`Evaluation.blindFrame`): what the question alone gives.
    case blind
}

/// The model's top answer to every question of an evaluation file, in each mode asked for.
///
/// Questions are grouped by video (in order of first appearance), so each video is decoded and encoded once
/// and only one video's tokens are held at a time; the blind video is encoded once for all questions.
public struct Evaluation {
    public let questions: [EvalQuestion]
    public let modes: [EvalMode]
    /// One answer: the top answer, its softmax probability, and the K frames it was answered from (source
    /// frame indices of the video; the blind video's are its own, all 0).
    public struct Prediction: Equatable, Sendable {
        public let answer: String
        public let probability: Double
        public var selectedFrames: [Int] = []
    }

    /// predictions[mode][i]: the answer to questions[i]; nil when the QA logits held a NaN (counted wrong).
    public internal(set) var predictions: [EvalMode: [Prediction?]] = [:]
    /// Distinct videos read (0 when only the blind mode runs).
    public private(set) var videoCount = 0
    /// "PATH: warning: ..." for each video read with frames missing or replaced (`SampledVideo.warnings`).
    public private(set) var warnings: [String] = []
    /// The uniform mode's K sampled frames.
    public let uniformSelection: [Int]

    /// The blind mode's video: one S x S frame, every byte `blindGrey` (mid-grey), which SPEC 1 picks for all
    /// N frames (F = 1 < N), so all N encoded frames are the same.
    public static let blindGrey: UInt8 = 128

    /// Answers every question in `modes` (one model call per question and mode); `progress(done, total)`
    /// counts questions. Missing videos are found before any work (exit 3, naming the line); an undecodable
    /// one stops the run (exit 4); a question the tokenizer refuses exits 6.
    public init(model: VideoDistillModel, questions: [EvalQuestion], modes: [EvalMode], threads: Int,
                progress: ((Int, Int) -> Void)? = nil) throws {
        guard model.heads.contains(.qa) else {
            throw CommandFailure(.badModel, "the model has no QA head (heads.qa.*), so it cannot answer")
        }
        (self.questions, self.modes) = (questions, modes)
        uniformSelection = model.uniformSelection

        var groups: [String: [Int]] = [:], order: [String] = []
        for (i, q) in questions.enumerated() {
            if groups[q.video] == nil { order.append(q.video) }
            groups[q.video, default: []].append(i)
        }
        let readsVideos = modes.contains(.learned) || modes.contains(.uniform)
        if readsVideos {
            for path in order where !FileManager.default.fileExists(atPath: path) {
                let q = questions[groups[path]![0]]
                throw CommandFailure(.missingFile, "line \(q.line): video \(q.videoField) not found (\(path))")
            }
        }
        let tokenIds = try questions.map { q in
            do { return try model.tokenIds(q.question) } catch let e as VideoDistillError {
                throw CommandFailure(.badQuestion, "line \(q.line): bad question: \(e)")
            }
        }
        let blind = modes.contains(.blind) ? try Self.blindVideo(model, threads: threads) : nil

        for mode in modes { predictions[mode] = Array(repeating: nil, count: questions.count) }
        var done = 0
        for path in order {
            var video: EncodedVideo?
            if readsVideos {
                let sampled = try CommandFailure.readingVideo(path) {
                    try SampledVideo.read(path: path, model: model, threads: threads)
                }
                video = sampled.encoded
                warnings += sampled.warnings.map { "\(path): \($0)" }
                videoCount += 1
            }
            for i in groups[path]! {
                for mode in modes {
                    let out: AnswerOutputs
                    switch mode {
                    case .learned: out = try model.answer(video!, tokenIds: tokenIds[i], threads: threads)
                    case .uniform: out = try model.answer(video!, tokenIds: tokenIds[i], threads: threads, selection: uniformSelection)
                    case .blind: out = try model.answer(blind!, tokenIds: tokenIds[i], threads: threads)
                    }
                    if let best = out.topAnswer, let logits = out.qaLogits {
                        let frames = (mode == .blind ? blind! : video!).sourceFrameIndices
                        predictions[mode]![i] = Prediction(answer: model.answers[best], probability: Choice.probabilities(logits)[best],
                                                           selectedFrames: out.selected.map { frames?[$0] ?? $0 })
                    }
                }
                done += 1
                progress?(done, questions.count)
            }
        }
    }

    /// An evaluation from known predictions (for tests of the report).
    init(questions: [EvalQuestion], modes: [EvalMode], predictions: [EvalMode: [Prediction?]], videoCount: Int,
         uniformSelection: [Int]) {
        (self.questions, self.modes, self.predictions) = (questions, modes, predictions)
        (self.videoCount, self.uniformSelection) = (videoCount, uniformSelection)
    }

    /// Encodes the blind video once.
    static func blindVideo(_ model: VideoDistillModel, threads: Int) throws -> EncodedVideo {
        let S = model.config.imageSize
        let frame = [UInt8](repeating: blindGrey, count: 3 * S * S)
        return try frame.withUnsafeBufferPointer {
            try model.encode(frames: $0.baseAddress!, frameCount: 1, height: S, width: S, rowStride: 3 * S, threads: threads)
        }
    }
}
