import ArgumentParser
import Foundation
import VideoDistill
import VideoDistillCommandKit

/// `videodistill eval`: accuracy on a question file, overall and per category, beside the paper's ablations.
struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure answer accuracy on a JSON Lines question file.",
        discussion: """
            DATA has one JSON object per line with the strings "video" (relative to DATA's folder unless \
            absolute), "question", "answer" and "category"; other keys are ignored. An answer is right when \
            the model's top answer is exactly the "answer" string; answers the model cannot give count as \
            wrong (and are counted). Each video is decoded and encoded once for all its questions.

            Columns: videodistill (the learned frame selection); uniform (with --uniform: K evenly spaced \
            sampled frames, n = (2k+1)N div 2K, instead); blind (with --blind: every question asked of one \
            constant mid-grey video, grey 128 in every channel, i.e. from the question alone); majority (always: \
            each category's most frequent answer in DATA, ties to the first met). --baselines is --uniform \
            --blind. A data file that is missing exits 3; one that is not UTF-8 JSON Lines of such objects \
            exits 6; a missing video exits 3 and an undecodable one 4, naming the line.
            """)

    @OptionGroup var model: ModelOptions

    @Option(name: .shortAndLong, help: ArgumentHelp("The questions (JSON Lines).", valueName: "test.jsonl"))
    var data: String

    @Flag(help: "Add the uniform column: K evenly spaced frames instead of the learned selection.")
    var uniform = false

    @Flag(help: "Add the blind column: a constant mid-grey video for every question.")
    var blind = false

    @Flag(help: "Both --uniform and --blind.")
    var baselines = false

    @Option(help: "Threads for decoding and for the model's matrix products (1...\(VideoDistillModel.maxThreads)).")
    var threads: Int = min(max(ProcessInfo.processInfo.activeProcessorCount, 1), VideoDistillModel.maxThreads)

    @Flag(help: "Print JSON on standard output (the table's numbers and every question's answers).")
    var json = false

    @Flag(help: "Draw the progress bar on standard error even when it is not a terminal.")
    var progress = false

    func validate() throws {
        guard (1...VideoDistillModel.maxThreads).contains(threads) else {
            throw ValidationError("--threads \(threads) is not in 1...\(VideoDistillModel.maxThreads)")
        }
    }

    func run() throws {
        let questions = try EvalData.load(path: data)
        let m = try model.load()
        var modes: [EvalMode] = [.learned]
        if uniform || baselines { modes.append(.uniform) }
        if blind || baselines { modes.append(.blind) }
        let start = Date()
        let bar = ProgressBar(forced: progress)
        let evaluation: Evaluation
        do {
            defer { bar.finish() }
            evaluation = try Evaluation(model: m, questions: questions, modes: modes, threads: threads) {
                bar.update("answering", $0, $1)
            }
        }
        for line in evaluation.warnings { fputs("videodistill: \(line)\n", stderr) }
        let report = EvalReport(model: model.model, data: data, evaluation: evaluation, answers: m.answers,
                                imageSize: m.config.imageSize, seconds: Date().timeIntervalSince(start))
        emit(json ? try jsonText(report) : report.text)
    }
}
