import VideoDistill
import VideoDistillVideo

/// One video read for one model by the video library (`VideoDistillModel.encode(source:)`): the frames SPEC 1
/// picks, and only those, decoded, preprocessed (SPEC 1.1) and encoded, ready for any number of questions.
public struct SampledVideo {
    /// tokens [N, 1+P, Dv]; `encoded.sourceFrameIndices` are `sourceFrames`.
    public let encoded: EncodedVideo
    /// F, the frames of the source.
    public let frameCount: Int
    /// The source frame behind each encoded frame: idx_n = ((2n + 1) F) div (2N), n = 0..<N, or, where that frame
    /// could not be decoded, the frame that stands in for it (`report.replaced`).
    public let sourceFrames: [Int]
    /// What the video library found: the declared frame count, the replaced frames.
    public let report: VideoFileReport

    /// What a progress callback is told about.
    public enum Phase: String, Sendable { case decoding, encoding }

    /// Decodes the distinct frames of SPEC 1's pick in ascending order and encodes each once (the video
    /// library's policy for frames that cannot be decoded; `strict` refuses them). `progress(phase, done,
    /// total)` follows both phases.
    public init(source: FrameSource, model: VideoDistillModel, threads: Int, strict: Bool = false,
                progress: ((Phase, Int, Int) -> Void)? = nil) throws {
        let control = EncodeControl(progress: progress.map { p in { p(.encoding, $0, $1) } })
        (encoded, report) = try model.encode(source: source, threads: threads, strict: strict, control: control,
                                             readProgress: progress.map { p in { p(.decoding, $0, $1) } })
        frameCount = source.frameCount
        sourceFrames = encoded.sourceFrameIndices ?? []
    }

    /// Lines to print on standard error about frames that are missing from the file or were replaced.
    public var warnings: [String] {
        var lines: [String] = []
        if let declared = report.declaredFrameCount, declared > report.frameCount {
            lines.append("warning: the file declares \(declared) frames but holds \(report.frameCount) (truncated or damaged); sampled from the \(report.frameCount)")
        }
        if !report.replaced.isEmpty {
            var seen = Set<Int>()
            let list = report.replaced.filter { seen.insert($0.wanted).inserted }.map { "\($0.wanted) by \($0.used)" }
                .joined(separator: ", ")
            lines.append("warning: \(report.replaced.count) of the \(encoded.frameCount) sampled frames could not be decoded and were replaced by their nearest decoded neighbour (frame \(list)); --strict refuses instead")
        }
        return lines
    }
}
