import ArgumentParser
import Foundation
import VideoDistill
import VideoDistillCommandKit
import VideoDistillVideo

/// `videodistill explain`: a contact sheet of what the model looked at for one answer.
struct Explain: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Draw a contact sheet (PNG) of the frames behind an answer.",
        discussion: """
            The sheet shows the question and the top answers, the N frames the model saw (resized and cropped \
            to S x S as the model sees them; n = sampled frame, f = video frame) with the K selected ones \
            outlined in yellow and labelled with their slots k, then the K selected frames in slot order with \
            the last VR block's LA-Gate map as an overlay: for each patch, the mean over the heads of its gate \
            cosine g, red for g > 0 and blue for g < 0, opacity 0.75 sqrt(|g|). Text is drawn with a built-in font \
            of printable ASCII; other characters show as '?'. --json prints the answer, the sheet's layout \
            and the gate values.
            """)

    @OptionGroup var model: ModelOptions
    @OptionGroup var input: VideoQuestionOptions

    @Option(name: .shortAndLong, help: ArgumentHelp("The PNG file to write.", valueName: "sheet.png"))
    var out: String

    @Option(help: "Screen pixels per frame pixel (1...64; default: the smallest that draws a frame at least 96 pixels wide).")
    var zoom: Int?

    @Option(name: .customLong("top-k"), help: "How many answers to print on the sheet.")
    var topK = 3

    func validate() throws {
        guard topK >= 1 else { throw ValidationError("--top-k must be at least 1") }
        if let zoom, !(1...64).contains(zoom) { throw ValidationError("--zoom \(zoom) is not in 1...64") }
    }

    func run() throws {
        guard !EncodedVideoFile.isEncodedVideoFile(path: input.video) else {
            throw CommandFailure(.usage, "\(input.video) is an encoded-video file, which holds tokens, not pixels: explain draws the frames, so give it the video itself")
        }
        let question = try input.questionText()
        let m = try model.load()
        guard m.heads.contains(.qa) else {
            throw CommandFailure(.badModel, "\(model.model) has no QA head (heads.qa.*), so it cannot answer")
        }
        let video = try input.read(with: m)
        let outputs = try m.answer(video.encoded, question: question, threads: input.threads)
        let answer = try AnswerReport(question: question, outputs: outputs, model: m, video: video, topK: topK)
        // The frames again, un-normalised, for the picture (decoding costs little beside encoding).
        let frames = try CommandFailure.readingVideo(input.video) {
            try SeenFrames(source: try openFrameSource(path: input.video, threads: input.threads), config: m.config)
        }
        let gates = try SlotGates(vrGates: outputs.vrGates, config: m.config)
        let sheet = try ContactSheet(frames: frames, config: m.config, frameCount: video.frameCount ?? frames.sourceFrames.count, selected: outputs.selected,
                                     gates: gates, question: question,
                                     top: answer.top.map { ($0.answer, $0.probability) }, zoom: zoom)
        try PNGWriter.write(sheet.image, to: out)
        let report = ExplainReport(answer: answer, sheet: sheet, path: out, gates: gates)
        emit(input.json ? try jsonText(report) : text(report))
    }

    private func text(_ r: ExplainReport) -> String {
        let p = r.top.first.map { String(format: "%.4f", $0.probability) } ?? "?"
        return """
            answer: \(r.answer) (\(p))
            selected: \(list(r.selectedFrames)) (video frames, slot order)
            wrote \(r.sheet.path) (\(r.sheet.width) x \(r.sheet.height))
            """
    }
}
