import ArgumentParser
import VideoDistill
import VideoDistillCommandKit

/// `videodistill answer`: the QA head's best answers.
struct Answer: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Answer a question about a video (QA head).",
        discussion: "Prints the top answers with their probabilities and the frames the model selected. "
            + "--json adds every QA logit, the selection logits and the other heads' outputs.")

    @OptionGroup var model: ModelOptions
    @OptionGroup var input: VideoQuestionOptions

    @Option(name: .customLong("top-k"), help: "How many answers to list.")
    var topK = 5

    func validate() throws {
        guard topK >= 1 else { throw ValidationError("--top-k must be at least 1") }
    }

    func run() throws {
        let question = try input.questionText()
        let m = try model.load()
        guard m.heads.contains(.qa) else {
            throw CommandFailure(.badModel, "\(model.model) has no QA head (heads.qa.*), so it cannot answer; try `videodistill choose`")
        }
        let (source, video) = try input.encode(with: m)
        let outputs = try m.answer(video.encoded, question: question, threads: input.threads)
        let report = try AnswerReport(question: question, outputs: outputs, model: m, video: video, source: source, topK: topK)
        emit(input.json ? try jsonText(report) : text(report))
    }

    private func text(_ r: AnswerReport) -> String {
        let width = r.top.map(\.answer.count).max() ?? 0
        var lines = ["answer: \(r.answer)"]
        for a in r.top {
            let pad = String(repeating: " ", count: width - a.answer.count)
            lines.append("  \(a.rank). \(a.answer)\(pad)  \(String(format: "%.4f", a.probability))")
        }
        let f = r.frames
        lines.append("frames: \(f.frameCount) in the video (\(f.width) x \(f.height)); sampled \(list(f.sampledFrames)); selected \(list(r.selectedFrames))")
        return lines.joined(separator: "\n")
    }
}

func list(_ a: [Int]) -> String { a.map(String.init).joined(separator: " ") }
