import ArgumentParser
import VideoDistill
import VideoDistillCommandKit

/// `videodistill info`: what a model file holds.
struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Describe a model file: config, heads, weight type, answers, metadata.")

    @OptionGroup var model: ModelOptions

    @Flag(help: "Print JSON on standard output.")
    var json = false

    func run() throws {
        let file = try CommandFailure.loadingModel(model.model) { try ModelFile(path: model.model) }
        let report = InfoReport(path: model.model, file: file)
        emit(json ? try jsonText(report) : report.text)
    }
}
