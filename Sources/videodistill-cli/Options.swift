import ArgumentParser
import Foundation
import VideoDistill
import VideoDistillVideo
import VideoDistillCommandKit

/// `--model`.
struct ModelOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: "The model file (GGUF, made by convert-weights).")
    var model: String

    /// Loads the model: a missing file exits 3, a malformed one 5.
    func load() throws -> VideoDistillModel {
        try CommandFailure.loadingModel(model) { try VideoDistillModel(path: model) }
    }
}

/// `--video`, threads, output, strictness: what every command that reads a video takes.
struct VideoOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: ArgumentHelp("The video file, image, folder of images, or an encoded-video file (`videodistill encode`).", valueName: "video"))
    var video: String

    @Option(help: "Threads for decoding and for the model's matrix products (1...\(VideoDistillModel.maxThreads)).")
    var threads: Int = min(max(ProcessInfo.processInfo.activeProcessorCount, 1), VideoDistillModel.maxThreads)

    @Flag(help: "Print JSON on standard output.")
    var json = false

    @Flag(help: "Draw the progress bar on standard error even when it is not a terminal.")
    var progress = false

    @Flag(help: "Refuse a video with frames that cannot be decoded (exit 4) instead of replacing them by their nearest decoded neighbour (with a warning).")
    var strict = false

    func validate() throws {
        guard (1...VideoDistillModel.maxThreads).contains(threads) else {
            throw ValidationError("--threads \(threads) is not in 1...\(VideoDistillModel.maxThreads)")
        }
    }

    /// The video: an encoded-video file is mapped; anything else is opened and the frames the model picks are
    /// encoded, with a progress bar. Warns on standard error about frames missing from the file or replaced.
    func read(with model: VideoDistillModel) throws -> SampledVideo {
        let bar = ProgressBar(forced: progress)
        let sampled = try CommandFailure.readingVideo(video) {
            defer { bar.finish() }
            return try SampledVideo.read(path: video, model: model, threads: threads, strict: strict) { bar.update($0.rawValue, $1, $2) }
        }
        for line in sampled.warnings { fputs("videodistill: \(video): \(line)\n", stderr) }
        return sampled
    }
}

/// The video options and the question.
struct VideoQuestionOptions: ParsableArguments {
    @OptionGroup var source: VideoOptions

    @Option(name: .shortAndLong, help: "The question (UTF-8; may be empty). `answer` takes several: the video is encoded once and each is answered.")
    var question: [String] = []

    @Option(name: .customLong("question-file"), help: ArgumentHelp("Read the question from a UTF-8 file (- for standard input).", valueName: "file"))
    var questionFile: String?

    @Option(name: .customLong("questions"), help: ArgumentHelp("`answer` only: read questions from a UTF-8 file, one per line (blank lines skipped; - for standard input).", valueName: "file"))
    var questionsFile: String?

    var video: String { source.video }
    var threads: Int { source.threads }
    var json: Bool { source.json }

    func validate() throws {
        guard [!question.isEmpty, questionFile != nil, questionsFile != nil].filter({ $0 }).count == 1 else {
            throw ValidationError("give the question with exactly one of --question, --question-file and --questions")
        }
    }

    func read(with model: VideoDistillModel) throws -> SampledVideo { try source.read(with: model) }

    /// The questions' text, in order: invalid UTF-8 or an unreadable file exits 6.
    func questionTexts() throws -> [String] {
        if let file = questionFile { return [try QuestionText.read(file: file)] }
        if let file = questionsFile { return try QuestionText.readLines(file: file) }
        for q in question { try QuestionText.checkArgument(q, what: "the question") }
        return question
    }

    /// The one question of a command that takes one (choose, explain): several exit 2.
    func questionText() throws -> String {
        let all = try questionTexts()
        guard all.count == 1 else {
            throw CommandFailure(.usage, "this command takes one question (got \(all.count)); `answer` takes several")
        }
        return all[0]
    }
}

/// Prints `text` on standard output.
func emit(_ text: String) {
    print(text)
}
