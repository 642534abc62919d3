import ArgumentParser
import VideoDistill
import VideoDistillCommandKit

/// `videodistill answer`: the QA head's best answers.
struct Answer: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Answer a question about a video (QA head).",
        discussion: "Prints the top answers with their probabilities and the frames the model selected. "
            + "--json adds every QA logit, the selection logits and the other heads' outputs. Several questions "
            + "(--question more than once, or --questions FILE, one per line) are answered from one encode of the "
            + "video: a report each, a JSON array with --json.")

    @OptionGroup var model: ModelOptions
    @OptionGroup var input: VideoQuestionOptions

    @Option(name: .customLong("top-k"), help: "How many answers to list.")
    var topK = 5

    func validate() throws {
        guard topK >= 1 else { throw ValidationError("--top-k must be at least 1") }
    }

    /// The video is encoded once for all the questions; one question prints one report (JSON: an object), several
    /// print one each (JSON: an array, in the questions' order).
    func run() throws {
        let questions = try input.questionTexts()
        let m = try model.load()
        guard m.heads.contains(.qa) else {
            throw CommandFailure(.badModel, "\(model.model) has no QA head (heads.qa.*), so it cannot answer; try `videodistill choose`")
        }
        let ids = try questions.map { q in
            do { return try m.tokenIds(q) } catch let e as VideoDistillError {
                throw CommandFailure(.badQuestion, "bad question \"\(q)\": \(e)")
            }
        }
        let video = try input.read(with: m)
        let reports = try zip(questions, ids).map { question, tokenIds in
            let outputs = try m.answer(video.encoded, tokenIds: tokenIds, threads: input.threads)
            return try AnswerReport(question: question, outputs: outputs, model: m, video: video, topK: topK)
        }
        if input.json {
            emit(reports.count == 1 ? try jsonText(reports[0]) : try jsonText(reports))
        } else {
            emit(reports.map { r in (reports.count > 1 ? "question: \(r.question)\n" : "") + text(r) }.joined(separator: "\n\n"))
        }
    }

    private func text(_ r: AnswerReport) -> String {
        let width = r.top.map(\.answer.count).max() ?? 0
        var lines = ["answer: \(r.answer)"]
        for a in r.top {
            let pad = String(repeating: " ", count: width - a.answer.count)
            lines.append("  \(a.rank). \(a.answer)\(pad)  \(String(format: "%.4f", a.probability))")
        }
        let f = r.frames
        lines.append("frames: \(f.summary); sampled \(list(f.sampledFrames)); selected \(list(r.selectedFrames))")
        return lines.joined(separator: "\n")
    }
}

func list(_ a: [Int]) -> String { a.map(String.init).joined(separator: " ") }
