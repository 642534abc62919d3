import ArgumentParser
import Foundation
import VideoDistill
import VideoDistillCommandKit

/// `videodistill choose`: multiple choice by video-text matching (SPEC 7).
struct Choose: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Pick the best of candidate answers (VTM head).",
        discussion: "Scores each candidate by the VTM match score log_softmax(vtm_logits)[1] of the text "
            + "question + \" \" + candidate; the highest wins, ties to the first.")

    @OptionGroup var model: ModelOptions
    @OptionGroup var input: VideoQuestionOptions

    @Option(name: .shortAndLong, parsing: .upToNextOption, help: "The candidate answers (one or more).")
    var candidates: [String] = []

    func validate() throws {
        guard !candidates.isEmpty else { throw ValidationError("give at least one candidate with --candidates") }
    }

    func run() throws {
        let question = try input.questionText()
        for (i, c) in candidates.enumerated() { try QuestionText.checkArgument(c, what: "candidate \(i + 1)") }
        let m = try model.load()
        guard m.heads.contains(.vtm) else {
            throw CommandFailure(.badModel, "\(model.model) has no VTM head (heads.vtm.*), so it cannot score candidates")
        }
        let video = try input.read(with: m)
        let (scores, best) = try m.choose(video.encoded, question: question, candidates: candidates, threads: input.threads)
        let report = ChoiceReport(question: question, candidates: candidates, scores: scores, best: best, video: video)
        emit(input.json ? try jsonText(report) : text(report))
    }

    private func text(_ r: ChoiceReport) -> String {
        var lines = ["answer: \(r.answer) (candidate \(r.winner + 1) of \(r.candidates.count))"]
        for (i, c) in r.candidates.enumerated() {
            lines.append("\(i == r.winner ? " *" : "  ") \(String(format: "%10.4f", c.score))  \(c.candidate)")
        }
        lines.append("frames: \(r.frames.summary); sampled \(list(r.frames.sampledFrames))")
        return lines.joined(separator: "\n")
    }
}
