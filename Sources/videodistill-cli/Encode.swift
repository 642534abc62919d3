import ArgumentParser
import Foundation
import VideoDistill
import VideoDistillCommandKit

/// `videodistill encode`: a video's frame tokens saved once, as an encoded-video file, for later questions.
struct Encode: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Encode a video once and save it as an encoded-video file.",
        discussion: """
            Decodes the N frames the model picks, encodes them and writes the tokens to OUT (written to a temporary \
            file and renamed). `answer`, `choose` and `eval` take OUT wherever they take a video: the file is mapped \
            and a question reads v_cls of the N frames and the patches of the K it selects, not the whole file. The \
            file belongs to this model's frame encoder (another model refuses it, exit 4). --precision float32 keeps \
            the tokens exactly (answers equal those from the video); float16 is half the size and int8 (per token, \
            with a scale) about a quarter, both within SPEC 8's int8 gate of float32.
            """)

    @OptionGroup var model: ModelOptions

    @OptionGroup var input: VideoOptions

    @Option(name: .shortAndLong, help: ArgumentHelp("The encoded-video file to write.", valueName: "out"))
    var out: String

    @Option(help: "How the tokens are stored: float32, float16 or int8.")
    var precision: String = "float32"

    func validate() throws {
        guard TokenPrecision.named(precision) != nil else {
            throw ValidationError("--precision \(precision) is not one of \(TokenPrecision.allCases.map(\.name).joined(separator: ", "))")
        }
    }

    func run() throws {
        let m = try model.load()
        let sampled = try input.read(with: m)
        let stored = TokenPrecision.named(precision)!   // validated
        do {
            try m.save(sampled.encoded, to: out, precision: stored)
        } catch let e as VideoDistillError {
            throw CommandFailure(.failure, "cannot save \(out): \(e)")
        }
        let report = EncodeReport(path: out, precision: stored, bytes: fileSize(out), video: sampled)
        emit(input.json ? try jsonText(report) : "wrote \(out): \(report.bytes) bytes, \(precision) tokens of \(report.frames.sampledFrames.count) frames; frames: \(report.frames.summary)")
    }

    private func fileSize(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? -1
    }
}
