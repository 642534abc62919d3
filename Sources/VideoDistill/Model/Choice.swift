import Foundation

/// How a result becomes a choice (SPEC 7), decided here once for every caller: the C API, the `videodistill`
/// command and, through the C API, the Python package.
public enum Choice {
    /// softmax(x) in Double, shifted by the maximum. Empty for empty input.
    public static func probabilities(_ logits: [Float]) -> [Double] {
        guard let m = logits.max() else { return [] }
        let e = logits.map { exp(Double($0 - m)) }
        let s = e.reduce(0, +)
        return e.map { $0 / s }
    }

    /// Indices best first: by score, ties to the lower index, NaN last. The order of the probabilities too
    /// (softmax keeps the order of the logits, where Float probabilities may tie).
    public static func ranking(_ scores: [Float]) -> [Int] {
        scores.indices.sorted { i, j in
            let (a, b) = (scores[i], scores[j])
            if a.isNaN != b.isNaN { return b.isNaN }
            return a == b || a.isNaN ? i < j : a > b
        }
    }

    /// The index of the highest score, the first on ties (NaN only where every score is NaN); nil for none.
    public static func best(_ scores: [Float]) -> Int? {
        ranking(scores).first
    }

    /// SPEC 7's multiple-choice text: the question, one space, the candidate (UTF-8 bytes, tokenized as one).
    public static func candidateText(question: some Collection<UInt8>, candidate: some Collection<UInt8>) -> [UInt8] {
        Array(question) + [UInt8(ascii: " ")] + Array(candidate)
    }

    /// `candidateText` of Swift strings.
    public static func candidateText(question: String, candidate: String) -> String {
        String(decoding: candidateText(question: question.utf8, candidate: candidate.utf8), as: UTF8.self)
    }
}

/// Multiple choice (SPEC 7) and the uniform baseline, on a model.
extension VideoDistillModel {
    /// Multiple choice over candidate answers: the VTM match score of `question + " " + candidate` for each
    /// candidate (UTF-8 bytes), and the best (first on ties). Throws `.missingHead` without a VTM head,
    /// `.invalidText` for a text that is not UTF-8, `.invalidArgument` for no candidates.
    public func choose(_ video: EncodedVideo, questionUTF8 question: [UInt8], candidatesUTF8 candidates: [[UInt8]],
                       threads: Int) throws -> (scores: [Float], best: Int) {
        try require(.vtm)
        guard !candidates.isEmpty else { throw VideoDistillError.invalidArgument("multiple choice needs a candidate") }
        let scores = try candidates.map { c in
            let text = Choice.candidateText(question: question, candidate: c)
            return try matchScore(video, tokenIds: tokenizer.tokenIds(utf8: text, contextLength: config.contextLength),
                                  threads: threads)
        }
        return (scores, Choice.best(scores)!)
    }

    /// `choose` with Swift strings.
    public func choose(_ video: EncodedVideo, question: String, candidates: [String],
                       threads: Int) throws -> (scores: [Float], best: Int) {
        try choose(video, questionUTF8: Array(question.utf8), candidatesUTF8: candidates.map { Array($0.utf8) },
                   threads: threads)
    }

    /// Multiple choice over videos: the VTM match score of `text` with each video, and the best video (first on
    /// ties). Throws `.missingHead` without a VTM head, `.invalidArgument` for no videos or one of another model.
    public func chooseVideo(_ videos: [EncodedVideo], textUTF8 text: [UInt8],
                            threads: Int) throws -> (scores: [Float], best: Int) {
        try require(.vtm)
        guard !videos.isEmpty else { throw VideoDistillError.invalidArgument("multiple choice needs a video") }
        let ids = try tokenizer.tokenIds(utf8: text, contextLength: config.contextLength)
        let scores = try videos.map { try matchScore($0, tokenIds: ids, threads: threads) }
        return (scores, Choice.best(scores)!)
    }

    /// `chooseVideo` with a Swift string.
    public func chooseVideo(_ videos: [EncodedVideo], text: String, threads: Int) throws -> (scores: [Float], best: Int) {
        try chooseVideo(videos, textUTF8: Array(text.utf8), threads: threads)
    }

    /// The paper's uniform baseline for this model: `Selection.uniform` of its N and K, to pass as `selection`.
    public var uniformSelection: [Int] { Selection.uniform(frames: config.numFrames, slots: config.numSelected) }
}
